"""An article's evidence as the built store holds it: every quoted span and the facts it supports.

Everything but the text comes from the store, so a page shows what the graph says (what
``annograph serve`` serves, or what ``annograph docs`` publishes), not what the annotations say
now: the spans from the Web Annotations in the article's named graph (each quote's
``oa:TextPositionSelector`` and ``oa:TextQuoteSelector``), the facts from the reified
statements they annotate, the article's metadata from its triples, the entities' names from the
default graph and the labels of properties and classes from the ontology's graph. The store does
not hold the article's text: it is read from the article's folder, and each span is checked
against it (:meth:`ArticleEvidence.check`), so a text changed since the build is reported, never
marked at the wrong place.

One span is one place in the text (``start:end``): several annotations (a mention and facts,
or facts from two places of the annotations) quoting the same words are one span, with all of
their facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from annograph._languages import literal_in
from annograph._lexical import closest
from annograph.annotations._ontology import NAMESPACE, ONTOLOGY_IRI, PREFIXES, RDF_TYPE, RDFS
from annograph.reference._diagram import ArticleNotFound
from annograph.reference._marks import span_key

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

# ?graph and ?source are bound by pyoxigraph substitution, never pasted in (which needs them
# in the projection).
_SPANS = """\
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?graph ?source ?start ?end ?exact ?motivation ?note ?subject ?predicate ?object WHERE {
  GRAPH ?graph {
    ?target oa:hasSource ?source ;
      oa:hasSelector ?by_quote, ?by_position .
    ?by_quote oa:exact ?exact .
    ?by_position oa:start ?start ; oa:end ?end .
    ?annotation oa:hasTarget ?target ;
      oa:motivatedBy ?motivation ;
      oa:hasBody ?statement .
    ?statement rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object .
    OPTIONAL { ?annotation skos:editorialNote ?note }
  }
}"""
_IDENTIFYING = PREFIXES["oa"] + "identifying"
_NAME = ox.NamedNode(NAMESPACE + "name")
_MENTIONS = ox.NamedNode(NAMESPACE + "mentions")
_HEADLINE = ox.NamedNode(NAMESPACE + "headline")
_LABEL = ox.NamedNode(RDFS + "label")


@dataclass(frozen=True, slots=True)
class Statement:
    """A fact the article states (one triple of its graph)."""

    subject: Term
    predicate: ox.NamedNode
    object: Term


@dataclass(frozen=True, slots=True)
class Span:
    """Words of the article at characters ``start:end``, and the facts they support."""

    start: int
    end: int
    exact: str
    facts: tuple[Statement, ...]
    #: Whether every annotation on it identifies an entity (a mention), none describing one.
    mention: bool
    #: The curators' notes on reading these words so: not the article's.
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Its anchor in an article page (``q12-40``)."""
        return span_key(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Check:
    """How the spans of the store fit the article's text."""

    #: The spans whose quote is the text at their position: the ones to mark.
    matching: tuple[Span, ...]
    #: The others: the text changed since the build (or the folder is another article's).
    stale: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class ArticleEvidence:
    """What the store says of one article: its metadata, its spans and its entities."""

    slug: str
    iri: ox.NamedNode
    graph: ox.NamedNode
    language: str | None
    url: str | None
    published: str | None
    headlines: tuple[ox.Literal, ...]
    #: By position: start, then the longer first.
    spans: tuple[Span, ...]
    #: The entities the article mentions, and the classes it gives each.
    classes: Mapping[ox.NamedNode, tuple[ox.NamedNode, ...]]
    #: The names (``ag:name``) of the entities facts link to, in every language.
    names: Mapping[ox.NamedNode, tuple[ox.Literal, ...]] = field(default_factory=dict)
    #: The ontology's labels of the properties, classes and concepts used, by language.
    labels: Mapping[ox.NamedNode, tuple[ox.Literal, ...]] = field(default_factory=dict)
    #: The spans that mention each entity.
    mentioned: Mapping[ox.NamedNode, tuple[Span, ...]] = field(default_factory=dict)

    def name_of(self, term: ox.NamedNode, lang: str) -> str | None:
        """An entity's name (or an ontology term's label) in ``lang``, else in another."""
        found = self.names.get(term) or self.labels.get(term)
        return literal_in(found, lang) if found else None

    def headline(self, lang: str) -> str | None:
        return literal_in(self.headlines, lang)

    def mentions(self, entity: ox.NamedNode) -> tuple[Span, ...]:
        """The spans that mention ``entity`` (the quotes of its ``ag:mentions``)."""
        return self.mentioned.get(entity, ())

    def check(self, text: str) -> Check:
        """Which spans' quotes are the text at their positions (see :class:`Check`)."""
        matching: list[Span] = []
        stale: list[Span] = []
        for span in self.spans:
            fits = 0 <= span.start < span.end <= len(text)
            (matching if fits and text[span.start : span.end] == span.exact else stale).append(span)
        return Check(tuple(matching), tuple(stale))


def read_article(
    store: ox.Store, slug: str, *, graph_namespace: str, article_namespace: str
) -> ArticleEvidence:
    """The evidence of the article ``slug`` in the built store.

    :param graph_namespace: where article graphs live (``…/graph/``), the slug appended.
    :param article_namespace: where articles' IRIs live (``…/article/``), the slug appended.
    :raises ArticleNotFound: if the store has no graph for ``slug``.
    """
    try:
        graph = ox.NamedNode(graph_namespace + slug)
        iri = ox.NamedNode(article_namespace + slug)
    except ValueError:  # not a slug at all (spaces, brackets): no graph has its name
        raise _not_found(store, slug, graph_namespace) from None
    if not store.contains_named_graph(graph):
        raise _not_found(store, slug, graph_namespace)
    about = [q.triple for q in store.quads_for_pattern(iri, None, None, graph)]
    spans = _spans(store, graph, iri)
    classes: dict[ox.NamedNode, list[ox.NamedNode]] = {}
    for triple in about:
        if triple.predicate == _MENTIONS and isinstance(triple.object, ox.NamedNode):
            entity = triple.object
            classes[entity] = sorted(
                (
                    q.object
                    for q in store.quads_for_pattern(entity, RDF_TYPE, None, graph)
                    if isinstance(q.object, ox.NamedNode)
                ),
                key=lambda c: c.value,
            )
    terms = {t for span in spans for fact in span.facts for t in (fact.subject, fact.object)}
    named = {t for t in terms | set(classes) if isinstance(t, ox.NamedNode)}
    vocabulary = {fact.predicate for span in spans for fact in span.facts}
    vocabulary |= {c for cs in classes.values() for c in cs} | named
    return ArticleEvidence(
        slug=slug,
        iri=iri,
        graph=graph,
        language=_value(about, NAMESPACE + "inLanguage"),
        url=_value(about, NAMESPACE + "url"),
        published=_value(about, NAMESPACE + "datePublished"),
        headlines=tuple(
            t.object for t in about if t.predicate == _HEADLINE and isinstance(t.object, ox.Literal)
        ),
        spans=spans,
        classes={entity: tuple(found) for entity, found in classes.items()},
        names=_literals(store, named, _NAME, ox.DefaultGraph()),
        labels=_literals(store, vocabulary, _LABEL, ox.NamedNode(ONTOLOGY_IRI)),
        mentioned=_mentioned(spans, iri),
    )


def _mentioned(
    spans: Iterable[Span], article: ox.NamedNode
) -> dict[ox.NamedNode, tuple[Span, ...]]:
    found: dict[ox.NamedNode, list[Span]] = defaultdict(list)
    for span in spans:
        for fact in span.facts:
            if fact.subject == article and fact.predicate == _MENTIONS:
                if isinstance(fact.object, ox.NamedNode):
                    found[fact.object].append(span)
    return {entity: tuple(found_spans) for entity, found_spans in found.items()}


def article_slugs(store: ox.Store, graph_namespace: str) -> list[str]:
    """The slugs of the articles the store has a graph of, sorted."""
    return sorted(
        g.value.removeprefix(graph_namespace)
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value.startswith(graph_namespace)
    )


def article_titles(
    store: ox.Store, *, graph_namespace: str, article_namespace: str, lang: str
) -> list[tuple[str, str]]:
    """Each article of the store, sorted by slug, with its headline in ``lang`` (or its own
    language's, else the slug): a list of articles, read by index lookups only."""
    titles = []
    for slug in article_slugs(store, graph_namespace):
        graph = ox.NamedNode(graph_namespace + slug)
        headlines = [
            q.object
            for q in store.quads_for_pattern(
                ox.NamedNode(article_namespace + slug), _HEADLINE, None, graph
            )
            if isinstance(q.object, ox.Literal)
        ]
        titles.append((slug, literal_in(headlines, lang) or slug))
    return titles


def _not_found(store: ox.Store, slug: str, graph_namespace: str) -> ArticleNotFound:
    slugs = article_slugs(store, graph_namespace)
    listed = ", ".join(slugs[:10]) + (", …" if len(slugs) > 10 else "")
    hint = closest(slug, slugs) or f"articles: {listed or 'none'}"
    return ArticleNotFound(f"no article '{slug}' in the built store", hint=hint)


def _spans(store: ox.Store, graph: ox.NamedNode, source: ox.NamedNode) -> tuple[Span, ...]:
    rows = store.query(
        _SPANS, substitutions={ox.Variable("graph"): graph, ox.Variable("source"): source}
    )
    assert isinstance(rows, ox.QuerySolutions)
    exact: dict[tuple[int, int], str] = {}
    facts: dict[tuple[int, int], set[Statement]] = defaultdict(set)
    describing: set[tuple[int, int]] = set()
    notes: dict[tuple[int, int], set[str]] = defaultdict(set)
    for row in rows:
        at = (int(row["start"].value), int(row["end"].value))
        exact[at] = row["exact"].value
        predicate = row["predicate"]
        assert isinstance(predicate, ox.NamedNode)
        facts[at].add(Statement(row["subject"], predicate, row["object"]))
        if row["motivation"].value != _IDENTIFYING:
            describing.add(at)
        if row["note"] is not None:
            notes[at].add(row["note"].value)
    return tuple(
        Span(
            start,
            end,
            exact[start, end],
            tuple(sorted(facts[start, end], key=_fact_order)),
            (start, end) not in describing,
            tuple(sorted(notes[start, end])),
        )
        for start, end in sorted(exact, key=lambda at: (at[0], -at[1]))
    )


def _fact_order(fact: Statement) -> tuple[bool, bool, str, str, str]:
    # Mentions and classes after what the words say of the entity.
    machinery = fact.predicate in (_MENTIONS, RDF_TYPE)
    return (
        machinery,
        fact.predicate == _MENTIONS,
        str(fact.subject),
        fact.predicate.value,
        str(fact.object),
    )


def _value(triples: Iterable[ox.Triple], predicate: str) -> str | None:
    found = (t.object for t in triples if t.predicate.value == predicate)
    return next((o.value for o in found if isinstance(o, ox.NamedNode | ox.Literal)), None)


def _literals(
    store: ox.Store,
    terms: Iterable[ox.NamedNode],
    predicate: ox.NamedNode,
    graph: ox.NamedNode | ox.DefaultGraph,
) -> dict[ox.NamedNode, tuple[ox.Literal, ...]]:
    found = {}
    for term in terms:
        literals = tuple(
            q.object
            for q in store.quads_for_pattern(term, predicate, None, graph)
            if isinstance(q.object, ox.Literal)
        )
        if literals:
            found[term] = literals
    return found
