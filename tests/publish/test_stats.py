"""``annograph stats``: every number checked against one computed another way.

Triples against the quads the library builds, classes and facts against the loaded annotations,
class labels against rdflib's reading of the ontology, and evidence coverage of a store with
quotes taken out against the saved query ``facts-without-evidence``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from annograph import Project
from annograph.annotations._model import Article, Fact, Ref, Text, Value
from annograph.annotations._ontology import ONTOLOGY_IRI, PREFIXES
from annograph.build._graph import LINK_PREDICATES
from annograph.cli import cli
from annograph.publish._stats import Coverage, Stats, StatsFormat, collect_stats, render_stats
from tests.conftest import ROOT, select

OA_HAS_BODY = ox.NamedNode(PREFIXES["oa"] + "hasBody")
RDF = PREFIXES["rdf"]
#: Facts each article states (distinct subject, property and value), all with a quote.
FACTS = {
    "bishkek-migrants-day": 323,
    "cholpon-ata-round-table": 88,
    "remittances-report-launch": 115,
}
#: Entities the articles annotate (a shared entity two articles mention counts once).
ENTITIES = 148


@pytest.fixture(scope="module")
def stats(built: Project) -> Stats:
    return built.stats()


@pytest.fixture(scope="module")
def articles(built: Project) -> list[Article]:
    return built.load_articles()


@pytest.mark.slow
def test_triples_per_graph_are_the_quads_the_build_writes(built: Project, stats: Stats) -> None:
    expected = Counter(getattr(quad.graph_name, "value", "") for quad in built.quads())
    assert "" in expected  # the default graph: the facts
    assert {g.graph: g.triples for g in stats.graphs} == dict(expected)
    assert stats.triples == sum(expected.values()) == len(ox.Store.read_only(str(built.store)))
    # What the build recorded is what a count of the store finds.
    counted = collect_stats(ox.Store.read_only(str(built.store)))
    assert counted.graphs == stats.graphs


def test_entities_per_class_are_those_of_the_annotations(
    articles: list[Article], stats: Stats
) -> None:
    members: dict[str, set[str]] = {}
    for article in articles:
        for entity in article.entities:
            for name in entity.types:
                members.setdefault(PREFIXES["ag"] + name, set()).add(entity.id)
    assert {c.iri: c.entities for c in stats.classes} == {c: len(m) for c, m in members.items()}
    assert stats.entities == len({e.id for a in articles for e in a.entities}) == ENTITIES
    sizes = [c.entities for c in stats.classes]
    assert sizes == sorted(sizes, reverse=True)


def test_classes_carry_the_english_label_of_the_ontology(stats: Stats) -> None:
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "annograph.ttl")
    for size in stats.classes:
        labels = [
            str(label)
            for label in ontology.objects(rdflib.URIRef(size.iri), rdflib.RDFS.label)
            if isinstance(label, rdflib.Literal) and label.language == "en"
        ]
        assert [size.label] == labels
    assert {c.label for c in stats.classes if c.iri.endswith("#Person")} == {"person"}


def _value_key(value: Value) -> tuple[str, ...]:
    if isinstance(value, Ref):
        return ("ref", value.target)
    if isinstance(value, Text):
        return ("text", value.text, value.language)
    return ("typed", value.lexical, value.datatype)


def _model_coverage(article: Article) -> Coverage:
    """Distinct (subject, property, value) of the article's facts, and those with a quote."""
    said: list[tuple[str, Fact]] = [("article", fact) for fact in article.facts]
    said += [(entity.id, fact) for entity in article.entities for fact in entity.facts]
    facts: dict[tuple[object, ...], bool] = {}
    for subject, fact in said:
        for value in fact.values:
            key = (subject, fact.prop, _value_key(value))
            facts[key] = facts.get(key, False) or bool(fact.evidence)
    return Coverage(len(facts), sum(facts.values()))


def test_evidence_coverage_counts_the_facts_of_the_annotations(
    built: Project, articles: list[Article], stats: Stats
) -> None:
    by_article = {covered.article: covered for covered in stats.articles}
    assert set(by_article) == {built.base_iri + "article/" + a.slug for a in articles}
    for article in articles:
        covered = by_article[built.base_iri + "article/" + article.slug]
        assert covered.graph == built.article_graph(article.slug)
        assert covered.coverage == _model_coverage(article)
    # Every fact needs a quote to validate, so the real data is fully covered.
    facts = {a.slug: by_article[built.base_iri + "article/" + a.slug].coverage for a in articles}
    assert facts == {slug: Coverage(n, n) for slug, n in FACTS.items()}
    assert stats.coverage.facts == built.validate().facts == sum(FACTS.values())
    assert stats.coverage.percent == 100.0


def _fact_statements(store: ox.Store, graph: str) -> list[dict[str, str]]:
    """Reified facts of entities and of the article (not classes, not mentions), by IRI."""
    query = f"""
    PREFIX ag: <https://w3id.org/annograph/ontology#>
    PREFIX rdf: <{RDF}>
    SELECT DISTINCT ?statement ?subject ?predicate WHERE {{ GRAPH <{graph}> {{
      ?statement a rdf:Statement ; rdf:subject ?subject ; rdf:predicate ?predicate .
      FILTER(?predicate NOT IN (rdf:type, ag:mentions))
    }} }} ORDER BY ?statement"""
    return select(store, query)


def _unquote(store: ox.Store, statements: list[str], graph: str) -> None:
    for statement in statements:
        node = ox.NamedNode(statement)
        for quad in list(store.quads_for_pattern(None, OA_HAS_BODY, node, ox.NamedNode(graph))):
            store.remove(quad)


