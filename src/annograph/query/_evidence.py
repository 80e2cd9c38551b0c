"""Why is a fact in the graph? Every fact about an entity, with the article's words behind it.

An answer starts from the entity and follows the store's indexes outward, so it takes the same
time in a corpus of ten articles or of ten thousand: the entity's facts are in the default
graph; the facts that point at it too, grouped by property; and each fact's quotes are found
from its statement (the IRI of a fact's ``rdf:Statement`` is minted from the fact, see
:class:`annograph.build._graph.Minter`) in the graph of each article that states it. A popular
entity has more facts and quotes than a screen holds: ``limit`` caps the quotes shown per fact and
the facts shown per property pointing at the entity, and the explanation counts the rest.

The quotes are found with the SPARQL pattern the documentation's data-model page shows, with the
statement bound::

    GRAPH ?graph {
      ?annotation oa:hasBody ?statement ; oa:motivatedBy ?motivation ; oa:hasTarget ?target .
      ?target oa:hasSource ?source ; oa:hasSelector ?by_quote, ?by_position .
      ?by_quote oa:exact ?exact .
      ?by_position oa:start ?start ; oa:end ?end .
    }
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol

import pyoxigraph as ox

from annograph._languages import literal_in
from annograph._lexical import closest
from annograph.annotations._model import Article
from annograph.annotations._ontology import NAMESPACE, RDF_TYPE
from annograph.annotations._summaries import name_table
from annograph.build._graph import LINK_PREDICATE_IRIS
from annograph.errors import AnnographError

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_PREFIXES = """\
PREFIX ag: <https://w3id.org/annograph/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# ?statement and ?entity are bound by pyoxigraph substitution, never pasted in.
_QUOTES = (
    _PREFIXES
    + """SELECT ?statement ?exact ?start ?end ?source ?motivation ?note WHERE {
  GRAPH ?graph {
    ?annotation oa:hasBody ?statement ;
      oa:motivatedBy ?motivation ;
      oa:hasTarget ?target .
    ?target oa:hasSource ?source ;
      oa:hasSelector ?by_quote, ?by_position .
    ?by_quote oa:exact ?exact .
    ?by_position oa:start ?start ; oa:end ?end .
    OPTIONAL { ?annotation skos:editorialNote ?note }
  }
}"""
)
_QUOTE_COUNT = (
    _PREFIXES
    + "SELECT ?statement (COUNT(*) AS ?quotes) WHERE {"
    + " GRAPH ?graph { ?annotation oa:hasBody ?statement } } GROUP BY ?statement"
)
_INCOMING = (
    "SELECT ?entity ?predicate (COUNT(*) AS ?facts) WHERE { ?subject ?predicate ?entity }"
    " GROUP BY ?entity ?predicate"
)
# The slow way to a name, for a store without an index (built by an older annograph).
_NAMED = (
    _PREFIXES
    + """SELECT ?entity ?label WHERE {
  ?entity ag:name|ag:alternateName|ag:abbreviation ?label
}"""
)

_EDITORIAL_NOTE = "http://www.w3.org/2004/02/skos/core#editorialNote"
_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
#: Quotes shown per fact, and facts per property pointing at the entity, unless told otherwise.
DEFAULT_LIMIT = 10


class EntityNotFound(AnnographError):
    """``why`` was given an id, IRI or label that names nothing in the graph (or several things)."""


class AmbiguousName(EntityNotFound):
    """A name that several entities have."""


