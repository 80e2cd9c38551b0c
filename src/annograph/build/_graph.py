"""Model -> RDF quads. Pure: no I/O, the same article always gives the same quads.

Every fact becomes a triple in the article's named graph. Its evidence becomes a W3C Web
Annotation whose body is the fact, reified as an ``rdf:Statement``, and whose target is the
quoted span of the article (``oa:TextQuoteSelector`` + ``oa:TextPositionSelector``).
All IRIs are minted from ids or from content hashes, so there are no blank nodes and the graph
is identical across builds.

**The store's layout.** Each article's named graph holds everything the article says: its
facts and their evidence. The *default graph* holds the facts once: every triple of every named
graph (the ontology's and the shared entities' included) that is not evidence, whatever number
of graphs state it. Queries read the default graph, so a fact that a thousand articles state is
matched once, not a thousand times; ``GRAPH ?g`` finds the articles that state it and the words
they say it with. Evidence is what :meth:`Minter.is_evidence` says: the reified statements and
the annotations, with their targets and selectors.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from annograph.annotations._model import Article, Entity, Evidence, Fact, Ref, Text, Value
from annograph.annotations._ontology import NAMESPACE, PREFIXES, RDF, XSD
from annograph.errors import SourceLocation
from annograph.vocab import RDF_TYPE as RDF_TYPE

DEFAULT_BASE_IRI = "https://w3id.org/annograph/data/"

OA = PREFIXES["oa"]
SKOS = PREFIXES["skos"]
#: Identity links: OWL for reasoners, schema.org's mirror for schema.org consumers, SKOS for
#: "close but not the same".
LINK_PREDICATES = {
    "sameAs": (
        ox.NamedNode(PREFIXES["owl"] + "sameAs"),
        ox.NamedNode(PREFIXES["schema"] + "sameAs"),
    ),
    "closeMatch": (ox.NamedNode(SKOS + "closeMatch"),),
}
#: The IRIs of every predicate an identity link is written with.
LINK_PREDICATE_IRIS = frozenset(p.value for ps in LINK_PREDICATES.values() for p in ps)
# Mentions *identify* an entity in the text; facts' quotes *describe* it (Web Annotation §3.3.5).
IDENTIFYING = ox.NamedNode(OA + "identifying")
DESCRIBING = ox.NamedNode(OA + "describing")


def _terms(namespace: str, *names: str) -> tuple[ox.NamedNode, ...]:
    return tuple(ox.NamedNode(namespace + name) for name in names)


# Made once: an article of 7,000 triples would otherwise check the same IRIs thousands of times.
_STATEMENT, _SUBJECT, _PREDICATE, _OBJECT = _terms(
    RDF, "Statement", "subject", "predicate", "object"
)
(
    _ANNOTATION,
    _MOTIVATED_BY,
    _HAS_BODY,
    _HAS_TARGET,
    _SPECIFIC_RESOURCE,
    _HAS_SOURCE,
    _HAS_SELECTOR,
    _QUOTE_SELECTOR,
    _EXACT,
    _PREFIX,
    _SUFFIX,
    _POSITION_SELECTOR,
    _START,
    _END,
) = _terms(
    OA,
    "Annotation",
    "motivatedBy",
    "hasBody",
    "hasTarget",
    "SpecificResource",
    "hasSource",
    "hasSelector",
    "TextQuoteSelector",
    "exact",
    "prefix",
    "suffix",
    "TextPositionSelector",
    "start",
    "end",
)
(_EDITORIAL_NOTE,) = _terms(SKOS, "editorialNote")
(_NON_NEGATIVE_INTEGER,) = _terms(XSD, "nonNegativeInteger")


@functools.lru_cache(maxsize=4096)
def ag(name: str) -> ox.NamedNode:
    """The ontology term ag:name (made once per name: a build asks for each thousands of times)."""
    return ox.NamedNode(NAMESPACE + name)


@dataclass(frozen=True, slots=True)
class Minter:
    """Mints the IRIs of one project from its base IRI (which must end in '/' or '#')."""

    base: str
    #: Where the IRIs of evidence start (statements, annotations): see :meth:`is_evidence`.
    _evidence: tuple[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_evidence", (f"{self.base}statement/", f"{self.base}evidence/"))

    def entity(self, entity_id: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}id/{entity_id}")

    def article(self, slug: str) -> ox.NamedNode:
        return _named(f"{self.base}article/{slug}")

    def graph(self, slug: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}graph/{slug}")

    def shared_graph(self) -> ox.NamedNode:
        """The graph of what ``data/entities/`` says: identity links and curators' notes.

        Outside ``graph/``, so that no article slug can name the same graph.
        """
        return ox.NamedNode(f"{self.base}entities")

    def statement(self, triple: ox.Triple) -> ox.NamedNode:
        # The same fact stated by two articles gets one statement node with two evidence trails.
        return ox.NamedNode(f"{self.base}statement/{_digest(str(triple))}")

    def evidence(self, slug: str, bodies: Iterable[ox.NamedNode], evidence: Evidence) -> str:
        key = "|".join(
            [slug, str(evidence.start), str(evidence.end), *sorted(b.value for b in bodies)]
        )
        return f"{self.base}evidence/{_digest(key)}"

    def is_evidence(self, triple: ox.Triple | ox.Quad) -> bool:
        """Whether a triple is evidence (about a statement or an annotation), not a fact.

        >>> minter = Minter("https://example.org/")
        >>> fact = ox.Triple(minter.entity("iom"), RDF_TYPE, ag("Organization"))
        >>> minter.is_evidence(fact), minter.is_evidence(
        ...     ox.Triple(minter.statement(fact), RDF_TYPE, ox.NamedNode(RDF + "Statement")))
        (False, True)
        """
        subject = triple.subject
        return isinstance(subject, ox.NamedNode) and subject.value.startswith(self._evidence)

    def is_evidence_iri(self, iri: str) -> bool:
        """Whether an IRI names evidence: a statement or an annotation (or its parts)."""
        return iri.startswith(self._evidence)

    def is_statement_iri(self, iri: str) -> bool:
        """Whether an IRI names a reified statement (one per distinct fact, whoever states it)."""
        return iri.startswith(self._evidence[0])

    def prefixes(self) -> dict[str, str]:
        """Prefixes for this project's own IRIs, for readable exports."""
        return {
            "id": f"{self.base}id/",
            "article": f"{self.base}article/",
            "graph": f"{self.base}graph/",
            "stmt": f"{self.base}statement/",
            "ev": f"{self.base}evidence/",
        }