def _copy_article(store: ox.Store, built: Project, slug: str) -> str:
    """The article's graph again, as another article's (same facts, same statement nodes)."""
    graph, article = built.article_graph("bishkek-migrants-day"), built.base_iri + "article/"
    old, new = ox.NamedNode(article + "bishkek-migrants-day"), ox.NamedNode(article + slug)

    def swap(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
        return new if term == old else term

    copy = built.article_graph(slug)
    store.bulk_extend(
        ox.Quad(swap(q.subject), q.predicate, swap(q.object), ox.NamedNode(copy))  # type: ignore[arg-type]
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    )
    return copy


def test_facts_without_quotes_lower_the_coverage_of_their_article_only(built: Project) -> None:
    store = ox.Store()
    store.bulk_extend(ox.Store.read_only(str(built.store)))
    copy = _copy_article(store, built, "copy")
    statements = _fact_statements(store, copy)
    article = built.base_iri + "article/copy"
    entity_facts = [s["statement"] for s in statements if s["subject"] != article][:5]
    headline = [s["statement"] for s in statements if s["predicate"].endswith("#headline")]
    _unquote(store, entity_facts + headline, copy)

    coverage = {a.graph: a.coverage for a in collect_stats(store).articles}
    original = coverage[built.article_graph("bishkek-migrants-day")]
    assert original == Coverage(323, 323)
    removed = len(entity_facts) + len(headline)
    assert len(headline) == 2 and coverage[copy] == Coverage(323, 323 - removed)
    assert coverage[copy].percent == pytest.approx(100 * (323 - removed) / 323)

    # The saved query, over the copied article alone, finds the same entity facts without
    # evidence (it leaves out the article's own facts, such as the headline).
    alone = ox.Store()
    alone.bulk_extend(store.quads_for_pattern(None, None, None, ox.NamedNode(copy)))
    saved = (ROOT / "queries" / "facts-without-evidence.rq").read_text(encoding="utf-8")
    assert len(select(alone, saved)) == len(entity_facts)


def test_links_per_target_and_predicate_are_the_curated_links(
    articles: list[Article], stats: Stats
) -> None:
    entities = {e.id: e for a in articles for e in a.entities}
    expected: Counter[tuple[str, str]] = Counter()
    for entity in entities.values():
        for link in entity.links:
            target = (
                "wikidata"
                if link.target.startswith(PREFIXES["wd"])
                else "geonames"
                if link.target.startswith(PREFIXES["gn"])
                else link.target.split("/")[2]
            )
            for predicate in LINK_PREDICATES[link.kind]:
                expected[target, predicate.value] += 1
    assert {(c.target, c.predicate): c.links for c in stats.links} == dict(expected)
    assert sum(c.links for c in stats.links) == 56


def test_stats_as_a_table(runner: CliRunner, built: Project, stats: Stats) -> None:
    result = runner.invoke(cli, ["stats", "--store", str(built.store)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "triples per graph"
    assert f"  total {stats.triples:>{len(lines[1]) - 8}}" in lines
    assert f"entities per class: {ENTITIES} entities" in lines
    person = next(line for line in lines if line.startswith("  ag:Person "))
    assert person.split() == ["ag:Person", "person", "6"]
    assert "  article:bishkek-migrants-day         323          323  100.0%" in lines
    assert "  article:cholpon-ata-round-table       88           88  100.0%" in lines
    assert "  article:remittances-report-launch    115          115  100.0%" in lines
    wikidata = [line.split() for line in lines if line.startswith("  wikidata ")]
    assert wikidata == [
        ["wikidata", "owl:sameAs", str(_links(stats, "wikidata", "owl#sameAs"))],
        ["wikidata", "schema:sameAs", str(_links(stats, "wikidata", "schema.org/sameAs"))],
    ]
    header = lines.index(f"entities per class: {ENTITIES} entities") + 1
    # Aligned: every row of a section ends where its header ends.
    assert {len(line) for line in lines[header : header + 4]} == {len(lines[header])}


def _links(stats: Stats, target: str, predicate: str) -> int:
    (count,) = [
        c.links for c in stats.links if c.target == target and c.predicate.endswith(predicate)
    ]
    return count


def test_stats_as_json_for_tools(runner: CliRunner, built: Project, stats: Stats) -> None:
    result = runner.invoke(cli, ["stats", "--store", str(built.store), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == stats.to_json()
    assert data["triples"]["total"] == stats.triples
    assert data["evidence"]["facts"] == sum(FACTS.values()) and data["evidence"]["percent"] == 100.0
    assert [a["with_evidence"] for a in data["evidence"]["articles"]] == list(FACTS.values())
    assert {g["graph"] for g in data["triples"]["graphs"]} >= {ONTOLOGY_IRI}


def test_stats_to_a_file(runner: CliRunner, built: Project, tmp_path: Path) -> None:
    target = tmp_path / "stats.json"
    result = runner.invoke(
        cli, ["stats", "--store", str(built.store), "-f", "json", "-o", str(target)]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["entities"]["total"] == ENTITIES


def test_stats_before_a_build_says_to_build(runner: CliRunner, project_copy: Project) -> None:
    result = runner.invoke(cli, ["stats", "--project", str(project_copy.root)])
    assert result.exit_code == 1
    assert result.output == (
        f"{project_copy.store}: error: no store here\n  hint: run 'annograph build' first\n"
    )


def test_an_empty_store_has_no_coverage_rather_than_zero_percent() -> None:
    empty = collect_stats(ox.Store())
    assert empty.coverage.percent is None
    assert json.loads(render_stats(empty, format=StatsFormat.JSON, prefixes={}))["evidence"] == {
        "facts": 0,
        "with_evidence": 0,
        "percent": None,
        "articles": [],
    }