class Names(Protocol):
    """Finds entities by name: the build's index
    (:class:`annograph.annotations._summaries.Index`)."""

    def ids_named(self, name: str) -> list[str]: ...

    def all_names(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Quote:
    """Words of an article that support a fact, at characters ``start:end`` of its text."""

    exact: str
    start: int
    end: int
    source: str
    mention: bool
    #: The curator's note on reading these words so (a fact's ``note:``): not the article's.
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ExplainedFact:
    """A triple about the entity (``incoming`` when the entity is its object) and its quotes."""

    subject: Term
    predicate: ox.NamedNode
    object: Term
    incoming: bool
    quotes: tuple[Quote, ...]
    #: Quotes of this fact beyond the limit, not shown.
    more_quotes: int = 0

    @property
    def is_link(self) -> bool:
        """An identity link to another graph: a curator's assertion, so it has no quote."""
        return self.predicate.value in LINK_PREDICATE_IRIS

    @property
    def other(self) -> Term:
        """What the fact links the entity to: its object, or its subject if it is incoming."""
        return self.subject if self.incoming else self.object

    @property
    def notes(self) -> tuple[str, ...]:
        """The curators' notes on the quotes shown, each once (a fact's note is on each)."""
        return tuple(dict.fromkeys(quote.note for quote in self.quotes if quote.note))


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything the graph says about one entity, and why."""

    entity: ox.NamedNode
    labels: tuple[ox.Literal, ...]
    facts: tuple[ExplainedFact, ...]
    #: Curators' notes (skos:editorialNote): why they read the article so, not facts of it.
    notes: tuple[ox.Literal, ...] = ()
    #: Facts pointing at the entity beyond the limit, not shown: property -> how many.
    more_incoming: Mapping[ox.NamedNode, int] = field(default_factory=dict)
    #: The names (``ag:name``) of what the facts link the entity to, to show instead of IRIs.
    names: Mapping[ox.NamedNode, tuple[ox.Literal, ...]] = field(default_factory=dict)

    def name_of(self, term: Term, lang: str) -> str | None:
        """The name of something a fact links to, in ``lang`` or else another language."""
        found = self.names.get(term) if isinstance(term, ox.NamedNode) else None
        return literal_in(found, lang) if found else None

    @property
    def types(self) -> tuple[ox.NamedNode, ...]:
        return tuple(
            f.object
            for f in self.facts
            if not f.incoming and f.predicate == RDF_TYPE and isinstance(f.object, ox.NamedNode)
        )


def explain(
    store: ox.Store,
    entity: str,
    *,
    prefixes: Mapping[str, str],
    id_namespace: str,
    statement: Callable[[ox.Triple], ox.NamedNode],
    names: Names | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> Explanation:
    """Every fact about ``entity`` (an id, a CURIE, an IRI or a label) with its supporting quotes.

    :param store: the built store.
    :param prefixes: for CURIEs such as ``id:bishkek``.
    :param id_namespace: where entity ids live (``…/id/``), so ``bishkek`` means ``id:bishkek``.
    :param statement: the IRI of a fact's statement
        (:meth:`annograph.build._graph.Minter.statement`).
    :param names: the build's index, to find an entity by name (without it, names are found
        by reading every name in the graph).
    :param limit: the most quotes shown per fact, and facts per property pointing at the
        entity; None shows all.
    :raises EntityNotFound: if nothing, or more than one thing, goes by that name.
    """
    iri = resolve_entity(store, entity, prefixes=prefixes, id_namespace=id_namespace, names=names)
    default = ox.DefaultGraph()
    outgoing = [q.triple for q in store.quads_for_pattern(iri, None, None, default)]
    incoming, more = _incoming(store, iri, limit)
    facts = [(t, False) for t in outgoing] + [(t, True) for t in incoming]
    quotes = _quotes(store, [statement(t) for t, _ in facts], limit)
    explained = tuple(
        ExplainedFact(t.subject, t.predicate, t.object, inbound, *quotes[statement(t)])
        for t, inbound in sorted(facts, key=lambda fact: _fact_order(fact[0], iri))
        if t.predicate.value != _EDITORIAL_NOTE
    )
    if not explained:
        raise EntityNotFound(f"nothing in the graph is about <{iri.value}>")
    return Explanation(
        iri,
        _literals(outgoing, NAMESPACE + "name"),
        explained,
        _literals(outgoing, _EDITORIAL_NOTE),
        more,
        _names(store, {fact.other for fact in explained} - {iri}),
    )


def _names(store: ox.Store, terms: Iterable[Term]) -> dict[ox.NamedNode, tuple[ox.Literal, ...]]:
    """The names of those of ``terms`` that have any (classes and values have none)."""
    name, default = ox.NamedNode(NAMESPACE + "name"), ox.DefaultGraph()
    found = {}
    for term in terms:
        if isinstance(term, ox.NamedNode):
            triples = [q.triple for q in store.quads_for_pattern(term, name, None, default)]
            if literals := _literals(triples, name.value):
                found[term] = literals
    return found


def _incoming(
    store: ox.Store, iri: ox.NamedNode, limit: int | None
) -> tuple[list[ox.Triple], dict[ox.NamedNode, int]]:
    """The facts pointing at ``iri``: up to ``limit`` per property, and how many more."""
    found: list[ox.Triple] = []
    more: dict[ox.NamedNode, int] = {}
    counts = store.query(_INCOMING, substitutions={ox.Variable("entity"): iri})
    assert isinstance(counts, ox.QuerySolutions)
    for row in counts:
        predicate, count = row["predicate"], int(row["facts"].value)
        assert isinstance(predicate, ox.NamedNode)
        pattern = store.quads_for_pattern(None, predicate, iri, ox.DefaultGraph())
        found.extend(q.triple for q in islice(pattern, limit))
        if limit is not None and count > limit:
            more[predicate] = count - limit
    return found, more


def _quotes(
    store: ox.Store, statements: Sequence[ox.NamedNode], limit: int | None
) -> dict[ox.NamedNode, tuple[tuple[Quote, ...], int]]:
    """Each statement's quotes (up to ``limit``), and how many more there are."""
    found: dict[ox.NamedNode, tuple[tuple[Quote, ...], int]] = {}
    for node in statements:
        if node in found:
            continue
        rows = store.query(_QUOTES, substitutions={ox.Variable("statement"): node})
        assert isinstance(rows, ox.QuerySolutions)
        taken = list(islice(rows, limit))
        more = 0
        if limit is not None and len(taken) == limit:
            more = _quote_count(store, node) - limit
        shown = sorted(set(map(_quote, taken)), key=_quote_order)
        found[node] = (tuple(shown), max(more, 0))
    return found