@functools.lru_cache(maxsize=256)
def _named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


#: A triple and the place in the annotations it comes from.
Located = tuple[ox.Triple, SourceLocation]


def build_graph(article: Article, *, minter: Minter) -> list[ox.Quad]:
    """All quads of one article, in its own named graph.

    :param article: the loaded annotations of the article.
    :param minter: turns ids into IRIs under the project's base IRI.

    >>> from annograph.build._graph import Minter
    >>> Minter("https://example.org/").entity("bishkek").value
    'https://example.org/id/bishkek'
    """
    graph = minter.graph(article.slug)
    return [
        ox.Quad(t.subject, t.predicate, t.object, graph) for t in origins(article, minter=minter)
    ]


def origins(article: Article, *, minter: Minter) -> dict[ox.Triple, SourceLocation]:
    """Each triple of the article's graph, in order, with where in the annotations it was said.

    A fact's triple points at its value, a type or mention at the entity's id, a reified
    statement at its fact and an evidence triple at its quote; when two places say the same
    triple, the first wins. This is what maps a SHACL violation back to a line of YAML.
    """
    located: dict[ox.Triple, SourceLocation] = {}
    for triple, location in _article_triples(article, minter):
        located.setdefault(triple, location)
    return located


def _article_triples(article: Article, minter: Minter) -> Iterator[Located]:
    source = minter.article(article.slug)
    yield ox.Triple(source, RDF_TYPE, ag("NewsArticle")), article.location
    language = ox.Literal(article.language, datatype=ox.NamedNode(XSD + "language"))
    yield ox.Triple(source, ag("inLanguage"), language), article.location
    if article.url is not None:
        yield ox.Triple(source, ag("url"), ox.NamedNode(article.url)), article.location
    if article.published is not None:
        day = ox.Literal(article.published, datatype=ox.NamedNode(XSD + "date"))
        yield ox.Triple(source, ag("datePublished"), day), article.location
    for fact in article.facts:
        yield from _fact_triples(article, source, fact, minter)
    for entity in article.entities:
        yield from _entity_triples(article, source, entity, minter)


def _entity_triples(
    article: Article, source: ox.NamedNode, entity: Entity, minter: Minter
) -> Iterator[Located]:
    subject = minter.entity(entity.id)
    types = [ox.Triple(subject, RDF_TYPE, ag(name)) for name in entity.types]
    mentioned = [*types, ox.Triple(source, ag("mentions"), subject)]
    # A shared entity's classes are said where data/entities/ defines it: point there.
    yield from ((triple, entity.definition or entity.location) for triple in types)
    yield mentioned[-1], entity.location
    yield from _evidence_triples(
        article, mentioned, entity.location, entity.mentions, None, minter, IDENTIFYING
    )
    if entity.note:
        note = ox.Literal(entity.note, language="en")
        yield ox.Triple(subject, ox.NamedNode(SKOS + "editorialNote"), note), entity.location
    for fact in entity.facts:
        yield from _fact_triples(article, subject, fact, minter)
    if not entity.shared:  # a shared entity's links are in the shared graph, once
        yield from _link_triples(subject, entity)


