"""The saved query library: documented, answering what the article says, in every format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph import Project
from annograph.cli import cli
from annograph.query._render import ResultFormat, render_result
from annograph.query._saved import QueryForm, SavedQuery, bind, run_query, saved_queries
from tests.conftest import ROOT, Server, oxigraph_server

GOLDEN = ROOT / "tests" / "e2e" / "golden"
AG = "https://w3id.org/annograph/ontology#"
QUERIES = saved_queries(ROOT / "queries")
#: Federated queries need their endpoint: the one there is runs against a mirror, at the end.
SELECTS = [q for q in QUERIES if q.form is QueryForm.SELECT and "federated" not in q.tags]
Row = tuple[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, ...]

#: Two values for each parameterized query, for the list-binding check.
LIST_VALUES = {
    "entity": {"entity": ["МОМ", "https://w3id.org/annograph/data/id/batken"]},
    "entities-of-class": {"class": ["ag:Report", "ag:Person"]},
}


def test_the_library_has_at_least_twelve_documented_queries() -> None:
    assert len(QUERIES) >= 12
    for query in QUERIES:
        assert query.summary and query.description and query.tags, query.name
        assert query.form is not None, query.name


def test_every_saved_query_has_a_golden_file_and_no_golden_file_is_orphaned() -> None:
    assert {q.name for q in QUERIES} == {p.stem for p in GOLDEN.glob("*.tsv")}


def _rows(result: object) -> tuple[list[str], list[Row]]:
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return names, [tuple(solution[n] for n in names) for solution in result]


def _golden(name: str) -> tuple[list[str], list[Row]]:
    return _rows(
        ox.parse_query_results(path=GOLDEN / f"{name}.tsv", format=ox.QueryResultsFormat.TSV)
    )


def _ordered(query: SavedQuery) -> bool:
    return "ORDER BY" in query.text.upper()


@pytest.mark.parametrize("query", SELECTS, ids=lambda q: q.name)
def test_saved_query_gives_its_reviewed_answer(
    store: ox.Store, built: Project, query: SavedQuery
) -> None:
    names, rows = _rows(run_query(store, built.bind(query, {})))
    golden_names, golden_rows = _golden(query.name)
    assert names == golden_names
    if _ordered(query):
        assert rows == golden_rows
    else:
        assert sorted(map(str, rows)) == sorted(map(str, golden_rows))


def test_answers_that_must_not_be_empty_are_not(store: ox.Store) -> None:
    # A golden file of zero rows would let a broken query pass: only this one may be empty.
    may_be_empty = {"facts-without-evidence"}
    for query in SELECTS:
        if query.name not in may_be_empty:
            assert _golden(query.name)[1], query.name


@pytest.mark.parametrize("name", sorted(LIST_VALUES))
def test_a_list_of_values_gives_the_union_of_the_single_answers(
    store: ox.Store, built: Project, name: str
) -> None:
    query = next(q for q in QUERIES if q.name == name)
    ((param, values),) = LIST_VALUES[name].items()
    singles: set[str] = set()
    for value in values:
        _, rows = _rows(run_query(store, built.bind(query, {param: [value]})))
        assert rows, value
        singles |= set(map(str, rows))
    _, both = _rows(run_query(store, built.bind(query, {param: values})))
    assert set(map(str, both)) == singles


@pytest.mark.parametrize(
    "fmt",
    [ResultFormat.CSV, ResultFormat.TSV, ResultFormat.JSON, ResultFormat.XML],
    ids=lambda f: f.value,
)
@pytest.mark.parametrize("query", SELECTS, ids=lambda q: q.name)
def test_results_formats_parse_back(
    store: ox.Store, built: Project, query: SavedQuery, fmt: ResultFormat
) -> None:
    bound = built.bind(query, {})
    text = render_result(run_query(store, bound), format=fmt, prefixes=built.prefixes())
    expected_names, expected = _rows(run_query(store, bound))
    if fmt is ResultFormat.CSV:
        # pyoxigraph refuses to parse CSV (it is lossy): read it as CSV, compare lexical forms.
        header, *records = list(csv.reader(io.StringIO(text, newline="")))
        assert header == expected_names
        assert records == [["" if t is None else t.value for t in row] for row in expected]
        return
    parsed = ox.parse_query_results(
        text.encode(), format=ox.QueryResultsFormat.from_extension(fmt.value)
    )
    names, rows = _rows(parsed)
    assert names == expected_names
    assert rows == expected


def test_ask_results_parse_back(store: ox.Store) -> None:
    result = store.query(
        "ASK { ?s a <https://w3id.org/annograph/ontology#Conference> }",
        use_default_graph_as_union=True,
    )
    for fmt in (ResultFormat.JSON, ResultFormat.XML, ResultFormat.CSV, ResultFormat.TSV):
        text = render_result(result, format=fmt, prefixes={})
        if fmt in (ResultFormat.JSON, ResultFormat.XML):
            parsed = ox.parse_query_results(
                text.encode(), format=ox.QueryResultsFormat.from_extension(fmt.value)
            )
            assert isinstance(parsed, ox.QueryBoolean) and bool(parsed)
        else:
            assert text.strip() == "true"


CONSTRUCT = """PREFIX ag: <https://w3id.org/annograph/ontology#>
CONSTRUCT { ?report ag:presentedBy ?agent ; ag:name ?name }
WHERE { ?report a ag:Report ; ag:presentedBy ?agent ; ag:name ?name }"""


@pytest.mark.parametrize(
    ("fmt", "rdf"),
    [
        (ResultFormat.TURTLE, ox.RdfFormat.TURTLE),
        (ResultFormat.NTRIPLES, ox.RdfFormat.N_TRIPLES),
        (ResultFormat.JSONLD, ox.RdfFormat.JSON_LD),
    ],
    ids=lambda f: getattr(f, "value", ""),
)
def test_graph_results_parse_back(
    store: ox.Store, built: Project, fmt: ResultFormat, rdf: ox.RdfFormat
) -> None:
    expected = set(store.query(CONSTRUCT, use_default_graph_as_union=True))
    assert len(expected) >= 12
    result = store.query(CONSTRUCT, use_default_graph_as_union=True)
    text = render_result(result, format=fmt, prefixes=built.prefixes())
    assert {quad.triple for quad in ox.parse(text.encode(), format=rdf)} == expected


def test_markdown_and_table_have_a_line_per_row(store: ox.Store, built: Project) -> None:
    query = next(q for q in QUERIES if q.name == "reports")
    bound = built.bind(query, {})
    markdown = render_result(
        run_query(store, bound), format=ResultFormat.MARKDOWN, prefixes=built.prefixes()
    )
    lines = markdown.splitlines()
    assert lines[0] == "| report | title | by | relation | presented_at |"
    assert lines[1] == "|---|---|---|---|---|" and len(lines) == 2 + 7
    table = render_result(
        run_query(store, bound), format=ResultFormat.TABLE, prefixes=built.prefixes()
    )
    assert "id:unified-migration-report" in table and table.endswith("(7 rows)\n")


def test_json_results_are_the_w3c_format(store: ox.Store, built: Project) -> None:
    query = next(q for q in QUERIES if q.name == "organizers")
    text = render_result(
        run_query(store, bind(query, {}, prefixes={})), format=ResultFormat.JSON, prefixes={}
    )
    document = json.loads(text)
    assert document["head"]["vars"][:2] == ["event", "event_name"]
    first = document["results"]["bindings"][0]  # events in IRI order: the round table first
    assert first["event_name"] == {
        "type": "literal",
        "value": "regional round table on the rights of labour migrants",
        "xml:lang": "en",
    }


def test_golden_files_are_documented() -> None:
    readme = (GOLDEN / "README.md").read_text(encoding="utf-8")
    assert "review" in readme


BISHKEK = "https://w3id.org/annograph/data/id/bishkek"


@pytest.mark.parametrize(
    "entity", ["bishkek", "id:bishkek", BISHKEK, f"<{BISHKEK}>", "Бишкек", "BISHKEK"]
)
def test_the_entity_query_takes_an_entity_as_why_does(
    runner: CliRunner, built: Project, entity: str
) -> None:
    args = ["query", "--project", str(ROOT), "--store", str(built.store), "entity"]
    result = runner.invoke(cli, [*args, "--param", f"entity={entity}", "-f", "tsv"])
    assert result.exit_code == 0, result.output
    # The reviewed answer for id:bishkek, the query's default.
    assert result.output == (GOLDEN / "entity.tsv").read_text(encoding="utf-8")
    # It has the facts pointing at Bishkek: the places of the conference, the presentation and
    # the institute's office, and each article's mention.
    incoming = {
        (row[1], row[2])
        for row in (line.split("\t") for line in result.output.splitlines()[1:])
        if row[3] == f"<{BISHKEK}>" and row[1] != f"<{BISHKEK}>"
    }
    assert incoming == {
        ("<https://w3id.org/annograph/data/id/conference>", f"<{AG}location>"),
        ("<https://w3id.org/annograph/data/id/remittances-report-presentation>", f"<{AG}location>"),
        ("<https://w3id.org/annograph/data/id/rlri-bishkek-office>", f"<{AG}location>"),
        ("<https://w3id.org/annograph/data/article/bishkek-migrants-day>", f"<{AG}mentions>"),
        ("<https://w3id.org/annograph/data/article/cholpon-ata-round-table>", f"<{AG}mentions>"),
        ("<https://w3id.org/annograph/data/article/remittances-report-launch>", f"<{AG}mentions>"),
        # The remittances article's dateline: "BISHKEK —".
        (
            "<https://w3id.org/annograph/data/article/remittances-report-launch>",
            f"<{AG}locationCreated>",
        ),
    }


@pytest.mark.parametrize("entity", ["id:bishkekk", BISHKEK + "k", "bishkekk"])
def test_the_entity_query_refuses_an_id_that_names_no_entity(
    runner: CliRunner, built: Project, entity: str
) -> None:
    args = ["query", "--project", str(ROOT), "--store", str(built.store), "entity"]
    result = runner.invoke(cli, [*args, "--param", f"entity={entity}"])
    assert result.exit_code == 1
    query = ROOT / "queries" / "entity.rq"
    message = (
        f"parameter 'entity' needs an IRI, not '{entity}'\n  hint: did you mean 'Bishkek'?"
        if entity == "bishkekk"
        else f"parameter 'entity': no entity <{BISHKEK}k> in the graph\n"
        "  hint: did you mean 'bishkek'?"
    )
    # Reported at the parameter's first use in the query.
    line, text = next(
        (n, text)
        for n, text in enumerate(query.read_text(encoding="utf-8").splitlines(), start=1)
        if "?_entity" in text
    )
    assert result.output == f"{query}:{line}:{text.index('?_entity') + 1}: error: {message}\n"


# -- federated -----------------------------------------------------------------------------------

MIRROR = ROOT / "tests" / "data" / "links" / "wikidata-mirror.ttl"


@pytest.fixture(scope="module")
def wikidata_mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The few Wikidata entities of tests/data/links/, served on loopback."""
    with oxigraph_server(MIRROR, tmp_path_factory.mktemp("mirror")) as server:
        yield server


@pytest.mark.slow
def test_the_federated_query_gives_its_reviewed_answer(
    built: Project, wikidata_mirror: Server
) -> None:
    result = built.run_query(
        "wikidata-crosscheck", services={"wikidata": wikidata_mirror.query_url}
    )
    assert isinstance(result, ox.QuerySolutions)
    answer = result.serialize(format=ox.QueryResultsFormat.TSV)
    assert answer == (GOLDEN / "wikidata-crosscheck.tsv").read_bytes()