def _quote_count(store: ox.Store, statement: ox.NamedNode) -> int:
    rows = store.query(_QUOTE_COUNT, substitutions={ox.Variable("statement"): statement})
    assert isinstance(rows, ox.QuerySolutions)
    return sum(int(row["quotes"].value) for row in rows)


def _quote_order(quote: Quote) -> tuple[str, int, int]:
    return (quote.source, quote.start, quote.end)


def _literals(triples: Iterable[ox.Triple], predicate: str) -> tuple[ox.Literal, ...]:
    found = [t.object for t in triples if t.predicate.value == predicate]
    literals = [o for o in found if isinstance(o, ox.Literal)]
    return tuple(sorted(literals, key=lambda literal: (literal.language or "", literal.value)))


def _quote(row: ox.QuerySolution) -> Quote:
    return Quote(
        exact=row["exact"].value,
        start=int(row["start"].value),
        end=int(row["end"].value),
        source=row["source"].value,
        mention=row["motivation"].value.endswith("#identifying"),
        note=row["note"].value if row["note"] is not None else None,
    )


def _fact_order(fact: ox.Triple, iri: ox.NamedNode) -> tuple[object, ...]:
    incoming = fact.subject != iri
    predicate = fact.predicate.value
    return (incoming, predicate != RDF_TYPE.value, predicate, str(fact.subject), str(fact.object))


