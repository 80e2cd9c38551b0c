"""What a query may be before it reaches the engine: nesting and SERVICE, found in its text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annograph._limits import MAX_NESTING, check_query, nesting_depth, service_iris
from annograph.errors import QueryError
from tests.conftest import ROOT

QUERY = Path("q.rq")


@given(st.lists(st.sampled_from(["{", "(", "["]), max_size=300))
def test_the_depth_is_the_deepest_run_of_open_brackets(opens: list[str]) -> None:
    closing = {"{": "}", "(": ")", "[": "]"}
    text = "ASK " + "".join(opens) + "".join(closing[o] for o in reversed(opens))
    assert nesting_depth(text)[0] == len(opens)


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    text = "SELECT * { ?s ?p \"{{{(((\" . ?s ?q '''[[[''' } # {{{{{\n"
    assert nesting_depth(text)[0] == 1


def test_every_saved_query_is_well_within_the_limit() -> None:
    for path in (ROOT / "queries").glob("*.rq"):
        assert nesting_depth(path.read_text(encoding="utf-8"))[0] < MAX_NESTING // 10, path


def test_a_deep_query_is_refused_where_the_limit_is_passed() -> None:
    text = "ASK {\n" + "  {" * (MAX_NESTING + 5) + "}" * (MAX_NESTING + 5) + "\n}"
    with pytest.raises(QueryError) as caught:
        check_query(text, path=QUERY)
    assert caught.value.location is not None and caught.value.location.line == 2
    assert f"nested {MAX_NESTING + 6} deep" in caught.value.message


def test_service_endpoints_are_found_as_the_engine_reads_them() -> None:
    text = """PREFIX wd: <https://query.wikidata.org/>
    PREFIX : <http://127.0.0.1:7879/>
    SELECT * {
      SERVICE wd:sparql { ?a ?b ?c }
      service silent <http://example.org/sparql> { ?a ?b ?c }
      SERVICE :query { ?a ?b ?c }
      SERVICE ?where { ?a ?b ?c }
      SERVICE <relative> { ?a ?b ?c }
      FILTER(?a != "SERVICE <http://in.a.string/>") # SERVICE <http://in.a.comment/>
    }"""
    assert [call.iri for call in service_iris(text)] == [
        "https://query.wikidata.org/sparql",
        "http://example.org/sparql",
        "http://127.0.0.1:7879/query",
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("allowed", "refused"),
    [
        ((), "wd:sparql"),
        (("https://query.wikidata.org/",), None),
        (("https://query.wikidata.org.evil.example/",), "wd:sparql"),
    ],
)
def test_only_allowed_endpoints_may_be_called(
    allowed: tuple[str, ...], refused: str | None
) -> None:
    text = "PREFIX wd: <https://query.wikidata.org/>\nSELECT * { SERVICE wd:sparql { } }"
    if refused is None:
        check_query(text, path=QUERY, allowed_services=allowed)
        return
    with pytest.raises(QueryError) as caught:
        check_query(text, path=QUERY, allowed_services=allowed)
    assert caught.value.message == f"SERVICE {refused} is not allowed here"
    assert str(caught.value.location) == "q.rq:2:12"
