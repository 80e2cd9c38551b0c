"""Model -> quads: evidence as Web Annotation, stable IRIs, no blank nodes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from annograph import Project
from tests.conftest import FIXTURE, select

PREFIXES = """PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX ag: <https://w3id.org/annograph/ontology#>
"""
ONTOLOGY_GRAPH = "https://w3id.org/annograph/ontology"


def test_one_named_graph_per_article_one_for_shared_entities_and_one_for_the_ontology(
    store: ox.Store,
) -> None:
    graphs = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    assert graphs == {
        ONTOLOGY_GRAPH,
        "https://w3id.org/annograph/data/graph/bishkek-migrants-day",
        "https://w3id.org/annograph/data/graph/cholpon-ata-round-table",
        "https://w3id.org/annograph/data/graph/remittances-report-launch",
        "https://w3id.org/annograph/data/entities",
    }


def test_the_default_graph_holds_the_facts_of_every_graph_once(
    store: ox.Store, built: Project
) -> None:
    named = [q for q in store if isinstance(q.graph_name, ox.NamedNode)]
    facts = {q.triple for q in named if not built._minter.is_evidence(q.triple)}
    default = [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    assert len(default) == len(set(default)) == len(facts) > 1000
    assert set(default) == facts
    # Evidence (statements, annotations, selectors) stays in the articles' graphs.
    evidence = {q.triple for q in named if built._minter.is_evidence(q.triple)}
    assert len(evidence) > 5000 and not evidence & set(default)


@pytest.mark.slow
def test_the_same_annotations_give_the_same_quads(project: Project) -> None:
    first = project.quads()
    assert len(first) > 5000
    # The ontology's included: its blank nodes are labelled by their place in the file.
    assert any(isinstance(q.subject, ox.BlankNode) for q in first)
    assert first == project.quads()


@pytest.mark.slow
def test_only_the_ontology_has_blank_nodes(project: Project) -> None:
    ontology = {q.triple for q in project.quads() if q.graph_name == ox.NamedNode(ONTOLOGY_GRAPH)}
    for quad in project.quads():
        if quad.triple not in ontology:
            assert not isinstance(quad.subject, ox.BlankNode), quad
            assert not isinstance(quad.object, ox.BlankNode), quad


def test_base_iri_is_configurable(project: Project) -> None:
    other = Project(project.root, base_iri="https://example.org/kg/")
    subjects = {q.subject.value for q in other.quads() if isinstance(q.subject, ox.NamedNode)}
    assert "https://example.org/kg/id/bishkek" in subjects
    assert not any(s.startswith("https://w3id.org/annograph/data/") for s in subjects)


@pytest.mark.slow
def test_every_domain_fact_has_evidence(store: ox.Store) -> None:
    """Every triple about an annotated thing is the body of at least one Web Annotation."""
    unsupported = select(
        store,
        PREFIXES
        + """SELECT ?s ?p ?o { GRAPH ?g {
          ?s ?p ?o
          FILTER(STRSTARTS(STR(?g), "https://w3id.org/annograph/data/graph/"))
          FILTER(STRSTARTS(STR(?s), "https://w3id.org/annograph/data/id/")
                 || (STRSTARTS(STR(?s), "https://w3id.org/annograph/data/article/")
                     && ?p != ag:inLanguage && ?p != rdf:type))
          FILTER(?p NOT IN (<http://www.w3.org/2004/02/skos/core#editorialNote>,
            <http://www.w3.org/2002/07/owl#sameAs>, <https://schema.org/sameAs>))
          FILTER NOT EXISTS {
            ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
            ?a a oa:Annotation ; oa:hasBody ?st ; oa:hasTarget/oa:hasSelector/oa:exact ?quote .
          } } }""",
    )
    assert unsupported == []


def test_every_quote_in_the_graph_is_verbatim_at_its_position(store: ox.Store) -> None:
    texts = {
        "https://w3id.org/annograph/data/article/" + path.parent.name: path.read_text("utf-8")
        for path in (FIXTURE / "data" / "articles").glob("*/article.md")
    }
    rows = select(
        store,
        PREFIXES
        + """SELECT ?exact ?prefix ?suffix ?start ?end ?source { GRAPH ?g {
          ?a a oa:Annotation ; oa:hasTarget ?t .
          ?t oa:hasSource ?source ; oa:hasSelector ?q, ?p .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact
          OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end } }""",
    )
    assert len(rows) > 300
    assert {row["source"] for row in rows} == set(texts)
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        text = texts[row["source"]]  # the quote's own article
        assert text[start:end] == row["exact"]
        assert text[:start].endswith(row.get("prefix", ""))
        assert text[end:].startswith(row.get("suffix", ""))


def test_mentions_identify_and_facts_describe(store: ox.Store) -> None:
    rows = select(
        store,
        PREFIXES
        + """SELECT ?motivation (COUNT(?a) AS ?n) { GRAPH ?g { ?a oa:motivatedBy ?motivation } }
          GROUP BY ?motivation""",
    )
    motivations = {row["motivation"].rsplit("#", 1)[1] for row in rows}
    assert motivations == {"identifying", "describing"}


def test_article_mentions_every_entity(store: ox.Store) -> None:
    rows = select(
        store,
        PREFIXES
        + """SELECT (COUNT(DISTINCT ?e) AS ?n) {
          ?article a ag:NewsArticle ; ag:mentions ?e }""",
    )
    entities = select(
        store,
        PREFIXES
        + """SELECT (COUNT(DISTINCT ?e) AS ?n) {
          ?e ?p ?o FILTER(STRSTARTS(STR(?e), "https://w3id.org/annograph/data/id/")) }""",
    )
    assert rows[0]["n"] == entities[0]["n"]
    assert int(rows[0]["n"]) > 100
