"""VoID: the dataset's description counts what the store holds, with one linkset per target."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from click.testing import CliRunner
from rdflib.namespace import RDF

from annograph import Project
from annograph.cli import cli
from tests.conftest import select

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DATASET = rdflib.URIRef("https://w3id.org/annograph/data/dataset")
ARTICLE_GRAPHS = "FILTER(?g != <https://w3id.org/annograph/ontology>)"


def _void(runner: CliRunner, built: Project, *extra: str) -> rdflib.Graph:
    result = runner.invoke(cli, ["export", "--store", str(built.store), "--void", *extra])
    assert result.exit_code == 0, result.output
    return rdflib.Graph().parse(data=result.output, format="turtle")


def _count(built: Project, query: str) -> int:
    (row,) = select(ox.Store.read_only(str(built.store)), query)
    return int(row["n"])


def test_dataset_sizes_are_those_of_the_store(runner: CliRunner, built: Project) -> None:
    void = _void(runner, built)
    # Every graph's triples as published, the default graph of the facts included, but the
    # ontology (its own graph, and its copy in the default graph).
    named = _count(built, f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s ?p ?o }} {ARTICLE_GRAPHS} }}")
    facts = _count(
        built,
        "SELECT (COUNT(*) AS ?n) { ?s ?p ?o "
        "FILTER NOT EXISTS { GRAPH <https://w3id.org/annograph/ontology> { ?s ?p ?o } } }",
    )
    assert void.value(DATASET, VOID.triples).toPython() == named + facts > 7000
    assert void.value(DATASET, VOID.entities).toPython() == 148
    assert void.value(DATASET, VOID.uriSpace).toPython() == "https://w3id.org/annograph/data/id/"
    partitions = list(void.objects(DATASET, VOID.classPartition))
    assert void.value(DATASET, VOID.classes).toPython() == len(partitions) > 30
    people = [p for p in partitions if str(void.value(p, VOID["class"])).endswith("#Person")]
    assert [void.value(p, VOID.entities).toPython() for p in people] == [6]


def test_one_linkset_per_target_and_predicate_counts_the_links(
    runner: CliRunner, built: Project
) -> None:
    void = _void(runner, built)
    linksets = {
        (
            str(void.value(void.value(linkset, VOID.objectsTarget), VOID.uriSpace)),
            str(void.value(linkset, VOID.linkPredicate)),
        ): void.value(linkset, VOID.triples).toPython()
        for linkset in void.subjects(RDF.type, VOID.Linkset)
    }
    owl, schema = "http://www.w3.org/2002/07/owl#sameAs", "https://schema.org/sameAs"
    wikidata, geonames = "http://www.wikidata.org/entity/", "https://sws.geonames.org/"
    expected = {
        namespace: _count(
            built,
            f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s <{owl}> ?o }} {ARTICLE_GRAPHS} "
            f'FILTER(STRSTARTS(STR(?o), "{namespace}")) }}',
        )
        for namespace in (wikidata, geonames)
    }
    assert expected == {wikidata: 13, geonames: 15}
    assert linksets == {
        (wikidata, owl): 13,
        (wikidata, schema): 13,
        (geonames, owl): 15,
        (geonames, schema): 15,
    }
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        assert void.value(linkset, VOID.subjectsTarget) == DATASET
        assert (DATASET, VOID.subset, linkset) in void


def test_license_and_endpoint_slots(runner: CliRunner, built: Project) -> None:
    licence = "https://creativecommons.org/licenses/by/4.0/"
    void = _void(runner, built, "--license", licence, "--endpoint", "http://127.0.0.1:7878/query")
    assert str(void.value(DATASET, rdflib.URIRef("http://purl.org/dc/terms/license"))) == licence
    assert str(void.value(DATASET, VOID.sparqlEndpoint)) == "http://127.0.0.1:7878/query"
    without = _void(runner, built)
    assert without.value(DATASET, VOID.sparqlEndpoint) is None


def test_bad_slot_values_and_misused_options_are_clean_errors(
    runner: CliRunner, built: Project
) -> None:
    store = ["--store", str(built.store)]
    bad = runner.invoke(cli, ["export", *store, "--void", "--license", "not an iri"])
    assert bad.exit_code == 1
    assert bad.output.startswith("error: --license: 'not an iri' is not an IRI")
    misuse = runner.invoke(cli, ["export", *store, "--license", "https://x.org/"])
    assert misuse.exit_code == 2
    assert "--license and --endpoint go with --void" in misuse.output
