"""What the built store holds, in numbers: triples, entities per class, evidence, links.

Everything is counted from the store with SPARQL, as :mod:`annograph.publish._void` counts it, so
the numbers describe what was built (and what any SPARQL client sees), not what the annotations
meant to say. Entities, classes and links are counted over the default graph, where each fact
is once; evidence, article by article, in the articles' graphs.

A *fact* is a triple an article states about itself or about an entity it mentions: not a
class, a mention, a curator's note, an identity link (a curator's, not the article's words;
see ``queries/facts-without-evidence.rq``) or the article's language (written by the build).
It *has evidence* when a Web Annotation in the same article's graph has the fact, reified as an
``rdf:Statement``, as its body.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from annograph.annotations._ontology import ONTOLOGY_IRI, shorten_iri
from annograph.publish._void import LINKSET_PREDICATES, class_sizes, entity_count, link_counts

#: How the tables name the default graph.
DEFAULT_GRAPH = "(default graph: the facts, once)"


class StatsFormat(enum.Enum):
    """Output formats of :func:`render_stats`; the value is the CLI name."""

    TABLE = "table"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class GraphSize:
    """A graph and how many triples it holds; the default graph's ``graph`` is ``""``."""

    graph: str
    triples: int


@dataclass(frozen=True, slots=True)
class ClassSize:
    """A class, its English label (None if the ontology gives none), and its entities."""

    iri: str
    label: str | None
    entities: int


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of an article's facts (or of all facts) have at least one quote."""

    facts: int
    with_evidence: int

    @property
    def percent(self) -> float | None:
        """The share of facts with evidence, in percent; None when there are no facts.

        >>> Coverage(facts=8, with_evidence=6).percent
        75.0
        """
        return 100 * self.with_evidence / self.facts if self.facts else None


@dataclass(frozen=True, slots=True)
class ArticleCoverage:
    """The evidence coverage of one article, whose facts are in ``graph``."""

    article: str
    graph: str
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class LinkCount:
    """How many identity links with ``predicate`` point into one external dataset."""

    #: The dataset's short name: ``wikidata``, ``geonames``, or the host of other IRIs.
    target: str
    uri_space: str
    predicate: str
    links: int


@dataclass(frozen=True, slots=True)
class Stats:
    """The numbers ``annograph stats`` shows."""

    graphs: tuple[GraphSize, ...]
    entities: int
    classes: tuple[ClassSize, ...]
    articles: tuple[ArticleCoverage, ...]
    links: tuple[LinkCount, ...]

    @property
    def triples(self) -> int:
        """Quads in the store: every graph's triples, the default graph's and the ontology's
        included."""
        return sum(g.triples for g in self.graphs)

    @property
    def coverage(self) -> Coverage:
        """The evidence coverage of all articles together."""
        return Coverage(
            facts=sum(a.coverage.facts for a in self.articles),
            with_evidence=sum(a.coverage.with_evidence for a in self.articles),
        )

    def to_json(self) -> dict[str, object]:
        """The numbers as JSON-ready data, with full IRIs."""
        return {
            "triples": {
                "total": self.triples,
                "graphs": [{"graph": g.graph, "triples": g.triples} for g in self.graphs],
            },
            "entities": {
                "total": self.entities,
                "classes": [
                    {"class": c.iri, "label": c.label, "entities": c.entities} for c in self.classes
                ],
            },
            "evidence": {
                **_coverage_json(self.coverage),
                "articles": [
                    {"article": a.article, "graph": a.graph, **_coverage_json(a.coverage)}
                    for a in self.articles
                ],
            },
            "links": {
                "total": sum(link.links for link in self.links),
                "targets": [
                    {
                        "target": link.target,
                        "uri_space": link.uri_space,
                        "predicate": link.predicate,
                        "links": link.links,
                    }
                    for link in self.links
                ],
            },
        }


