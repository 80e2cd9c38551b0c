"""Remote engines: push with the Graph Store Protocol and query over the SPARQL protocol, against a
real ``oxigraph serve`` on 127.0.0.1."""

from __future__ import annotations

import base64
import gc
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph import Project
from annograph._http import EndpointError
from annograph.annotations._ontology import ONTOLOGY_IRI
from annograph.build._graph import Minter
from annograph.cli import cli
from annograph.errors import QueryError
from annograph.publish._push import PushedGraph, Target, graph_store_url
from annograph.query._remote import query_endpoint
from annograph.query._saved import bind, parse_query
from annograph.serve._engine import free_port, oxigraph_command
from tests.conftest import (
    SEMINAR_ENTITIES,
    SEMINAR_HEADER,
    SEMINAR_TEXT,
    Server,
    garbage_freed_on_another_thread,
    running,
    writable_oxigraph,
)

pytestmark = pytest.mark.slow

INJECTION = 'alice" . ?s ?p ?o } #'


@pytest.fixture(scope="module")
def pushed(built: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Oxigraph server holding what ``push`` sent it."""
    with writable_oxigraph(tmp_path_factory.mktemp("remote") / "store") as server:
        built.push(_target(server))
        yield server


def _target(server: Server, **options: float) -> Target:
    return Target(server.query_url, graph_store_url(server.query_url), **options)  # type: ignore[arg-type]


def _remote_quads(server: Server) -> set[str]:
    response = httpx.get(server.url + "/store", headers={"Accept": "application/n-quads"})
    assert response.status_code == 200
    return {str(q) for q in ox.parse(response.content, format=ox.RdfFormat.N_QUADS)}


def _lines(result: object) -> list[str]:
    if isinstance(result, ox.QueryTriples):
        return sorted(str(t) for t in result)
    assert isinstance(result, ox.QuerySolutions | ox.QueryBoolean)
    data = result.serialize(format=ox.QueryResultsFormat.TSV)
    assert data is not None
    return sorted(data.decode().splitlines())


def test_the_graph_store_url_sits_beside_the_query_url() -> None:
    assert graph_store_url("http://h:7878/query") == "http://h:7878/store"
    assert graph_store_url("http://h:7878/sparql/") == "http://h:7878/store"
    assert graph_store_url("https://h/db/query?x=1") == "https://h/db/store"


def test_push_writes_every_graph_with_the_same_triples(pushed: Server, built: Project) -> None:
    local = ox.Store.read_only(str(built.store))
    ours = {str(q) for q in local}
    # Blank nodes are relabelled on the way; everything else must be identical.
    assert {q for q in _remote_quads(pushed) if "_:" not in q} == {q for q in ours if "_:" not in q}
    assert len(_remote_quads(pushed)) == len(ours)


def test_pushing_twice_gives_the_same_store(pushed: Server, built: Project) -> None:
    before = _remote_quads(pushed)
    result = built.push(_target(pushed))
    graphs = result.graphs
    assert result.removed == [] and result.kept == []
    # The ontology first, then the default graph of the facts (what queries read).
    assert [g.graph for g in graphs][:2] == [ONTOLOGY_IRI, ""]
    local = ox.Store.read_only(str(built.store))
    assert {g.graph for g in graphs} == {"", *(g.value for g in local.named_graphs())}
    assert len(graphs) == 6  # the ontology, the facts, the three articles, the shared entities
    after = _remote_quads(pushed)
    assert len(after) == len(before)
    assert {q for q in after if "_:" not in q} == {q for q in before if "_:" not in q}


def test_a_graph_larger_than_a_piece_goes_as_a_put_and_posts(
    built: Project, tmp_path: Path
) -> None:
    with writable_oxigraph(tmp_path / "store") as server:
        target = Target(server.query_url, graph_store_url(server.query_url), chunk_bytes=64 * 1024)
        graphs = built.push(target).graphs  # the counts are checked
        assert max(g.requests for g in graphs) > 5
        local = {str(q) for q in ox.Store.read_only(str(built.store))}
        remote = _remote_quads(server)
        # Blank nodes are relabelled on the way (the graphs with some go whole).
        assert {q for q in remote if "_:" not in q} == {q for q in local if "_:" not in q}
        assert len(remote) == len(local)


def test_every_saved_query_answers_the_same_remotely(pushed: Server, built: Project) -> None:
    for query in built.saved_queries():
        if "federated" in query.tags:
            continue
        local = built.run_query(query.name)
        remote = built.run_query(query.name, endpoint=pushed.query_url)
        assert _lines(remote) == _lines(local), query.name


def test_a_parameter_is_one_term_remotely_too(pushed: Server, built: Project) -> None:
    lines = _lines(built.run_query("entity", {"entity": ["IOM"]}, endpoint=pushed.query_url))
    rows = [line for line in lines if not line.startswith("?")]
    iom = "<https://w3id.org/annograph/data/id/iom>"
    assert len(rows) > 5 and all(row.startswith(iom) for row in rows)
    # The value that rewrites a naively formatted query is not an IRI: it never reaches it.
    with pytest.raises(QueryError, match="needs an IRI"):
        built.run_query("entity", {"entity": [INJECTION]}, endpoint=pushed.query_url)


def test_a_server_stopped_mid_push_gives_a_clear_error_and_a_later_push_completes(
    built: Project, tmp_path: Path
) -> None:
    location = tmp_path / "store"
    port = free_port()
    with writable_oxigraph(location, port) as server:

        def stop_after_the_first(graph: PushedGraph) -> None:
            server.stop()

        with pytest.raises(EndpointError) as caught:
            built.push(_target(server, retries=2, backoff=0.01), progress=stop_after_the_first)
    message = str(caught.value)
    # The ontology went; the default graph of the facts comes next.
    assert "could not push the default graph" in message
    assert "after 3 tries" in message and "run 'annograph push' again" in message
    with writable_oxigraph(location, port) as server:
        # The graph pushed before the stop is there; the push completes the rest.
        assert httpx.get(server.url + "/store", params={"graph": ONTOLOGY_IRI}).status_code == 200
        graphs = built.push(_target(server)).graphs
        assert sum(g.triples for g in graphs) == len(ox.Store.read_only(str(built.store)))


def test_a_target_serving_the_union_of_its_graphs_as_default_is_named(
    built: Project, tmp_path: Path
) -> None:
    """Such a target would count each fact again for every graph that states it."""
    command = [oxigraph_command(), "serve", "--location", str(tmp_path / "store")]
    with running(*command, "--union-default-graph") as server:
        with pytest.raises(EndpointError) as caught:
            built.push(_target(server))
    assert "the default graph:" in caught.value.message
    assert caught.value.hint is not None and "--union-default-graph" in caught.value.hint


def test_push_and_remote_query_from_the_command_line(
    pushed: Server, built: Project, runner: CliRunner
) -> None:
    options = ["--project", str(built.root), "--store", str(built.store)]
    result = runner.invoke(cli, ["push", *options, "--endpoint", pushed.query_url])
    assert result.exit_code == 0, result.output
    assert "6 graphs" in result.stdout and "counts checked" in result.stdout
    remote = runner.invoke(cli, ["query", *options, "organizers", "--endpoint", pushed.query_url])
    local = runner.invoke(cli, ["query", *options, "organizers"])
    assert remote.exit_code == 0 and remote.stdout == local.stdout


def test_an_unreachable_endpoint_is_a_clear_error(built: Project, runner: CliRunner) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    options = ["--project", str(built.root), "--store", str(built.store), "--endpoint", url]
    for command in (["query", "organizers"], ["push", "--retries", "0"]):
        result = runner.invoke(cli, [*command, *options])
        assert result.exit_code == 1
        assert f"cannot reach http://127.0.0.1:{url.split(':')[2].split('/')[0]}" in result.output
        assert "Traceback" not in result.output


def test_an_answer_cut_by_the_server_timeout_is_an_error(built: Project) -> None:
    command = [oxigraph_command(), "serve-read-only", "--location", str(built.store.resolve())]
    cross_join = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    bound = bind(parse_query(cross_join, path=Path("cross.rq")), {}, prefixes={})
    with running(*command, "--timeout-s", "1") as server:
        # Oxigraph answers 200 and a body cut short: the client must not take it for an answer.
        error = _kept_in_a_cycle(lambda: query_endpoint(server.query_url, bound))
    assert "does not parse" in error.message
    assert error.hint is not None and "timeout" in error.hint
    # The error must not hold the half-read answer for another thread to free.
    assert garbage_freed_on_another_thread() == []


def _kept_in_a_cycle(call: Callable[[], object]) -> EndpointError:
    """The error ``call`` raises, caught as a caller that keeps it does: in a reference cycle."""
    gc.collect()
    try:
        call()
    except EndpointError as error:
        kept = error  # this frame holds the error, whose traceback holds this frame
        return EndpointError(kept.message, location=kept.location, hint=kept.hint)
    raise AssertionError("no error")


@contextmanager
def _on_loopback(app: Callable[..., list[bytes]]) -> Iterator[int]:
    """A WSGI app served on 127.0.0.1 in a thread, for as long as the block runs; its port."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_push_with_basic_auth_through_a_proxy_that_wants_it(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """A reverse proxy that asks for credentials, as a Fuseki or GraphDB in production does."""
    expected = "Basic " + base64.b64encode(b"curator:s3cret").decode()
    with writable_oxigraph(tmp_path / "store") as oxigraph:

        def proxy(environ: dict[str, object], start_response: object) -> list[bytes]:
            if environ.get("HTTP_AUTHORIZATION") != expected:
                start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="x"')])  # type: ignore[operator]
                return [b"credentials, please"]
            length = int(str(environ.get("CONTENT_LENGTH") or 0))
            body = environ["wsgi.input"].read(length)  # type: ignore[attr-defined]
            answer = httpx.request(
                str(environ["REQUEST_METHOD"]),
                f"{oxigraph.url}{environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')}",
                content=body,
                headers={
                    "Content-Type": str(environ.get("CONTENT_TYPE") or "text/plain"),
                    "Accept": str(environ.get("HTTP_ACCEPT") or "*/*"),
                },
            )
            start_response(  # type: ignore[operator]
                f"{answer.status_code} {answer.reason_phrase}",
                [("Content-Type", answer.headers.get("Content-Type", "text/plain"))],
            )
            return [answer.content]

        with _on_loopback(proxy) as port:
            options = ["--project", str(built.root), "--store", str(built.store)]
            url = f"http://127.0.0.1:{port}/query"
            refused = runner.invoke(cli, ["push", *options, "--endpoint", url])
            assert refused.exit_code == 1 and "401" in refused.output
            assert "--user" in refused.output
            monkeypatch.setenv("ANNOGRAPH_PASSWORD", "s3cret")
            accepted = runner.invoke(
                cli, ["push", *options, "--endpoint", url, "--user", "curator"]
            )
            assert accepted.exit_code == 0, accepted.output
            assert "counts checked" in accepted.stdout


def _graph_counts(server: Server) -> dict[str, int]:
    """Each graph of a target and its triple count, the default graph as ''."""
    query = (
        "SELECT ?g (COUNT(*) AS ?n) { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } GROUP BY ?g"
    )
    answer = httpx.post(
        server.query_url, data={"query": query}, headers={"Accept": "application/json"}
    ).json()
    rows = answer["results"]["bindings"]
    return {row.get("g", {}).get("value", ""): int(row["n"]["value"]) for row in rows}


def test_push_after_an_article_is_deleted_leaves_the_target_equal_to_the_build(
    project_copy: Project, tmp_path: Path, runner: CliRunner
) -> None:
    """The target mirrors the build graph by graph; other data there is left alone."""
    second = project_copy.data / "articles" / "seminar"
    second.mkdir(parents=True)
    (second / "article.md").write_text(SEMINAR_TEXT, encoding="utf-8")
    (second / "annotations.yaml").write_text(SEMINAR_HEADER + SEMINAR_ENTITIES, "utf-8")
    project_copy.build()
    options = ["--project", str(project_copy.root)]
    other = "http://example.org/someone-elses-graph"
    with writable_oxigraph(tmp_path / "target") as server:
        put = httpx.put(
            server.url + "/store",
            params={"graph": other},
            content=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n",
            headers={"Content-Type": "application/n-triples"},
        )
        assert put.status_code in (201, 204)
        first = runner.invoke(cli, ["push", *options, "--endpoint", server.query_url])
        assert first.exit_code == 0, first.output
        gone = Minter(project_copy.base_iri).graph("seminar").value
        assert gone in _graph_counts(server)

        shutil.rmtree(second)
        project_copy.build()
        kept = runner.invoke(
            cli, ["push", *options, "--endpoint", server.query_url, "--keep-extra"]
        )
        assert kept.exit_code == 0, kept.output
        assert f"kept <{gone}>" in kept.output and gone in _graph_counts(server)

        mirrored = runner.invoke(cli, ["push", *options, "--endpoint", server.query_url])
        assert mirrored.exit_code == 0, mirrored.output
        assert f"deleted <{gone}>" in mirrored.output
        there = _graph_counts(server)
        assert there.pop(other) == 1
        store = ox.Store.read_only(str(project_copy.store))
        here = {
            g.value: len(list(store.quads_for_pattern(None, None, None, g)))
            for g in store.named_graphs()
            if isinstance(g, ox.NamedNode)
        }
        here[""] = len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
        assert there == here


def test_a_count_endpoint_that_answers_a_web_page_is_a_clear_error(
    built: Project, tmp_path: Path, runner: CliRunner
) -> None:
    """A wrong --endpoint (a web page, a login form) answering 200 with HTML."""

    def page(environ: dict[str, object], start_response: object) -> list[bytes]:
        environ["wsgi.input"].read(int(str(environ.get("CONTENT_LENGTH") or 0)))  # type: ignore[attr-defined]
        start_response("200 OK", [("Content-Type", "text/html")])  # type: ignore[operator]
        return [b"<!doctype html><html><body>Welcome</body></html>"]

    with _on_loopback(page) as port:
        options = ["--project", str(built.root), "--store", str(built.store)]
        url = f"http://127.0.0.1:{port}/query"
        result = runner.invoke(cli, ["push", *options, "--endpoint", url, "--retries", "0"])
    assert result.exit_code == 1, result.output
    assert "something other than SPARQL JSON results (text/html" in result.output
    assert "Traceback" not in result.output and "hint:" in result.output
