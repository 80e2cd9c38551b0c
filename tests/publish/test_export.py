"""Export: every format gives back exactly the store (or its union), a section at a time, in an
order that depends on the content alone; Turtle is byte-stable and readable."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import XSD

from annograph import Project
from annograph.annotations._ontology import ONTOLOGY_IRI
from annograph.cli import cli
from annograph.errors import AnnographError
from annograph.publish._export import ExportFormat
from annograph.publish._turtle import serialize_turtle
from tests.conftest import SEMINAR_ENTITIES, SEMINAR_HEADER, SEMINAR_TEXT

RDFLIB_FORMATS = {
    ExportFormat.TURTLE: "turtle",
    ExportFormat.NTRIPLES: "nt",
    ExportFormat.NQUADS: "nquads",
    ExportFormat.TRIG: "trig",
    ExportFormat.JSONLD: "json-ld",
    ExportFormat.RDFXML: "xml",
}
DEFAULT = "urn:x-rdflib:default"


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


def _graph(quads: list[ox.Quad]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for q in quads:
        graph.add((_rdflib_term(q.subject), _rdflib_term(q.predicate), _rdflib_term(q.object)))
    return graph


def _store_graphs(store: ox.Store) -> dict[str, rdflib.Graph]:
    """Each graph of the store, the default one under rdflib's name for it."""
    quads: dict[str, list[ox.Quad]] = {}
    for quad in store:
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else DEFAULT
        quads.setdefault(name, []).append(quad)
    return {name: _graph(found) for name, found in quads.items()}


def _parsed_graphs(text: str, fmt: ExportFormat) -> dict[str, rdflib.Graph]:
    dataset = rdflib.Dataset()
    dataset.parse(data=text, format=RDFLIB_FORMATS[fmt])
    graphs: dict[str, rdflib.Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graphs.setdefault(str(g), rdflib.Graph()).add((s, p, o))
    return graphs


# rdflib's own dataset parsers still call its deprecated ConjunctiveGraph API.
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
@pytest.mark.parametrize("fmt", list(ExportFormat), ids=lambda f: f.value)
def test_every_format_round_trips_to_the_store(
    built: Project, store: ox.Store, fmt: ExportFormat
) -> None:
    text = built.export(fmt, with_ontology=True)
    expected = _store_graphs(store)
    if fmt.keeps_graphs:
        got = _parsed_graphs(text, fmt)
        assert sorted(got) == sorted(expected)
        for name in expected:
            assert isomorphic(got[name], expected[name]), name
    else:
        # One graph: the union of the store's (the facts once, and every article's evidence).
        union = rdflib.Graph()
        for graph in expected.values():
            union += graph
        parsed = rdflib.Graph().parse(data=text, format=RDFLIB_FORMATS[fmt])
        assert to_isomorphic(parsed) == to_isomorphic(union)


@pytest.mark.slow
def test_triple_formats_write_each_triple_once(built: Project, store: ox.Store) -> None:
    lines = built.export(ExportFormat.NTRIPLES, with_ontology=True).splitlines()
    assert len(lines) == len(set(lines)) == len({q.triple for q in store})


def test_without_the_ontology_its_graph_and_its_triples_are_left_out(
    built: Project, store: ox.Store
) -> None:
    ontology = {
        str(q.triple)
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_IRI))
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }
    lines = built.export(ExportFormat.NQUADS).splitlines()
    assert ONTOLOGY_IRI + ">" not in "".join(lines)
    assert not ontology & {line.removesuffix(" .") for line in lines}
    assert "_:" not in "".join(lines)  # the ontology's blank nodes are all it has
    facts = len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    named = sum(1 for q in store if isinstance(q.graph_name, ox.NamedNode))
    assert len(lines) == facts + named - 2 * len(
        list(store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_IRI)))
    )


@pytest.mark.slow
def test_every_format_is_byte_identical_across_two_builds(project: Project, tmp_path: Path) -> None:
    first = Project(project.root, store_path=tmp_path / "one")
    second = Project(project.root, store_path=tmp_path / "two")
    first.build()
    second.build(full=True)
    for fmt in ExportFormat:
        a = first.export(fmt, with_ontology=True)
        b = second.export(fmt, with_ontology=True)
        assert a == b, fmt
        assert len(a) > 100_000, fmt


@pytest.mark.slow
def test_the_order_does_not_depend_on_how_the_store_was_filled(
    project_copy: Project, tmp_path: Path
) -> None:
    """A store updated article by article gives the bytes of one built at once."""
    _add_seminar(project_copy)
    project_copy.build()
    shutil.rmtree(project_copy.data / "articles" / "seminar")
    assert project_copy.build().kind == "incremental"
    _add_seminar(project_copy)
    assert project_copy.build().kind == "incremental"
    fresh = Project(project_copy.root, store_path=tmp_path / "fresh")
    fresh.build()
    for fmt in (ExportFormat.NQUADS, ExportFormat.TURTLE, ExportFormat.TRIG):
        assert project_copy.export(fmt, with_ontology=True) == fresh.export(
            fmt, with_ontology=True
        ), fmt