def shared_origins(
    entities: Iterable[Entity], *, minter: Minter
) -> dict[ox.Triple, SourceLocation]:
    """The shared graph: the identity links and notes of the shared entities articles mention.

    Its classes are not here: each article that mentions an entity states them, with its own
    quote, so every class in the graph has an article's words behind it.
    """
    located: dict[ox.Triple, SourceLocation] = {}
    for entity in entities:
        subject = minter.entity(entity.id)
        if entity.note:
            note = ox.Literal(entity.note, language="en")
            located[ox.Triple(subject, ox.NamedNode(SKOS + "editorialNote"), note)] = (
                entity.location
            )
        for triple, location in _link_triples(subject, entity):
            located.setdefault(triple, location)
    return located


def _link_triples(subject: ox.NamedNode, entity: Entity) -> Iterator[Located]:
    for link in entity.links:
        for predicate in LINK_PREDICATES[link.kind]:
            yield ox.Triple(subject, predicate, ox.NamedNode(link.target)), link.location


def _fact_triples(
    article: Article, subject: ox.NamedNode, fact: Fact, minter: Minter
) -> Iterator[Located]:
    located = [
        (ox.Triple(subject, ag(fact.prop), _term(value, minter)), value.location)
        for value in fact.values
    ]
    yield from located
    triples = [triple for triple, _ in located]
    yield from _evidence_triples(
        article, triples, fact.location, fact.evidence, fact.note, minter, DESCRIBING
    )


def _term(value: Value, minter: Minter) -> ox.NamedNode | ox.Literal:
    if isinstance(value, Ref):
        if ":" in value.target:
            return ag(value.target.split(":", 1)[1])
        return minter.entity(value.target)
    if isinstance(value, Text):
        return ox.Literal(value.text, language=value.language)
    return ox.Literal(value.lexical, datatype=ox.NamedNode(value.datatype))


def _evidence_triples(
    article: Article,
    facts: list[ox.Triple],
    said_at: SourceLocation,
    evidence: Iterable[Evidence],
    note: str | None,
    minter: Minter,
    motivation: ox.NamedNode,
) -> Iterator[Located]:
    """Reify the facts and attach each quote to them as a Web Annotation."""
    statements = [minter.statement(fact) for fact in facts]
    for statement, fact in zip(statements, facts, strict=True):
        yield ox.Triple(statement, RDF_TYPE, _STATEMENT), said_at
        yield ox.Triple(statement, _SUBJECT, fact.subject), said_at
        yield ox.Triple(statement, _PREDICATE, fact.predicate), said_at
        yield ox.Triple(statement, _OBJECT, fact.object), said_at
    source = minter.article(article.slug)
    for quote in evidence:
        # A list per quote, not a generator: an article of 7,000 triples has 350 quotes, and
        # each level of generators costs as much as making the triples.
        yield from _annotation(source, article.slug, statements, quote, note, minter, motivation)


def _annotation(
    source: ox.NamedNode,
    slug: str,
    statements: list[ox.NamedNode],
    quote: Evidence,
    note: str | None,
    minter: Minter,
    motivation: ox.NamedNode,
) -> list[Located]:
    iri = minter.evidence(slug, statements, quote)
    annotation, target = ox.NamedNode(iri), ox.NamedNode(iri + "-target")
    by_quote, by_position = ox.NamedNode(iri + "-quote"), ox.NamedNode(iri + "-position")
    at = quote.location
    triples = [
        (ox.Triple(annotation, RDF_TYPE, _ANNOTATION), at),
        (ox.Triple(annotation, _MOTIVATED_BY, motivation), at),
        *((ox.Triple(annotation, _HAS_BODY, statement), at) for statement in statements),
        (ox.Triple(annotation, _HAS_TARGET, target), at),
    ]
    if note:
        triples.append(
            (ox.Triple(annotation, _EDITORIAL_NOTE, ox.Literal(note, language="en")), at)
        )
    triples += [
        (ox.Triple(target, RDF_TYPE, _SPECIFIC_RESOURCE), at),
        (ox.Triple(target, _HAS_SOURCE, source), at),
        (ox.Triple(target, _HAS_SELECTOR, by_quote), at),
        (ox.Triple(target, _HAS_SELECTOR, by_position), at),
        (ox.Triple(by_quote, RDF_TYPE, _QUOTE_SELECTOR), at),
        (ox.Triple(by_quote, _EXACT, ox.Literal(quote.exact)), at),
    ]
    # The spec makes prefix and suffix optional; an empty one (quote at the very start or end)
    # is left out rather than written as "".
    if quote.prefix:
        triples.append((ox.Triple(by_quote, _PREFIX, ox.Literal(quote.prefix)), at))
    if quote.suffix:
        triples.append((ox.Triple(by_quote, _SUFFIX, ox.Literal(quote.suffix)), at))
    triples += [
        (ox.Triple(by_position, RDF_TYPE, _POSITION_SELECTOR), at),
        (ox.Triple(by_position, _START, _integer(quote.start)), at),
        (ox.Triple(by_position, _END, _integer(quote.end)), at),
    ]
    return triples


def _integer(number: int) -> ox.Literal:
    return ox.Literal(str(number), datatype=_NON_NEGATIVE_INTEGER)