_PREFIXES = """\
PREFIX ag: <https://w3id.org/annograph/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_DEFAULT_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

_LABELS = (
    _PREFIXES
    + """SELECT ?class ?label WHERE {
  GRAPH <%s> { ?class rdfs:label ?label FILTER(langMatches(lang(?label), "en")) }
}"""
)

_ARTICLES = (
    _PREFIXES + "SELECT ?g ?article WHERE { GRAPH ?g { ?article a ag:NewsArticle } } ORDER BY ?g"
)

# DISTINCT first: a fact stated twice in one article (two quotes, two places) is one triple.
# The subject is bound in each UNION branch, not by a BIND over an outer variable, which SPARQL
# would evaluate before ?article is bound.
_FACTS = (
    _PREFIXES
    + """SELECT ?g (COUNT(*) AS ?facts) WHERE {
  { SELECT DISTINCT ?g ?s ?p ?o WHERE {
    GRAPH ?g {
      { ?article a ag:NewsArticle . BIND(?article AS ?s) }
      UNION { ?article a ag:NewsArticle ; ag:mentions ?s }
      ?s ?p ?o .
      FILTER(?p NOT IN (rdf:type, ag:mentions, skos:editorialNote, %s))
      FILTER(?s != ?article || ?p != ag:inLanguage)
    } } }
}
GROUP BY ?g"""
)
# The facts with a quote: an article's graph reifies each fact it states (as a statement whose
# IRI is minted from the fact), and a quote is an annotation whose body is that statement. So
# they are counted from the annotations, one join, not fact by fact (which took 180 s at a
# thousand real-size articles, against 5 s).
_QUOTED = (
    _PREFIXES
    + """SELECT ?g (COUNT(DISTINCT ?statement) AS ?quoted) WHERE {
  GRAPH ?g {
    ?annotation oa:hasBody ?statement .
    ?statement rdf:predicate ?p .
    FILTER(?p NOT IN (rdf:type, ag:mentions, skos:editorialNote))
  }
}
GROUP BY ?g"""
)


def collect_stats(store: ox.Store, *, quads_per_graph: Mapping[str, int] | None = None) -> Stats:
    """Count what ``store`` holds: triples per graph, entities per class, evidence, links.

    :param quads_per_graph: the triples of each graph (the default graph's under ``""``), as
        the build that wrote ``store`` recorded them; counted here if not given (a scan of
        every graph).

    >>> stats = collect_stats(ox.Store())
    >>> stats.triples, stats.entities, stats.coverage.percent
    (0, 0, None)
    """
    sizes = (
        [GraphSize(g, n) for g, n in sorted(quads_per_graph.items())]
        if quads_per_graph is not None
        else list(_graph_sizes(store))
    )
    return Stats(
        graphs=tuple(sizes),
        entities=entity_count(store),
        classes=tuple(_class_sizes(store)),
        articles=tuple(_coverage(store)),
        links=tuple(
            LinkCount(target.name, target.uri_space, predicate, links)
            for (target, predicate), links in link_counts(store).items()
        ),
    )


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return result


def _graph_sizes(store: ox.Store) -> Iterable[GraphSize]:
    (row,) = list(_select(store, _DEFAULT_GRAPH))
    if int(row["n"].value):
        yield GraphSize("", int(row["n"].value))
    for row in _select(store, _GRAPHS):
        yield GraphSize(row["g"].value, int(row["n"].value))


def _class_sizes(store: ox.Store) -> list[ClassSize]:
    labels = {
        row["class"].value: row["label"].value for row in _select(store, _LABELS % ONTOLOGY_IRI)
    }
    sizes = [ClassSize(iri, labels.get(iri), n) for iri, n in class_sizes(store).items()]
    return sorted(sizes, key=lambda c: (-c.entities, c.iri))


def _coverage(store: ox.Store) -> list[ArticleCoverage]:
    links = ", ".join(f"<{p}>" for p in LINKSET_PREDICATES)
    quoted = {row["g"].value: int(row["quoted"].value) for row in _select(store, _QUOTED)}
    counted = {
        row["g"].value: Coverage(int(row["facts"].value), quoted.get(row["g"].value, 0))
        for row in _select(store, _FACTS % links)
    }
    # An article without any fact is still listed, at 0 of 0.
    return [
        ArticleCoverage(row["article"].value, row["g"].value, counted.get(row["g"].value, _NONE))
        for row in _select(store, _ARTICLES)
    ]


_NONE = Coverage(0, 0)


def _coverage_json(coverage: Coverage) -> dict[str, object]:
    percent = coverage.percent
    return {
        "facts": coverage.facts,
        "with_evidence": coverage.with_evidence,
        "percent": None if percent is None else round(percent, 1),
    }


def render_stats(
    stats: Stats, *, format: StatsFormat = StatsFormat.TABLE, prefixes: Mapping[str, str]
) -> str:
    """``stats`` as aligned tables for people, or as JSON for tools.

    :param prefixes: for CURIEs in the tables (JSON has full IRIs).

    >>> print(render_stats(collect_stats(ox.Store()), prefixes={}), end="")
    triples per graph
      graph  triples
      total        0
    <BLANKLINE>
    entities per class: 0 entities
      class  label  entities
    <BLANKLINE>
    evidence: facts with a quote, of all facts an article states
      article  facts  with quotes  %
      total        0            0  -
    <BLANKLINE>
    identity links per target: 0 links
      target  predicate  links
    """
    if format is StatsFormat.JSON:
        return json.dumps(stats.to_json(), indent=2, ensure_ascii=False) + "\n"
    prefixes = dict(prefixes)

    def short(iri: str) -> str:
        return shorten_iri(iri, prefixes)

    coverage = [[short(a.article), *_coverage_cells(a.coverage)] for a in stats.articles]
    graphs = [[short(g.graph) if g.graph else DEFAULT_GRAPH, str(g.triples)] for g in stats.graphs]
    links = sum(link.links for link in stats.links)
    sections = [
        _section(
            "triples per graph",
            ["graph", "triples"],
            [*graphs, ["total", str(stats.triples)]],
            numeric={1},
        ),
        _section(
            f"entities per class: {stats.entities} entities",
            ["class", "label", "entities"],
            [[short(c.iri), c.label or "", str(c.entities)] for c in stats.classes],
            numeric={2},
        ),
        _section(
            "evidence: facts with a quote, of all facts an article states",
            ["article", "facts", "with quotes", "%"],
            [*coverage, ["total", *_coverage_cells(stats.coverage)]],
            numeric={1, 2, 3},
        ),
        _section(
            f"identity links per target: {links} links",
            ["target", "predicate", "links"],
            [[link.target, short(link.predicate), str(link.links)] for link in stats.links],
            numeric={2},
        ),
    ]
    return "\n".join(sections)


def _coverage_cells(coverage: Coverage) -> list[str]:
    percent = coverage.percent
    shown = "-" if percent is None else f"{percent:.1f}%"
    return [str(coverage.facts), str(coverage.with_evidence), shown]


def _section(
    title: str, names: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: set[int]
) -> str:
    """A titled table, numbers right-aligned, indented by two spaces."""
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(names)]

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        return ("  " + "  ".join(padded)).rstrip()

    return "\n".join([title, line(names), *(line(row) for row in rows)]) + "\n"