def _add_seminar(project: Project) -> None:
    folder = project.data / "articles" / "seminar"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.md").write_text(SEMINAR_TEXT, encoding="utf-8")
    (folder / "annotations.yaml").write_text(SEMINAR_HEADER + SEMINAR_ENTITIES, encoding="utf-8")


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


def _subjects(text: str) -> list[str]:
    header, body = text.split("\n\n", 1)
    namespaces = dict(re.findall(r"^@prefix (\w*): <([^>]*)> \.$", header, flags=re.MULTILINE))

    def expand(head: str) -> str:
        if head.startswith("<"):
            return head[1:-1]
        prefix, local = head.split(":", 1)
        return namespaces[prefix] + local

    return [expand(block.split(" ", 1)[0]) for block in body.split("\n\n") if block]


def test_an_articles_graph_in_turtle_is_sorted_by_subject(built: Project) -> None:
    text = built.export(ExportFormat.TURTLE, graph=built.article_graph("bishkek-migrants-day"))
    subjects = _subjects(text)
    assert len(subjects) > 100
    assert subjects == sorted(subjects)
    assert len(set(subjects)) == len(subjects)


def test_the_whole_graph_in_turtle_writes_each_subject_once(built: Project) -> None:
    subjects = _subjects(built.export(ExportFormat.TURTLE))
    assert len(subjects) > 1000
    assert len(set(subjects)) == len(subjects)


def test_an_articles_graph_is_written_as_the_turtle_writer_writes_it(
    built: Project, store: ox.Store
) -> None:
    """The export renders lines from Oxigraph's serializer; the writer renders terms: one
    layout, byte for byte."""
    graph = built.article_graph("bishkek-migrants-day")
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
    assert built.export(ExportFormat.TURTLE, graph=graph) == serialize_turtle(
        triples, prefixes=built.prefixes()
    )


def test_one_graph_only(built: Project, store: ox.Store) -> None:
    article = built.article_graph("bishkek-migrants-day")
    text = built.export(ExportFormat.NQUADS, graph=article)
    graphs = {line.rsplit(" ", 2)[1] for line in text.splitlines()}
    assert graphs == {f"<{article}>"}
    assert len(text.splitlines()) == len(
        list(store.quads_for_pattern(None, None, None, ox.NamedNode(article)))
    )


def test_an_unknown_graph_names_the_known_ones(built: Project) -> None:
    with pytest.raises(AnnographError) as raised:
        built.export(ExportFormat.TURTLE, graph="https://example.org/nothing")
    assert "no graph <https://example.org/nothing>" in str(raised.value)
    assert "bishkek-migrants-day" in str(raised.value)


def test_export_to_a_file_writes_it_whole_or_not_at_all(
    runner: CliRunner, built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "all.nq"
    args = ["export", "--project", str(built.root), "--store", str(built.store)]
    result = runner.invoke(cli, [*args, "-f", "nquads", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == built.export(ExportFormat.NQUADS).encode()

    def broken(*args: object, **kwargs: object) -> None:
        raise AnnographError("the disk is full")

    monkeypatch.setattr(Project, "export_to", broken)
    failed = tmp_path / "failed.nq"
    result = runner.invoke(cli, [*args, "-f", "nquads", "-o", str(failed)])
    assert result.exit_code == 1 and "the disk is full" in result.output
    assert not list(tmp_path.glob("failed.nq*"))


def test_export_streams_to_standard_output(runner: CliRunner, built: Project) -> None:
    result = runner.invoke(
        cli, ["export", "--project", str(built.root), "--store", str(built.store), "-f", "nquads"]
    )
    assert result.exit_code == 0
    assert result.stdout_bytes == built.export(ExportFormat.NQUADS).encode()


def test_a_large_export_writes_as_it_goes(built: Project) -> None:
    """Written section by section: the output sees many writes, not one."""
    writes: list[int] = []

    class Counting(io.BytesIO):
        def write(self, data: object) -> int:
            writes.append(len(data))  # type: ignore[arg-type]
            return super().write(data)  # type: ignore[arg-type]

    built.export_to(Counting(), ExportFormat.NQUADS, with_ontology=True)
    assert len(writes) > 100


def test_the_facade_takes_a_path_and_a_format_as_a_user_writes_them(built: Project) -> None:
    # Project(".").export("nquads") once failed with an AttributeError on the string.
    as_written = Project(str(built.root), store_path=str(built.store))  # type: ignore[arg-type]
    assert as_written.root == built.root and as_written.store == built.store
    assert as_written.export("NQuads") == built.export(ExportFormat.NQUADS)
    with pytest.raises(ValueError, match="no export format 'n-quads': use one of turtle, "):
        as_written.export("n-quads")
    with pytest.raises(TypeError, match="root must be a path or a string, not int"):
        Project(3)  # type: ignore[arg-type]
