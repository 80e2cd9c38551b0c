"""``annograph serve`` against clients that tried to take it down, each attack replayed.

Every test ends by asking the server a plain query: it must answer within a few seconds.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from annograph import Project
from annograph._limits import MAX_NESTING
from annograph.cli import cli
from annograph.serve._server import REQUEST_SECONDS
from tests.conftest import Server, annograph_serve

pytestmark = pytest.mark.slow

PLAIN = "ASK { ?s ?p ?o }"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
DEEP = "ASK {" + "{" * 5000 + "}" * 5000 + "}"
# Sorting every row of a three-way cross join: gigabytes within seconds, past any timeout.
HUNGRY = "SELECT DISTINCT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a"


def _healthy(server: Server, within: float = 10.0) -> None:
    """The server answers a plain query within ``within`` seconds."""
    deadline = time.monotonic() + within
    last = ""
    while time.monotonic() < deadline:
        try:
            answer = httpx.post(
                server.query_url, data={"query": PLAIN}, headers=JSON_RESULTS, timeout=5
            )
            if answer.status_code == 200 and answer.json()["boolean"] is True:
                return
            last = f"{answer.status_code} {answer.text[:200]}"
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.2)
    pytest.fail(f"no answer to a plain query within {within} s: {last}\n{server.output()}")


@contextmanager
def _closed_port() -> Iterator[int]:
    """A loopback port nobody listens on (held bound, so that nobody takes it meanwhile)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@contextmanager
def _silent_listener() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def _service_query(port: int) -> str:
    return f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"


# -- 1. failing queries fill no pipe ------------------------------------------------------------


def test_a_thousand_failing_queries_do_not_hang_the_server(built: Project) -> None:
    with (
        _closed_port() as closed,
        annograph_serve(built, "--allow-service", f"http://127.0.0.1:{closed}/") as server,
        httpx.Client(timeout=30) as client,
    ):
        statuses = set()
        for _ in range(1000):
            answer = client.post(server.query_url, data={"query": _service_query(closed)})
            statuses.add(answer.status_code)
        # Each one is an error the client sees, and the engine said why in the log.
        assert statuses == {502}
        _healthy(server)
        assert "Connection refused" in server.output()


# -- 2. nesting that would crash the engine -----------------------------------------------------


