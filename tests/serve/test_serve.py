"""``annograph serve``, started as a user starts it, queried by real HTTP and SPARQL clients."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from openapi_spec_validator import validate
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from annograph import Project
from annograph.cli import cli
from annograph.query._render import ResultFormat, render_result
from tests.conftest import ROOT, Server, annograph_serve, reconciliation_schema

pytestmark = pytest.mark.slow

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
DESCRIBE_BISHKEK = "CONSTRUCT WHERE { <https://w3id.org/annograph/data/id/bishkek> ?p ?o }"


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# -- the SPARQL 1.1 Protocol ----------------------------------------------------------------


def _facts(store: ox.Store) -> int:
    return len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))


@pytest.mark.parametrize(
    ("accept", "result_format"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/csv", None),  # CSV results lose term types: pyoxigraph does not parse them
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_select_by_get_and_post_in_every_results_format(
    served: Server, store: ox.Store, accept: str, result_format: ox.QueryResultsFormat | None
) -> None:
    answers = [
        httpx.get(served.query_url, params={"query": COUNT}, headers={"Accept": accept}),
        httpx.post(served.query_url, data={"query": COUNT}, headers={"Accept": accept}),
        httpx.post(
            served.url + "/sparql",
            content=COUNT,
            headers={"Accept": accept, "Content-Type": "application/sparql-query"},
        ),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith(accept)
        if result_format is None:
            count = _csv_rows(answer.text)[1][0]
        else:
            solutions = ox.parse_query_results(answer.content, format=result_format)
            assert isinstance(solutions, ox.QuerySolutions)
            count = next(iter(solutions))["n"].value
        # The default graph is the store's: the facts, each once, as for local queries.
        assert int(count) == _facts(store) > 1000


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_graphs_in_every_rdf_format(served: Server, accept: str, rdf_format: ox.RdfFormat) -> None:
    answer = httpx.post(
        served.query_url, data={"query": DESCRIBE_BISHKEK}, headers={"Accept": accept}
    )
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(accept)
    triples = ox.parse(answer.content, format=rdf_format)
    name = "https://w3id.org/annograph/ontology#name"
    names = {t.object.value for t in triples if t.predicate.value == name}
    assert {"Бишкек", "Bishkek"} <= names


def test_updates_and_graph_store_writes_are_refused_as_forbidden(served: Server) -> None:
    attempts = [
        httpx.post(served.url + "/update", data={"update": "DROP ALL"}),
        httpx.post(
            served.query_url,
            content="DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
        ),
        httpx.put(
            served.url + "/store",
            params={"graph": "http://example.org/g"},
            content="<a:a> <a:b> <a:c> .",
            headers={"Content-Type": "application/n-triples"},
        ),
        httpx.delete(served.url + "/store", params={"default": ""}),
    ]
    for answer in attempts:
        assert answer.status_code == 403
        assert "read-only" in answer.json()["error"]
    count = httpx.get(served.query_url, params={"query": COUNT}, headers={"Accept": "text/csv"})
    assert int(_csv_rows(count.text)[1][0]) > 1000


def test_a_syntax_error_is_a_400_and_an_unknown_format_a_406(served: Server) -> None:
    bad = httpx.get(served.query_url, params={"query": "SELEC ?x"})
    assert bad.status_code == 400
    odd = httpx.get(served.query_url, params={"query": COUNT}, headers={"Accept": "image/png"})
    assert odd.status_code == 406


def test_a_query_past_the_timeout_is_a_503_with_a_clear_message(built: Project) -> None:
    cross_join = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with annograph_serve(built, "--timeout", "1") as server:
        answer = httpx.post(server.query_url, data={"query": cross_join}, timeout=60)
    assert answer.status_code == 503
    assert "1 s limit" in answer.json()["error"] and "--timeout" in answer.json()["hint"]


# -- standard clients -------------------------------------------------------------------------


def test_sparqlwrapper_queries_the_endpoint(served: Server, store: ox.Store) -> None:
    client = SPARQLWrapper(served.query_url)
    client.setQuery(COUNT)
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert isinstance(answer, dict)
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == _facts(store)


def test_rdflib_queries_it_as_a_sparql_store_and_through_service(served: Server) -> None:
    remote = rdflib.Graph(store=SPARQLStore(served.query_url))
    names = {
        str(row[0])
        for row in remote.query(
            "SELECT ?name WHERE { <https://w3id.org/annograph/data/id/bishkek> "
            "<https://w3id.org/annograph/ontology#name> ?name }"
        )
    }
    assert names == {"Бишкек", "Bishkek"}
    federated = rdflib.Graph().query(
        "SELECT ?name WHERE { SERVICE <" + served.query_url + "> { "
        "<https://w3id.org/annograph/data/id/bishkek> "
        "<https://w3id.org/annograph/ontology#name> ?name } }"
    )
    assert {str(row[0]) for row in federated} == names


# -- the saved-query API ----------------------------------------------------------------------


def test_the_api_lists_every_saved_query_with_its_parameters(
    served: Server, built: Project
) -> None:
    listed = httpx.get(served.url + "/api/queries").json()
    # Those calling another endpoint are not offered: this server runs no federated query.
    local = [q.name for q in built.saved_queries() if "SERVICE" not in q.text]
    assert [q["name"] for q in listed] == local and "wikidata-crosscheck" not in local
    entity = next(q for q in listed if q["name"] == "entity")
    assert entity["parameters"] == [
        {"name": "entity", "type": "IRI", "required": True, "default": "id:bishkek", "enum": []}
    ]
    assert entity["url"] == "/api/queries/entity" and "SELECT" in entity["sparql"]


def test_a_saved_query_runs_with_bound_parameters_in_the_format_asked(
    served: Server, built: Project
) -> None:
    local = render_result(
        built.run_query("entity", {"entity": ["IOM"]}), format=ResultFormat.CSV, prefixes={}
    )
    by_name = httpx.get(
        served.url + "/api/queries/entity", params={"entity": "IOM", "format": "csv"}
    )
    by_accept = httpx.get(
        served.url + "/api/queries/entity",
        params={"entity": "IOM"},
        headers={"Accept": "text/csv"},
    )
    for answer in (by_name, by_accept):
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
        assert sorted(_csv_rows(answer.text)) == sorted(_csv_rows(local))
    default = httpx.get(served.url + "/api/queries/organizers")
    assert default.headers["Content-Type"].startswith("application/sparql-results+json")
    assert len(default.json()["results"]["bindings"]) == 5


def test_a_parameter_value_cannot_rewrite_the_query(served: Server) -> None:
    injection = "alice> . ?s ?p ?o } #"
    answer = httpx.get(served.url + "/api/queries/entity", params={"entity": injection})
    # Not an IRI, nor an entity's id or name: no such entity, and never pasted into the query.
    assert answer.status_code == 404
    assert answer.json()["error"] == f"parameter 'entity' needs an IRI, not '{injection}'"
    by_name = httpx.get(served.url + "/api/queries/entity", params={"entity": "МОМ"})
    assert by_name.status_code == 200 and by_name.json()["results"]["bindings"]


def test_api_errors_say_what_is_wrong(served: Server) -> None:
    unknown = httpx.get(served.url + "/api/queries/entity", params={"nope": "1"})
    assert unknown.status_code == 400
    assert unknown.json() == {
        "error": "query 'entity' has no parameter 'nope'",
        "hint": "its parameters: entity",
    }
    missing = httpx.get(served.url + "/api/queries/no-such-query")
    assert missing.status_code == 404
    assert missing.json()["error"] == "no saved query named 'no-such-query'"
    wrong = httpx.get(served.url + "/api/queries/organizers", params={"format": "turtle"})
    assert wrong.status_code == 406 and "json, xml, csv, tsv" in wrong.json()["error"]


def test_the_openapi_document_is_valid_and_describes_every_query(
    served: Server, built: Project
) -> None:
    document = httpx.get(served.url + "/api/openapi.json").json()
    validate(document)  # raises on an invalid OpenAPI 3 document
    assert document["servers"] == [{"url": served.url}]
    paths = document["paths"]
    assert set(paths) == {"/api/queries"} | {
        f"/api/queries/{q.name}" for q in built.saved_queries() if "SERVICE" not in q.text
    }
    entity = paths["/api/queries/entity"]["get"]
    parameter = entity["parameters"][0]
    assert parameter["name"] == "entity" and parameter["schema"]["default"] == "id:bishkek"
    assert entity["tags"] == ["evidence", "overview"]
    # Every operation answers with its defaults, in the media types the document promises.
    for path, item in paths.items():
        if "federated" in item["get"].get("tags", []):
            continue
        answer = httpx.get(served.url + path)
        assert answer.status_code == 200, path
        promised = item["get"]["responses"]["200"].get("content")
        if promised:
            assert answer.headers["Content-Type"].split(";")[0] in promised, path


# -- pages ----------------------------------------------------------------------------------


def test_the_entity_page_shows_labels_facts_quotes_and_links(served: Server) -> None:
    page = httpx.get(served.url + "/entity", params={"id": "bishkek"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "<h1>Бишкек · Bishkek</h1>" in page.text or "<h1>Bishkek · Бишкек</h1>" in page.text
    assert '<blockquote class="quote">В Бишкеке' in page.text
    assert "https://sws.geonames.org/1528675/" in page.text  # a curated link, from external-ids
    missing = httpx.get(served.url + "/entity", params={"id": "atlantis"})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("params", "headers", "lang", "name"),
    [
        ({}, {}, "en", "conference dedicated to International Migrants Day"),
        ({"lang": "ru"}, {}, "ru", "конференция, посвященная Международному дню мигранта"),
        ({}, {"Accept-Language": "ru-RU,ru;q=0.9"}, "ru", "конференция, посвященная"),
        ({"lang": "en"}, {"Accept-Language": "ru"}, "en", "conference dedicated to"),
    ],
)
def test_the_entity_page_names_linked_entities_in_its_language(
    served: Server, params: dict[str, str], headers: dict[str, str], lang: str, name: str
) -> None:
    page = httpx.get(served.url + "/entity", params={"id": "bishkek", **params}, headers=headers)
    assert page.status_code == 200
    assert page.text.startswith(f"<!doctype html><html lang='{lang}'>")
    href = f"/entity?id=https%3A%2F%2Fw3id.org%2Fannograph%2Fdata%2Fid%2Fconference&amp;lang={lang}"
    assert f'<td><a href="{href}" title="id:conference">{name}' in page.text
    assert ">id:conference</a>" not in page.text


def test_the_entity_page_marks_curators_notes_as_notes(served: Server) -> None:
    page = httpx.get(served.url + "/entity", params={"id": "flash-mob-batken"})
    note = "<p class='note'><span class='label'>note:</span> "
    assert f"{note}See flash-mob-belovodskoye.</p>" in page.text
    assert f"{note}&quot;Так&quot; introduces the flash mobs as examples" in page.text
    # An entity without a name is shown by its id.
    assert 'title="id:partner-telebridge">id:partner-telebridge</a>' in page.text


def test_the_index_page_carries_the_prefixes(served: Server, built: Project) -> None:
    page = httpx.get(served.url + "/")
    start = page.text.index('<script id="config" type="application/json">') + 44
    config = json.loads(page.text[start : page.text.index("</script>", start)])
    assert config["prefixes"] == built.prefixes()
    # The editor completes the served ontology's terms, from the page itself.
    assert "https://w3id.org/annograph/ontology#Person" in config["vocabulary"]["classes"]
    assert "https://w3id.org/annograph/ontology#name" in config["vocabulary"]["properties"]
    assert httpx.get(served.url + "/static/app.js").status_code == 200
    yasgui = httpx.get(served.url + "/static/vendor/yasgui/yasgui.min.js")
    assert yasgui.status_code == 200 and yasgui.headers["Content-Type"].startswith(
        "text/javascript"
    )
    again = httpx.get(yasgui.url, headers={"If-None-Match": yasgui.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    for outside in ("../server.py", "vendor/yasgui/LICENSE", "vendor/%2E%2E/app.js", "a/b/c/d.js"):
        assert httpx.get(f"{served.url}/static/{outside}").status_code == 404, outside


# -- the reconciliation service ---------------------------------------------------------------


def _reconcile(served: Server, queries: dict[str, object]) -> dict[str, object]:
    answer = httpx.post(served.url + "/reconcile", data={"queries": json.dumps(queries)})
    assert answer.status_code == 200
    body = answer.json()
    reconciliation_schema("reconciliation-result-batch").validate(body)
    return body  # type: ignore[no-any-return]


def test_the_manifest_follows_the_published_schema(served: Server) -> None:
    manifest = httpx.get(served.url + "/reconcile").json()
    reconciliation_schema("manifest").validate(manifest)
    assert manifest["view"]["url"] == served.url + "/entity?id={{id}}"
    assert manifest["preview"]["url"] == served.url + "/reconcile/preview?id={{id}}"
    preview = httpx.get(manifest["preview"]["url"].replace("{{id}}", "iom"))
    assert preview.status_code == 200
    assert "<strong>International Organization for Migration · " in preview.text


def test_reconcile_with_types_and_their_subclasses(served: Server) -> None:
    body = _reconcile(
        served,
        {
            "q0": {"query": "МОМ", "type": "InternationalOrganization"},
            "q1": {"query": "МОМ", "type": "Organization"},  # a superclass
            "q2": {"query": "МОМ", "type": "Person"},
        },
    )
    assert [c["id"] for c in body["q0"]["result"]] == ["iom"]  # type: ignore[index]
    assert [c["id"] for c in body["q1"]["result"]] == ["iom"]  # type: ignore[index]
    assert body["q2"]["result"] == []  # type: ignore[index]


def test_reconcile_with_property_filters(served: Server) -> None:
    conference = {"query": "conference dedicated to International Migrants Day"}
    body = _reconcile(
        served,
        {
            "plain": conference,
            "here": {**conference, "properties": [{"pid": "location", "v": "Бишкек"}]},
            "by-id": {**conference, "properties": [{"pid": "location", "v": {"id": "bishkek"}}]},
            "elsewhere": {**conference, "properties": [{"pid": "location", "v": "Osh"}]},
        },
    )
    for key in ("plain", "here", "by-id"):
        assert [c["id"] for c in body[key]["result"]] == ["conference"], key  # type: ignore[index]
    assert body["elsewhere"]["result"] == []  # type: ignore[index]


def test_the_service_help_mentions_loopback_by_default() -> None:
    help_text = " ".join(CliRunner().invoke(cli, ["serve", "--help"]).output.split())
    assert "[default: 127.0.0.1]" in help_text and "[default: 7878;" in help_text
    assert Path(ROOT / "src" / "annograph" / "serve" / "web" / "index.html").is_file()


def _children(pid: int) -> set[int]:
    """The child processes of ``pid``, whichever of its threads started them."""
    children = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        path = task / "children"
        if path.exists():
            children |= {int(child) for child in path.read_text().split()}
    return children


def _gone(pid: int, seconds: float = 10) -> bool:
    """Whether ``pid`` has ended (exited, or a zombie waiting to be reaped) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:  # reaped, possibly between two looks
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL])
def test_the_oxigraph_server_behind_stops_with_annograph(
    built: Project, signal_number: signal.Signals
) -> None:
    with annograph_serve(built) as server:
        backends = _children(server.process.pid)
        assert len(backends) == 1
        server.process.send_signal(signal_number)
        server.process.wait(timeout=10)
        # Stopped cleanly on SIGTERM; on SIGKILL, Linux ends it for the dead parent.
        assert _gone(backends.pop())


