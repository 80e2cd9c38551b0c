"""Query files: headers, parameters, safe binding, and errors that say where and how to fix."""

from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph import Project
from annograph.cli import cli
from annograph.errors import QueryError
from annograph.query._saved import QueryForm, bind, parse_query, run_query
from tests.conftest import garbage_freed_on_another_thread

XSD = "http://www.w3.org/2001/XMLSchema#"
INJECTION = 'x" } ; DELETE WHERE { ?s ?p ?o } #'
P = ox.NamedNode("https://e.org/name")


def small_store() -> ox.Store:
    store = ox.Store()
    for name in ("alice", "bob", "x"):
        store.add(ox.Quad(ox.NamedNode(f"https://e.org/{name}"), P, ox.Literal(name)))
    return store


def test_header_and_parameters_in_the_grlc_convention() -> None:
    saved = parse_query(
        """#+ summary: People by name
#+ description: A test.
#+ tags:
#+   - people
#+ defaults:
#+   - limit: "5"
#+ enumerate:
#+   - lang:
#+     - ru
#+     - en

PREFIX ex: <https://e.org/>
# ?_not_a_parameter in a comment
SELECT ?_name ?__nick ?_who_iri ?_label_en ?_limit_integer ?_year_xsd_gYear ?_v_ex_code ?_lang
WHERE { ?s ex:p "?_in_a_string" ; <https://e.org/?_in_an_iri> ?o }
""",
        path=Path("people.rq"),
    )
    assert (saved.name, saved.summary, saved.description, saved.tags) == (
        "people",
        "People by name",
        "A test.",
        ("people",),
    )
    assert saved.form is QueryForm.SELECT
    got = {p.name: (p.kind, p.required, p.language, p.datatype) for p in saved.parameters}
    assert got == {
        "name": ("literal", True, None, None),
        "nick": ("literal", False, None, None),
        "who": ("iri", True, None, None),
        "label": ("language", True, "en", None),
        "limit": ("datatype", True, None, XSD + "integer"),
        "year": ("datatype", True, None, XSD + "gYear"),
        "v": ("datatype", True, None, "https://e.org/code"),
        "lang": ("literal", True, None, None),
    }
    assert saved.parameter("limit").default == "5"
    assert saved.parameter("lang").allowed == ("ru", "en")


def test_an_injected_value_is_one_plain_literal() -> None:
    store = small_store()
    saved = parse_query(
        "SELECT ?_name ?s WHERE { ?s <https://e.org/name> ?_name }", path=Path("q.rq")
    )
    bound = bind(saved, {"name": [INJECTION]}, prefixes={})
    assert bound.text == saved.text, "the value is never pasted into the query"
    assert bound.substitutions == {ox.Variable("_name"): ox.Literal(INJECTION)}
    assert list(run_query(store, bound)) == []
    assert len(store) == 3, "nothing was deleted"
    found = run_query(store, bind(saved, {"name": ["bob"]}, prefixes={}))
    assert [row["s"] for row in found] == [ox.NamedNode("https://e.org/bob")]


def test_an_injected_value_in_a_list_is_one_plain_literal() -> None:
    store = small_store()
    saved = parse_query(
        "SELECT ?_name ?s WHERE { ?s <https://e.org/name> ?_name } ORDER BY ?s", path=Path("q.rq")
    )
    bound = bind(saved, {"name": [INJECTION, "alice", "x"]}, prefixes={})
    rows = [row["s"].value for row in run_query(store, bound)]
    assert rows == ["https://e.org/alice", "https://e.org/x"]
    assert len(store) == 3


def test_list_values_are_joined_at_the_start_of_the_where_clause() -> None:
    saved = parse_query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = ?_s_iri) }", path=Path("q.rq")
    )
    bound = bind(saved, {"s": ["https://e.org/alice", "https://e.org/bob"]}, prefixes={})
    assert bound.text.startswith(
        "CONSTRUCT { ?s ?p ?o } WHERE {"
        " VALUES (?_s_iri) { (<https://e.org/alice>) (<https://e.org/bob>) }"
    )
    assert len(list(run_query(small_store(), bound))) == 2


