"""The library API's query answers: Project.query(name, **params) as rows of Python values."""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path

import pandas
import pyoxigraph as ox
import pytest

from annograph import Project
from annograph._lexical import XSD
from annograph.errors import AnnographError, QueryError
from annograph.query._rows import Rows, python_value, rows_of

ID = "https://w3id.org/annograph/data/id/"
INJECTION = 'x" } ; DELETE WHERE { ?s ?p ?o } #'


def test_rows_hold_the_same_answer_as_the_raw_result(built: Project) -> None:
    for query in built.saved_queries():
        if query.parameters or "SERVICE" in query.text:
            continue  # (a federated query would reach the internet)
        raw = built.run_query(query.name)
        rows = built.query(query.name)
        assert isinstance(raw, ox.QuerySolutions)
        expected = [[solution[v] for v in raw.variables] for solution in raw]
        assert [list(terms) for terms in rows.terms] == expected, query.name
        assert rows.columns == tuple(v.value for v in built.run_query(query.name).variables)


def test_keyword_parameters_bind_like_the_command_line(built: Project) -> None:
    by_keyword = built.query("entity", entity="IOM")
    by_param = rows_of(built.run_query("entity", {"entity": ["IOM"]}))
    assert by_keyword == by_param and len(by_keyword) > 0
    # Found by its abbreviation: its facts, and the facts that point at it.
    assert set(by_keyword.column("_entity_iri")) == {ID + "iom"}
    assert ID + "iom" in by_keyword.column("subject")
    assert ID + "iom" in by_keyword.column("value")


def test_a_list_binds_several_values(built: Project) -> None:
    both = built.query("entity", entity=["IOM", "UNDP"])
    iom, undp = built.query("entity", entity="IOM"), built.query("entity", entity="UNDP")
    assert sorted(map(str, both.terms)) == sorted(map(str, iom.terms + undp.terms))


def test_an_injection_is_a_value_not_sparql(built: Project) -> None:
    # Neither an IRI nor an entity's name: refused before it comes near the query.
    with pytest.raises(QueryError, match="needs an IRI"):
        built.query("entity", entity=INJECTION)
    assert len(built.query("organizers")) == 5


def test_an_unknown_parameter_is_a_located_error(built: Project) -> None:
    with pytest.raises(QueryError) as error:
        built.query("entity", entiti="IOM")
    assert str(error.value) == (
        f"{built.queries_dir / 'entity.rq'}: error: query 'entity' has no parameter 'entiti'\n"
        "  hint: did you mean 'entity'?"
    )


def test_typed_values_become_python_values(built: Project) -> None:
    rows = built.query("migration-statistics")
    numbers = [value for row in rows for value in row.values() if isinstance(value, int | Decimal)]
    assert 710000 in numbers
    offsets = built.query("entity", entity="IOM").column("start")
    quoted = [offset for offset in offsets if offset is not None]  # links have no quote
    assert quoted and all(isinstance(offset, int) for offset in quoted)


@pytest.mark.parametrize(
    ("term", "value"),
    [
        (ox.NamedNode("https://example.org/a"), "https://example.org/a"),
        (ox.BlankNode("b1"), "_:b1"),
        (ox.Literal("Ош", language="ru"), "Ош"),
        (ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")), 42),
        (ox.Literal("0.48", datatype=ox.NamedNode(XSD + "decimal")), Decimal("0.48")),
        (ox.Literal("1.5E2", datatype=ox.NamedNode(XSD + "double")), 150.0),
        (ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")), True),
        (
            ox.Literal("2023-12-18", datatype=ox.NamedNode(XSD + "date")),
            datetime.date(2023, 12, 18),
        ),
        (ox.Literal("forty", datatype=ox.NamedNode(XSD + "integer")), "forty"),
        (None, None),
    ],
)
def test_python_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, value: object) -> None:
    converted = python_value(term)
    assert converted == value and type(converted) is type(value)


def test_a_graph_answer_has_a_row_per_triple() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x")))
    rows = rows_of(store.query("CONSTRUCT WHERE { ?s ?p ?o }"))
    assert rows.columns == ("subject", "predicate", "object")
    assert list(rows) == [{"subject": "urn:a", "predicate": "urn:p", "object": "x"}]
    assert list(rows_of(store.query("ASK { ?s ?p ?o }"))) == [{"answer": True}]


def test_rows_become_a_dataframe(built: Project) -> None:
    rows = built.query("organizers")
    frame = rows.to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(rows.columns)
    assert frame.to_dict("records") == list(rows)
    assert sorted(frame["organization_name"]) == sorted(rows.column("organization_name"))


def test_without_pandas_a_dataframe_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(AnnographError) as error:
        Rows(("n",), ()).to_dataframe()
    assert (
        str(error.value)
        == "error: pandas is not installed\n  hint: pip install 'annograph[pandas]'"
    )


@pytest.mark.slow
def test_the_library_example_runs_as_documented(tmp_path: Path) -> None:
    # The module docstring of annograph is a doctest (run by --doctest-modules); this checks the
    # same steps from a test, with a project that is not the repository.
    project = Project.init(tmp_path / "news")
    project.build()
    assert [row["role"] for row in project.query("organizers")].count("organizer") == 4
    assert project.why("iom").entity == ox.NamedNode(ID + "iom")