def test_a_browser_preflight_is_answered(served: Server) -> None:
    answer = httpx.options(
        served.query_url,
        headers={"Origin": "http://127.0.0.1:3333", "Access-Control-Request-Method": "POST"},
    )
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]


def test_serving_without_a_store_or_on_a_busy_port_is_a_clear_error(
    built: Project, tmp_path: Path
) -> None:
    runner = CliRunner()
    options = ["serve", "--project", str(built.root)]
    unbuilt = runner.invoke(cli, [*options, "--store", str(tmp_path / "none")])
    assert unbuilt.exit_code == 1
    assert "no store here" in unbuilt.output and "annograph build" in unbuilt.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        taken = runner.invoke(cli, [*options, "--store", str(built.store), "--port", port])
    assert taken.exit_code == 1 and "Traceback" not in taken.output
    assert f"cannot listen on 127.0.0.1:{port}" in taken.output and "--port" in taken.output


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_a_dead_engine_is_started_again(built: Project) -> None:
    with annograph_serve(built) as server:
        # Answering: the engine has started (the port listens a moment before it does).
        assert httpx.get(server.query_url, params={"query": COUNT}).status_code == 200
        (backend,) = _children(server.process.pid)
        os.kill(backend, signal.SIGKILL)
        assert _gone(backend)
        # The pages that need no SPARQL answer all along.
        assert httpx.get(server.url + "/entity", params={"id": "iom"}).status_code == 200
        statuses = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and statuses[-1:] != [200]:
            statuses.append(httpx.get(server.query_url, params={"query": COUNT}).status_code)
            time.sleep(0.1)
        # Meanwhile a 503 that says to retry, never a crash; then answers again.
        assert statuses[-1] == 200 and set(statuses) <= {200, 503}, statuses
        (restarted,) = _children(server.process.pid)
        assert restarted != backend
        assert "the query engine stopped (signal SIGKILL); restarting" in server.output()
        # Started by the thread that watches it, the new engine still dies with annograph.
        server.process.kill()
        server.process.wait(timeout=10)
        assert _gone(restarted)