def test_iri_parameters_take_prefixed_names() -> None:
    saved = parse_query("SELECT ?_s_iri WHERE { ?_s_iri ?p ?o }", path=Path("q.rq"))
    bound = bind(saved, {"s": ["ex:alice"]}, prefixes={"ex": "https://e.org/"})
    assert bound.substitutions == {ox.Variable("_s_iri"): ox.NamedNode("https://e.org/alice")}


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("SELECT ?_s_iri { ?_s_iri ?p ?o }", {"s": ["not an iri"]}, "parameter 's' needs an IRI"),
        ("SELECT ?_s_iri { ?_s_iri ?p ?o }", {"s": ["relative"]}, "needs an IRI, not 'relative'"),
        ("SELECT ?_n_integer { ?s ?p ?_n_integer }", {"n": ["12a"]}, "needs a xsd:integer"),
        ("SELECT ?_s_iri { ?_s_iri ?p ?o }", {}, "needs the parameter 's' (IRI)"),
        ("SELECT ?_s_iri { ?_s_iri ?p ?o }", {"t": ["x"]}, "has no parameter 't'"),
        (
            "#+ enumerate:\n#+   - l:\n#+     - ru\nSELECT ?_l { ?s ?p ?_l }",
            {"l": ["fr"]},
            "parameter 'l' must be one of: ru",
        ),
    ],
)
def test_bad_parameters_are_clear_errors(
    text: str, values: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        bind(parse_query(text, path=Path("q.rq")), values, prefixes={})


def test_an_unknown_parameter_gets_the_closest_name() -> None:
    saved = parse_query("SELECT ?_class_iri { ?s a ?_class_iri }", path=Path("q.rq"))
    with pytest.raises(QueryError) as raised:
        bind(saved, {"klass": ["x"]}, prefixes={})
    assert str(raised.value) == (
        "q.rq: error: query 'q' has no parameter 'klass'\n  hint: did you mean 'class'?"
    )


def test_an_optional_parameter_left_out_stays_unbound() -> None:
    saved = parse_query("SELECT ?__name ?s { ?s <https://e.org/name> ?o }", path=Path("q.rq"))
    assert len(list(run_query(small_store(), bind(saved, {}, prefixes={})))) == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "#+ sumary: x\nSELECT * {}",
            "q.rq:1:4: error: unknown decorator 'sumary'\n  hint: did you mean 'summary'?",
        ),
        ("#+ summary: [x\nSELECT * {}", "q.rq:"),
        (
            "#+ defaults:\n#+   - nope: 1\nSELECT ?_x {}",
            "'defaults' names 'nope', which is not a parameter",
        ),
        (
            "SELECT ?s { ?s ?p ?_o }",
            "q.rq:1:19: error: parameter ?_o is not in the SELECT clause\n  hint: add it to SELECT",
        ),
    ],
)
def test_bad_query_files_are_located_errors(text: str, message: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(text, path=Path("q.rq"))
    assert message in str(raised.value)


def test_select_star_projects_every_parameter() -> None:
    saved = parse_query("SELECT * { ?s ?p ?_o }", path=Path("q.rq"))
    assert [p.name for p in saved.parameters] == ["o"]


# -- the command line ---------------------------------------------------------------------------


def _built(runner: CliRunner, project: Project) -> list[str]:
    assert runner.invoke(cli, ["build", "--project", str(project.root)]).exit_code == 0
    return ["--project", str(project.root)]


def test_queries_lists_the_library(runner: CliRunner, project: Project) -> None:
    result = runner.invoke(cli, ["queries", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    for saved in project.saved_queries():
        assert saved.name in result.output and saved.summary in result.output
    assert "[--param entity=<IRI>]" in result.output


def test_queries_show_prints_the_documentation(runner: CliRunner, project: Project) -> None:
    result = runner.invoke(
        cli, ["queries", "--project", str(project.root), "show", "entities-of-class"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "class  (IRI; required; default https://w3id.org/annograph/ontology#Organization)"
        in result.output
    )
    assert "SELECT DISTINCT ?_class_iri" in result.output


@pytest.mark.slow
def test_query_with_params_and_stdin(runner: CliRunner, project_copy: Project) -> None:
    options = _built(runner, project_copy)
    result = runner.invoke(cli, ["query", *options, "entity", "-p", "entity=МОМ", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "https://w3id.org/annograph/data/id/iom" in result.output
    stdin = runner.invoke(cli, ["query", *options, "-", "-f", "json"], input="ASK { ?s ?p ?o }")
    assert stdin.exit_code == 0 and '"boolean":true' in stdin.output.replace(" ", "")


@pytest.mark.slow
def test_query_parameter_errors_exit_1_without_a_traceback(
    runner: CliRunner, project_copy: Project
) -> None:
    options = _built(runner, project_copy)
    result = runner.invoke(cli, ["query", *options, "entities-of-class", "-p", "class=not an iri"])
    assert result.exit_code == 1
    path = project_copy.root / "queries" / "entities-of-class.rq"
    # The error points at the parameter's first use in the query.
    line, text = next(
        (n, text) for n, text in enumerate(path.read_text().splitlines(), 1) if "?_class" in text
    )
    assert result.output.startswith(
        f"{path}:{line}:{text.index('?_class') + 1}: error: "
        "parameter 'class' needs an IRI, not 'not an iri'\n"
    )
    assert "Traceback" not in result.output
    malformed = runner.invoke(cli, ["query", *options, "entity", "-p", "entity"])
    assert malformed.exit_code == 2 and "is not NAME=VALUE" in malformed.output


@pytest.mark.slow
def test_format_that_does_not_fit_the_result(runner: CliRunner, project_copy: Project) -> None:
    options = _built(runner, project_copy)
    gc.collect()
    result = runner.invoke(cli, ["query", *options, "organizers", "-f", "turtle"])
    assert result.exit_code == 1
    assert "'turtle' is for CONSTRUCT and DESCRIBE results" in result.output
    # The error the runner kept must not hold the results for another thread to free.
    del result
    assert garbage_freed_on_another_thread() == []
