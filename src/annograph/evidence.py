"""Why is a fact in the graph? Every fact about an entity, with the article's words behind it.

Works on the built store with the same SPARQL pattern the README documents (Web Annotation
bodies are reified statements; targets carry a quote and a character span), so what ``why``
prints is exactly what any SPARQL client can ask.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from annograph.errors import AnnographError
from annograph.graph import LINK_PREDICATE_IRIS
from annograph.lexical import closest
from annograph.ontology import NAMESPACE, RDF_TYPE

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_PREFIXES = """\
PREFIX ag: <https://w3id.org/annograph/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

# Labels of things; ?entity is bound by pyoxigraph substitution, never pasted in.
_NAMED = (
    _PREFIXES
    + """SELECT ?entity ?label WHERE {
  ?entity ag:name|ag:alternateName|ag:abbreviation ?label
}"""
)

_FACTS = (
    _PREFIXES
    + """SELECT ?entity ?subject ?predicate ?object ?exact ?start ?end ?source ?motivation WHERE {
  # Graph by graph: each article's evidence for what it states. (Over the union of graphs, the
  # statement of a fact that many articles state would join with itself once per article.)
  GRAPH ?graph {
    { ?entity ?predicate ?object BIND(?entity AS ?subject) }
    UNION
    { ?subject ?predicate ?entity BIND(?entity AS ?object)
      FILTER NOT EXISTS { ?subject a rdf:Statement } }
    OPTIONAL {
      ?statement rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object .
      ?annotation oa:hasBody ?statement ;
        oa:motivatedBy ?motivation ;
        oa:hasTarget ?target .
      ?target oa:hasSource ?source ;
        oa:hasSelector ?by_quote, ?by_position .
      ?by_quote oa:exact ?exact .
      ?by_position oa:start ?start ; oa:end ?end .
    }
  }
}"""
)

_EDITORIAL_NOTE = "http://www.w3.org/2004/02/skos/core#editorialNote"
_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


class EntityNotFound(AnnographError):
    """``why`` was given an id, IRI or label that names nothing in the graph (or several things)."""


@dataclass(frozen=True, slots=True)
class Quote:
    """Words of an article that support a fact, at characters ``start:end`` of its text."""

    exact: str
    start: int
    end: int
    source: str
    mention: bool