def test_a_query_nested_too_deep_is_refused_and_the_engine_lives(served: Server) -> None:
    form = httpx.post(served.query_url, data={"query": DEEP})
    body = httpx.post(
        served.query_url,
        content=DEEP.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    url = httpx.get(served.query_url, params={"query": "ASK {" + "{" * 300 + "}" * 300 + "}"})
    for answer in (form, body, url):
        assert answer.status_code == 400
        assert f"the limit is {MAX_NESTING}" in answer.json()["error"]
    _healthy(served)


def test_the_command_line_refuses_it_too(built: Project, runner: CliRunner) -> None:
    """The same text made a pyoxigraph process segfault (exit 139)."""
    options = ["--project", str(built.root), "--store", str(built.store)]
    result = runner.invoke(cli, ["query", *options, "-"], input=DEEP)
    assert result.exit_code == 1
    assert "nested 5001 deep; the limit is 100" in result.output
    assert "<stdin>:1:" in result.output or "-:1:" in result.output


# -- 3. memory ----------------------------------------------------------------------------------


def test_a_query_past_the_memory_limit_restarts_the_engine(built: Project) -> None:
    with annograph_serve(built, "--memory-limit", "300M", "--timeout", "20") as server:
        answer = httpx.post(server.query_url, data={"query": HUNGRY}, timeout=60)
        assert answer.status_code == 503
        assert "memory limit" in answer.json()["error"]
        assert answer.headers["Retry-After"]
        _healthy(server)
        assert "stopped (signal SIGABRT: a query may have needed more" in server.output()


# -- 4. SERVICE ---------------------------------------------------------------------------------


def test_service_is_refused_unless_allowed(served: Server) -> None:
    """A public endpoint must not fetch the URLs its clients name."""
    query = _service_query(7878)
    for answer in (
        httpx.get(served.query_url, params={"query": query}),
        httpx.post(served.query_url, data={"query": query}),
    ):
        assert answer.status_code == 400, answer.text
        assert "is not allowed here" in answer.json()["error"]
        assert "--allow-service" in answer.json()["hint"]
    # A saved query that federates is not offered, and says why when asked for.
    saved = httpx.get(served.url + "/api/queries/wikidata-crosscheck")
    assert saved.status_code == 403 and "--allow-service" in saved.json()["hint"]
    # Hidden in a comment or a string, it is no call.
    harmless = "SELECT ('SERVICE <http://x/>' AS ?t) WHERE { } # SERVICE <http://y/>"
    assert httpx.get(served.query_url, params={"query": harmless}).status_code == 200
    _healthy(served)


def test_the_endpoints_allowed_in_the_config_may_be_called(project_copy: Project) -> None:
    with _closed_port() as closed:
        (project_copy.root / "annograph.toml").write_text(
            f'allow_service = ["http://127.0.0.1:{closed}/"]\n', encoding="utf-8"
        )
        project_copy.build()
        with annograph_serve(project_copy) as server:
            answer = httpx.post(server.query_url, data={"query": _service_query(closed)})
    # Called (and refused by nobody listening), not refused by the server.
    assert answer.status_code == 502, answer.text
    assert "Connection refused" in answer.json()["error"]


def test_an_endpoint_that_never_answers_does_not_hang_the_server(built: Project) -> None:
    with _silent_listener() as silent:
        prefix = f"http://127.0.0.1:{silent}/"
        with annograph_serve(built, "--allow-service", prefix, "--timeout", "2") as server:

            def ask() -> int:
                query = _service_query(silent)
                return httpx.post(server.query_url, data={"query": query}, timeout=60).status_code

            with ThreadPoolExecutor(10) as pool:
                statuses = list(pool.map(lambda _: ask(), range(10)))
            assert set(statuses) <= {503, 504}, statuses
            _healthy(server)


# -- 5. an answer that fails part-way -----------------------------------------------------------


def _failing_at_once(port: int) -> str:
    """A few rows of data, and a SERVICE that cannot be reached."""
    return (
        "SELECT * WHERE { { SELECT * { ?s ?p ?o } LIMIT 10 } "
        f"UNION {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }} }}"
    )


#: Rows by the million, streamed until the server's time limit cuts the answer.
ENDLESS = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }"


@pytest.fixture(scope="module")
def federating(built: Project) -> Iterator[tuple[Server, int]]:
    with (
        _closed_port() as closed,
        annograph_serve(
            built, "--allow-service", f"http://127.0.0.1:{closed}/", "--timeout", "2"
        ) as server,
    ):
        yield server, closed


@pytest.mark.parametrize("accept", ["text/csv", "application/sparql-results+json"])
def test_an_answer_that_fails_before_it_is_sent_is_an_error_status(
    federating: tuple[Server, int], accept: str
) -> None:
    """Oxigraph answered 200 with 'Connection refused (os error 111)' as the last row."""
    server, closed = federating
    headers = {"Accept": accept}
    answer = httpx.post(server.query_url, data={"query": _failing_at_once(closed)}, headers=headers)
    assert answer.status_code == 502, answer.text[-300:]
    assert "Connection refused" in answer.json()["error"]
    _healthy(server)


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values"])
def test_an_answer_cut_after_megabytes_is_broken_off(
    federating: tuple[Server, int], accept: str
) -> None:
    """CSV and TSV have no end mark: only a connection broken off tells a client."""
    server, _ = federating
    headers = {"Accept": accept}
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(server.query_url, data={"query": ENDLESS}, headers=headers, timeout=60)
    _healthy(server)


