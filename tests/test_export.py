"""Export: every format gives back exactly the store's graph, and Turtle is byte-stable."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import XSD

from annograph.errors import AnnographError
from annograph.export import ExportFormat, export_graph, select_quads
from annograph.ontology import ONTOLOGY_IRI
from annograph.project import Project
from tests.conftest import ROOT

RDFLIB_FORMATS = {
    ExportFormat.TURTLE: "turtle",
    ExportFormat.NTRIPLES: "nt",
    ExportFormat.NQUADS: "nquads",
    ExportFormat.TRIG: "trig",
    ExportFormat.JSONLD: "json-ld",
    ExportFormat.RDFXML: "xml",
}


def _rdflib_term(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return rdflib.Literal(term.value)  # rdflib's parsers give simple literals no datatype
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _expected_dataset(quads: list[ox.Quad]) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    for q in quads:
        graph = dataset.graph(rdflib.URIRef(q.graph_name.value))
        graph.add((_rdflib_term(q.subject), _rdflib_term(q.predicate), _rdflib_term(q.object)))
    return dataset


def _union(dataset: rdflib.Dataset) -> rdflib.Graph:
    union = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def _by_graph(dataset: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    graphs: dict[str, rdflib.Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graphs.setdefault(str(g), rdflib.Graph()).add((s, p, o))
    return graphs


@pytest.fixture(scope="module")
def everything(store: ox.Store) -> list[ox.Quad]:
    return select_quads(store, with_ontology=True)


# rdflib's own dataset parsers still call its deprecated ConjunctiveGraph API.
@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
@pytest.mark.parametrize("fmt", list(ExportFormat), ids=lambda f: f.value)
def test_every_format_round_trips_to_an_isomorphic_graph(
    built: Project, everything: list[ox.Quad], fmt: ExportFormat
) -> None:
    text = export_graph(everything, format=fmt, prefixes=built.prefixes())
    expected = _expected_dataset(everything)
    if fmt.keeps_graphs:
        parsed = rdflib.Dataset()
        parsed.parse(data=text, format=RDFLIB_FORMATS[fmt])
        got, want = _by_graph(parsed), _by_graph(expected)
        assert sorted(got) == sorted(want)
        for name in want:
            assert isomorphic(got[name], want[name]), name
    else:
        parsed_graph = rdflib.Graph()
        parsed_graph.parse(data=text, format=RDFLIB_FORMATS[fmt])
        assert to_isomorphic(parsed_graph) == to_isomorphic(_union(expected))


def test_the_article_the_shared_entities_and_the_ontology_are_exported(
    everything: list[ox.Quad],
) -> None:
    graphs = Counter(q.graph_name.value for q in everything)
    assert set(graphs) == {
        ONTOLOGY_IRI,
        "https://w3id.org/annograph/data/graph/bishkek-migrants-day",
        "https://w3id.org/annograph/data/entities",
    }
    assert graphs["https://w3id.org/annograph/data/graph/bishkek-migrants-day"] > 5000
    # The shared graph: two triples per owl:sameAs link (OWL and schema.org), no classes.
    assert graphs["https://w3id.org/annograph/data/entities"] == 2 * 28


def test_turtle_is_byte_identical_across_two_builds(tmp_path: Path) -> None:
    first = Project(ROOT, store_path=tmp_path / "one")
    second = Project(ROOT, store_path=tmp_path / "two")
    first.build()
    second.build()
    for fmt in (ExportFormat.TURTLE, ExportFormat.TRIG, ExportFormat.NQUADS):
        a = first.export(fmt, with_ontology=True)
        b = second.export(fmt, with_ontology=True)
        assert a == b, fmt
    assert len(a) > 100_000


def test_turtle_declares_only_the_prefixes_it_uses(built: Project) -> None:
    text = built.export(ExportFormat.TURTLE)
    declared = re.findall(r"^@prefix (\w*): ", text, flags=re.MULTILINE)
    body = text.split("\n\n", 1)[1]
    for prefix in declared:
        assert re.search(rf"(^|[\s(\[;,^]){prefix}:", body, flags=re.MULTILINE), prefix
    unused = set(built.prefixes()) - set(declared)
    assert unused, "the project knows prefixes this graph does not need"
    for prefix in unused:
        assert not re.search(rf"(^|\s){prefix}:\S", body, flags=re.MULTILINE), prefix


def test_turtle_subjects_are_sorted_and_written_once(built: Project) -> None:
    text = built.export(ExportFormat.TURTLE, graph=built.article_graph("bishkek-migrants-day"))
    header, body = text.split("\n\n", 1)
    namespaces = dict(re.findall(r"^@prefix (\w*): <([^>]*)> \.$", header, flags=re.MULTILINE))

    def expand(head: str) -> str:
        if head.startswith("<"):
            return head[1:-1]
        prefix, local = head.split(":", 1)
        return namespaces[prefix] + local

    subjects = [expand(block.split(" ", 1)[0]) for block in body.split("\n\n") if block]
    assert len(subjects) > 100
    assert subjects == sorted(subjects)
    assert len(set(subjects)) == len(subjects)


def test_one_graph_only(store: ox.Store, built: Project) -> None:
    article = built.article_graph("bishkek-migrants-day")
    quads = select_quads(store, graph=article)
    assert quads and {q.graph_name.value for q in quads} == {article}


def test_an_unknown_graph_names_the_known_ones(store: ox.Store) -> None:
    with pytest.raises(AnnographError) as raised:
        select_quads(store, graph="https://example.org/nothing")
    assert "no graph <https://example.org/nothing>" in str(raised.value)
    assert "bishkek-migrants-day" in str(raised.value)


def test_without_ontology_leaves_the_ontology_out(store: ox.Store) -> None:
    assert ONTOLOGY_IRI not in {q.graph_name.value for q in select_quads(store)}