@dataclass(frozen=True, slots=True)
class ExplainedFact:
    """A triple about the entity (``incoming`` when the entity is its object) and its quotes."""

    subject: Term
    predicate: ox.NamedNode
    object: Term
    incoming: bool
    quotes: tuple[Quote, ...]

    @property
    def is_link(self) -> bool:
        """An identity link to another graph: a curator's assertion, so it has no quote."""
        return self.predicate.value in LINK_PREDICATE_IRIS


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything the graph says about one entity, and why."""

    entity: ox.NamedNode
    labels: tuple[ox.Literal, ...]
    facts: tuple[ExplainedFact, ...]
    #: Curators' notes (skos:editorialNote): why they read the article so, not facts of it.
    notes: tuple[ox.Literal, ...] = ()

    @property
    def types(self) -> tuple[ox.NamedNode, ...]:
        return tuple(
            f.object
            for f in self.facts
            if not f.incoming
            and f.predicate.value == RDF_TYPE
            and isinstance(f.object, ox.NamedNode)
        )


def explain(
    store: ox.Store, entity: str, *, prefixes: Mapping[str, str], id_namespace: str
) -> Explanation:
    """Every fact about ``entity`` (an id, a CURIE, an IRI or a label) with its supporting quotes.

    :param store: the built store.
    :param prefixes: for CURIEs such as ``id:bishkek``.
    :param id_namespace: where entity ids live (``…/id/``), so ``bishkek`` means ``id:bishkek``.
    :raises EntityNotFound: if nothing, or more than one thing, goes by that name.
    """
    iri = resolve_entity(store, entity, prefixes=prefixes, id_namespace=id_namespace)
    rows = store.query(
        _FACTS, substitutions={ox.Variable("entity"): iri}, use_default_graph_as_union=True
    )
    assert isinstance(rows, ox.QuerySolutions)
    quotes: dict[tuple[Term, ox.NamedNode, Term], set[Quote]] = defaultdict(set)
    for row in rows:
        key = (row["subject"], row["predicate"], row["object"])
        quotes[key]  # a fact without evidence is still listed
        if row["exact"] is not None:
            quotes[key].add(_quote(row))
    facts = tuple(
        ExplainedFact(s, p, o, s != iri, tuple(sorted(found, key=lambda q: (q.start, q.end))))
        for (s, p, o), found in sorted(quotes.items(), key=lambda item: _fact_order(item[0], iri))
        if p.value != _EDITORIAL_NOTE
    )
    if not facts:
        raise EntityNotFound(f"nothing in the graph is about <{iri.value}>")
    return Explanation(
        iri,
        _literals(quotes, iri, NAMESPACE + "name"),
        facts,
        _literals(quotes, iri, _EDITORIAL_NOTE),
    )


def _literals(
    facts: Mapping[tuple[Term, ox.NamedNode, Term], object], subject: ox.NamedNode, predicate: str
) -> tuple[ox.Literal, ...]:
    found = [o for (s, p, o) in facts if s == subject and p.value == predicate]
    literals = [o for o in found if isinstance(o, ox.Literal)]
    return tuple(sorted(literals, key=lambda literal: (literal.language or "", literal.value)))


def _quote(row: ox.QuerySolution) -> Quote:
    return Quote(
        exact=row["exact"].value,
        start=int(row["start"].value),
        end=int(row["end"].value),
        source=row["source"].value,
        mention=row["motivation"].value.endswith("#identifying"),
    )


def _fact_order(fact: tuple[Term, ox.NamedNode, Term], iri: ox.NamedNode) -> tuple[object, ...]:
    subject, predicate, obj = fact
    incoming = subject != iri
    return (incoming, predicate.value != RDF_TYPE, predicate.value, str(subject), str(obj))


def resolve_entity(
    store: ox.Store, entity: str, *, prefixes: Mapping[str, str], id_namespace: str
) -> ox.NamedNode:
    """The IRI an id (``bishkek``), CURIE (``id:bishkek``), IRI or label (``Бишкек``) stands for.

    Labels match names, alternate names and abbreviations in any language, ignoring case.

    :raises EntityNotFound: with the closest label as a hint, or the candidates if ambiguous.
    """
    text = entity.strip()
    iri = _as_iri(text, prefixes=prefixes, id_namespace=id_namespace)
    if iri is not None and _is_subject(store, iri):
        return iri
    labels = _labels(store)
    matches = sorted({e.value for e, label in labels if label.value.casefold() == text.casefold()})
    if len(matches) == 1:
        return ox.NamedNode(matches[0])
    if matches:
        names = ", ".join(f"<{m}>" for m in matches)
        raise EntityNotFound(
            f"'{text}' names {len(matches)} things: {names}", hint="give the id or the IRI instead"
        )
    hint = closest(text, {label.value for _, label in labels})
    raise EntityNotFound(
        f"no entity with the id, IRI or name '{text}'",
        hint=hint or "try an id such as 'bishkek' (see 'annograph query entities-of-class')",
    )


def _as_iri(text: str, *, prefixes: Mapping[str, str], id_namespace: str) -> ox.NamedNode | None:
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
    return any(True for _ in store.quads_for_pattern(iri, None, None, None))


def _labels(store: ox.Store) -> list[tuple[ox.NamedNode, ox.Literal]]:
    rows = store.query(_NAMED, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return [
        (row["entity"], row["label"])
        for row in rows
        if isinstance(row["entity"], ox.NamedNode) and isinstance(row["label"], ox.Literal)
    ]