def resolve_entity(
    store: ox.Store,
    entity: str,
    *,
    prefixes: Mapping[str, str],
    id_namespace: str,
    names: Names | None = None,
) -> ox.NamedNode:
    """The IRI an id (``bishkek``), CURIE (``id:bishkek``), IRI or label (``Бишкек``) stands for.

    Labels match names, alternate names and abbreviations in any language, ignoring case.

    :param names: the build's index (without it, every name in the graph is read).
    :raises EntityNotFound: with the closest label as a hint, or the candidates if ambiguous.
    """
    text = entity.strip()
    iri = as_iri(text, prefixes=prefixes, id_namespace=id_namespace)
    if iri is not None and _is_subject(store, iri):
        return iri
    if names is not None:
        return named(text, names, id_namespace=id_namespace)
    labels = _labels(store)
    matches = sorted({e.value for e, lab in labels if lab.value.casefold() == text.casefold()})
    return _only(text, matches, known=lambda: [lab.value for _, lab in labels])


def annotated_entity(
    entity: str, articles: Iterable[Article], *, prefixes: Mapping[str, str], id_namespace: str
) -> ox.NamedNode:
    """The annotated entity an id, CURIE, IRI or name stands for, as for :func:`explain`, read
    from the annotations rather than a build (so it works before the first one).

    :raises EntityNotFound: if nothing (or more than one thing) goes by that name.
    """
    articles = list(articles)
    text = entity.strip()
    iri = as_iri(text, prefixes=prefixes, id_namespace=id_namespace)
    ids = {id_namespace + e.id for article in articles for e in article.entities}
    if iri is not None and iri.value in ids:
        return iri
    return named(text, name_table(articles), id_namespace=id_namespace)


def named(text: str, names: Names, *, id_namespace: str) -> ox.NamedNode:
    """The IRI of the one entity with the name, alternate name or abbreviation ``text``.

    :raises EntityNotFound: with the closest name as a hint, or the candidates if ambiguous.
    """
    matches = sorted(id_namespace + found for found in names.ids_named(text))
    return _only(text, matches, known=names.all_names)


def _only(text: str, matches: Sequence[str], *, known: Callable[[], Iterable[str]]) -> ox.NamedNode:
    """The one match; else an error, with the closest of the ``known`` names as a hint."""
    if len(matches) == 1:
        return ox.NamedNode(matches[0])
    if matches:
        listed = ", ".join(f"<{m}>" for m in matches)
        raise AmbiguousName(
            f"'{text}' names {len(matches)} things: {listed}", hint="give the id or the IRI instead"
        )
    raise EntityNotFound(
        f"no entity with the id, IRI or name '{text}'",
        hint=closest(text, set(known()))
        or "try an id such as 'bishkek' (see 'annograph query entities-of-class')",
    )


def as_iri(text: str, *, prefixes: Mapping[str, str], id_namespace: str) -> ox.NamedNode | None:
    """The IRI an id (``bishkek``), a CURIE (``id:bishkek``) or an IRI stands for, if any."""
    prefix, colon, local = text.partition(":")
    candidate = (
        id_namespace + text
        if _ID.fullmatch(text)
        else prefixes[prefix] + local
        if colon and prefix in prefixes
        else text.strip("<>")
        if colon
        else None
    )
    if candidate is None:
        return None
    try:
        return ox.NamedNode(candidate)
    except ValueError:
        return None


def _is_subject(store: ox.Store, iri: ox.NamedNode) -> bool:
    found = store.quads_for_pattern(iri, None, None, ox.DefaultGraph())
    return next(iter(found), None) is not None


def _labels(store: ox.Store) -> list[tuple[ox.NamedNode, ox.Literal]]:
    rows = store.query(_NAMED)
    assert isinstance(rows, ox.QuerySolutions)
    return [
        (row["entity"], row["label"])
        for row in rows
        if isinstance(row["entity"], ox.NamedNode) and isinstance(row["label"], ox.Literal)
    ]