@pytest.mark.parametrize("kind", ["failed", "cut"])
def test_standard_clients_see_the_failure(federating: tuple[Server, int], kind: str) -> None:
    server, closed = federating
    query = _failing_at_once(closed) if kind == "failed" else ENDLESS
    wrapper = SPARQLWrapper(server.query_url)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(JSON)
    with pytest.raises(Exception):  # noqa: B017 - any error will do, but no answer
        wrapper.query().convert()
    with pytest.raises(Exception):  # noqa: B017
        list(rdflib.Graph(store=SPARQLStore(server.query_url)).query(query))
    curl = shutil.which("curl")
    if curl is not None:
        done = subprocess.run(
            [curl, "-sf", "-o", os.devnull, "--data-urlencode", f"query={query}", server.query_url],
            capture_output=True,
        )
        assert done.returncode != 0
    _healthy(server)


# -- 6. slow clients ----------------------------------------------------------------------------


def test_slow_clients_do_not_stop_new_connections(served: Server) -> None:
    """Slowloris: connections that send their headers a byte at a time."""
    slow = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(150)]
    try:
        for connection in slow:
            connection.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        _healthy(served, within=5)
        # Past the deadline for a whole request, a slow connection is cut when it next sends.
        time.sleep(REQUEST_SECONDS + 1)
        cut = 0
        for connection in slow:
            connection.settimeout(5)
            try:
                connection.sendall(b"X-Slow: 1\r\n")
                cut += connection.recv(1) == b""
            except OSError:
                cut += 1
        assert cut == len(slow)
    finally:
        for connection in slow:
            connection.close()
    _healthy(served)


# -- 9. reconciliation input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"queries": '{"q0": {"query": "IOM", "limit": Infinity}}'}, "'Infinity' is not"),
        ({"queries": '{"q0": {"query": "IOM", "limit": 1e400}}'}, "'limit' must be"),
        ({"queries": "[" * 100_000 + "]" * 100_000}, "nested more than"),
        ({"queries": '{"q0": {"query": "IOM", "limit": -1}}'}, "'limit' must be"),
        (b"queries=%7B%7D\xff", "not UTF-8"),
    ],
    ids=["infinity", "huge", "deep", "negative", "not-utf8"],
)
def test_malformed_reconciliation_requests_are_400s(
    served: Server, body: dict[str, str] | bytes, message: str
) -> None:
    url = served.url + "/reconcile"
    if isinstance(body, bytes):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = httpx.post(url, content=body, headers=headers)
    else:
        answer = httpx.post(url, data=body)
    assert answer.status_code == 400, answer.text[:300]
    assert message in answer.json()["error"]
    _healthy(served)


# -- the soak -----------------------------------------------------------------------------------


def test_a_soak_of_mixed_queries_leaves_the_server_healthy(built: Project) -> None:
    """Thousands of good, failing, refused and timed-out queries, from several clients."""
    kinds: list[tuple[str, Callable[[httpx.Client, Server], int], set[int]]] = [
        ("good", lambda c, s: c.post(s.query_url, data={"query": PLAIN}).status_code, {200}),
        ("syntax", lambda c, s: c.get(s.query_url, params={"query": "SELEC"}).status_code, {400}),
        ("deep", lambda c, s: c.post(s.query_url, data={"query": DEEP}).status_code, {400}),
        (
            "service",
            lambda c, s: c.post(s.query_url, data={"query": _service_query(1)}).status_code,
            {400},
        ),
        (
            "update",
            lambda c, s: c.post(s.url + "/update", data={"update": "CLEAR ALL"}).status_code,
            {403},
        ),
        ("api", lambda c, s: c.get(s.url + "/api/queries/organizers").status_code, {200}),
    ]
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with annograph_serve(built, "--timeout", "1") as server:
        failures: list[str] = []

        def client(number: int) -> None:
            with httpx.Client(timeout=60) as http:
                for step in range(500):
                    name, call, expected = kinds[(number + step) % len(kinds)]
                    status = call(http, server)
                    if status not in expected:
                        failures.append(f"{name}: {status}")
                    if step % 100 == 0:  # now and then a query that runs out of time
                        answer = http.post(server.query_url, data={"query": slow})
                        if answer.status_code not in (503, 504):
                            failures.append(f"timeout: {answer.status_code}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        _healthy(server, within=3)
        assert "the query engine stopped" not in server.output()
