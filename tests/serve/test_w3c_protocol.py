"""The W3C SPARQL 1.1 Protocol test suite, replayed against ``annograph serve``.

tests/fixtures/w3c-protocol/manifest.ttl describes each test as HTTP requests (method, path,
headers, body) and the answers expected (status, format, ASK result). Each request is sent as
written, with only its ``/sparql/`` path replaced by the endpoint's, through ``http.client``,
which adds no header of its own but ``Host``, ``Content-Length`` and ``Accept-Encoding:
identity`` (a test that sends no ``Accept`` must reach the server without one).

The query tests must pass as written. The endpoint is read-only, so every update must be
refused: the update tests expect a 403 where the suite expects a 2xx, the queries that follow
an update (which check that it took effect) must find it did not, and the data must be the
same after each test as before. The data the dataset tests name by remote IRIs is the vendored
copy, loaded into the served store under those IRIs: no test reaches the internet.

One server for the module, on a copy of the built store with the suite's three graphs added.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from annograph import Project
from annograph.build._store import current_release
from tests.conftest import ROOT, Server, annograph_serve

pytestmark = pytest.mark.slow

SUITE = ROOT / "tests" / "fixtures" / "w3c-protocol"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
#: Media types the suite accepts for each expected format (its tests' names list them).
FORMATS = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {
        "application/sparql-results+xml",
        "application/sparql-results+json",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "text/html"},
}
#: Every graph and its size, as the served endpoint sees them: what an update must not change.
FINGERPRINT = """SELECT ?g (COUNT(*) AS ?n)
WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"""


@dataclass(frozen=True)
class Expected:
    statuses: frozenset[int]  # first digits: 2 for 2xx, 4 for 4xx
    format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: Expected


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    graphs: tuple[tuple[str, str], ...]  # (IRI the tests name it by, vendored file)
    requests: tuple[Request, ...]

    @property
    def is_update(self) -> bool:
        return "update" in self.name


def _manifest() -> list[ProtocolTest]:
    graph = ox.Store()
    graph.load(
        path=str(SUITE / "manifest.ttl"), format=ox.RdfFormat.TURTLE, base_iri=BASE + "manifest.ttl"
    )
    manifest = ox.NamedNode(BASE + "manifest.ttl")
    (entries,) = _objects(graph, manifest, MF + "entries")
    return [_test(graph, node) for node in _list(graph, entries)]


def _test(graph: ox.Store, node: ox.NamedNode | ox.BlankNode) -> ProtocolTest:
    assert isinstance(node, ox.NamedNode)
    (title,) = _objects(graph, node, MF + "name")
    graphs = tuple(
        (_value(graph, data, RDFS + "label"), _value(graph, data, UT + "graph").rsplit("/", 1)[1])
        for data in _objects(graph, node, UT + "graphData")
    )
    (action,) = _objects(graph, node, MF + "action")
    (requests,) = _objects(graph, action, HT + "requests")
    return ProtocolTest(
        node.value.rsplit("#", 1)[1],
        title.value,
        graphs,
        tuple(_request(graph, r) for r in _list(graph, requests)),
    )


def _request(graph: ox.Store, node: ox.Term) -> Request:
    headers = tuple(
        (_value(graph, h, HT + "fieldName"), _value(graph, h, HT + "fieldValue"))
        for headers in _objects(graph, node, HT + "headers")
        for h in _list(graph, headers)
    )
    body = None
    for content in _objects(graph, node, HT + "body"):
        encoding = _value(graph, content, CNT + "characterEncoding")
        body = _value(graph, content, CNT + "chars").encode(encoding)
    (response,) = _objects(graph, node, HT + "resp")
    statuses = frozenset(
        int(s.value.removeprefix(HTS + "StatusCode")[0])
        for s in _objects(graph, response, MF + "expectedStatus")
    )
    formats = _objects(graph, response, MF + "expectedFormat")
    booleans = _objects(graph, response, MF + "expectedBoolean")
    return Request(
        _value(graph, node, HT + "methodName"),
        _value(graph, node, HT + "absolutePath"),
        headers,
        body,
        Expected(
            statuses,
            formats[0].value if formats else None,
            booleans[0].value == "true" if booleans else None,
        ),
    )


def _objects(graph: ox.Store, subject: ox.Term, predicate: str) -> list[ox.Term]:
    pattern = graph.quads_for_pattern(subject, ox.NamedNode(predicate), None)  # type: ignore[arg-type]
    return [quad.object for quad in pattern]


def _value(graph: ox.Store, subject: ox.Term, predicate: str) -> str:
    (term,) = _objects(graph, subject, predicate)
    return str(term.value)  # type: ignore[union-attr]


def _list(graph: ox.Store, node: ox.Term) -> Iterator[ox.Term]:
    while node != ox.NamedNode(RDF + "nil"):
        (first,) = _objects(graph, node, RDF + "first")
        yield first
        (node,) = _objects(graph, node, RDF + "rest")


TESTS = _manifest()
QUERY_TESTS = [t for t in TESTS if not t.is_update]
UPDATE_TESTS = [t for t in TESTS if t.is_update]


# -- the server ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def suite_server(built: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``annograph serve`` on a copy of the built store with the suite's graphs added."""
    copy = tmp_path_factory.mktemp("w3c-protocol") / "store"
    built_release = current_release(built.store)
    assert built_release is not None
    releases = copy.with_name(copy.name + ".releases")
    shutil.copytree(built_release.parent, releases, symlinks=True)
    release = releases / built_release.name
    copy.symlink_to(release)
    project = Project(built.root, store_path=copy)
    store = ox.Store(str(release))
    for iri, name in {iri: name for t in TESTS for iri, name in t.graphs}.items():
        store.load(
            path=str(SUITE / name), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri)
        )
    store.flush()
    del store
    with annograph_serve(project) as server:
        yield server


def exchange(server: Server, request: Request, endpoint: str = "/sparql") -> Answer:
    """The request as the manifest writes it, its ``/sparql/`` path replaced by ``endpoint``."""
    path = request.path.replace("/sparql/", endpoint, 1)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(request.method, path, body=request.body, headers=dict(request.headers))
        response = connection.getresponse()
        return Answer(response.status, response.getheader("Content-Type") or "", response.read())
    finally:
        connection.close()


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    def boolean(self) -> bool:
        if self.media_type == "application/sparql-results+json":
            return bool(json.loads(self.body)["boolean"])
        results = ox.parse_query_results(self.body, format=ox.QueryResultsFormat.XML)
        assert isinstance(results, ox.QueryBoolean)
        return bool(results)

    def describe(self) -> str:
        return f"{self.status} {self.content_type}: {self.body[:300]!r}"


def fingerprint(server: Server) -> list[dict[str, str]]:
    request = Request(
        "POST",
        "/sparql/",
        (("Content-Type", "application/sparql-query"), ("Accept", "text/csv")),
        FINGERPRINT.encode(),
        Expected(frozenset({2}), None, None),
    )
    answer = exchange(server, request)
    assert answer.status == 200, answer.describe()
    return list(csv.DictReader(io.StringIO(answer.body.decode())))


def check_as_expected(answer: Answer, expected: Expected) -> None:
    assert answer.status // 100 in expected.statuses, answer.describe()
    if expected.format is not None:
        assert answer.media_type in FORMATS[expected.format], answer.describe()
        if expected.format == "RDF":
            _parse_rdf(answer)
    if expected.boolean is not None:
        assert answer.boolean() is expected.boolean, answer.describe()


def _parse_rdf(answer: Answer) -> list[ox.Triple]:
    format = ox.RdfFormat.from_media_type(answer.media_type)
    assert format is not None, answer.describe()
    return [q.triple for q in ox.parse(answer.body, format=format)]


# -- the suite ----------------------------------------------------------------------------------


def test_the_manifest_has_the_suite_s_34_tests() -> None:
    assert len(TESTS) == 34
    assert len(QUERY_TESTS) == 20 and len(UPDATE_TESTS) == 14


@pytest.mark.parametrize("test", QUERY_TESTS, ids=lambda t: t.name)
def test_query(suite_server: Server, test: ProtocolTest) -> None:
    for request in test.requests:
        check_as_expected(exchange(suite_server, request), request.expected)


@pytest.mark.parametrize("endpoint", ["/sparql", "/update"])
@pytest.mark.parametrize("test", UPDATE_TESTS, ids=lambda t: t.name)
def test_update_is_refused_and_changes_nothing(
    suite_server: Server, test: ProtocolTest, endpoint: str
) -> None:
    before = fingerprint(suite_server)
    update, *checks = test.requests
    answer = exchange(suite_server, update, endpoint)
    if update.expected.statuses == {4}:  # malformed: any 4xx the protocol allows
        assert answer.status // 100 == 4, answer.describe()
    else:  # a valid update: refused, as a read-only service does
        assert answer.status == 403, answer.describe()
        assert "read-only" in json.loads(answer.body)["error"]
    for check in checks:  # the queries that would see the update find it did not happen
        assert check.expected.boolean is True
        seen = exchange(suite_server, check)
        assert seen.status == 200 and seen.boolean() is False, seen.describe()
    assert fingerprint(suite_server) == before


def test_the_suite_s_graphs_are_served(suite_server: Server) -> None:
    """The dataset tests would pass on an empty store if the graphs were missing; they are not."""
    graphs = {row["g"] for row in fingerprint(suite_server)}
    assert {iri for t in TESTS for iri, _ in t.graphs} <= graphs


def _query(text: str, **headers: str) -> Request:
    all_headers = {"Content-Type": "application/sparql-query", **headers}
    return Request(
        "POST",
        "/sparql/",
        tuple(all_headers.items()),
        text.encode(),
        Expected(frozenset(), None, None),
    )


# -- beyond the suite: what it leaves to the service -------------------------------------------


def test_relative_iris_resolve_against_the_endpoint_s_url(suite_server: Server) -> None:
    query = _query("CONSTRUCT { <s> <#p> <?o> } WHERE {}")
    (triple,) = _parse_rdf(exchange(suite_server, query))
    endpoint = f"{suite_server.url}/sparql"
    assert (triple.subject.value, triple.predicate.value, triple.object.value) == (
        f"{suite_server.url}/s",
        endpoint + "#p",
        endpoint + "?o",
    )
    (on_query,) = _parse_rdf(exchange(suite_server, query, "/query"))
    assert on_query.predicate.value == f"{suite_server.url}/query#p"


def test_behind_a_proxy_the_forwarded_url_is_the_base(suite_server: Server) -> None:
    query = _query(
        "CONSTRUCT { <s> <p> 1 } WHERE {}",
        **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kg.example.org"},
    )
    (triple,) = _parse_rdf(exchange(suite_server, query))
    assert triple.subject.value == "https://kg.example.org/s"


def test_a_query_s_own_base_wins(suite_server: Server) -> None:
    query = _query("BASE <http://example.org/a/> CONSTRUCT { <s> <p> 1 } WHERE {}")
    (triple,) = _parse_rdf(exchange(suite_server, query))
    assert triple.subject.value == "http://example.org/a/s"


@pytest.mark.parametrize(
    ("text", "position"),
    [("ASK {", "1:6"), ('ASK { <é> ?p "é" . FILTER(', "1:27"), ("ASK {\n  ?s ?p\n}", "3:2")],
)
def test_syntax_errors_are_located_in_the_user_s_text(
    suite_server: Server, text: str, position: str
) -> None:
    answer = exchange(suite_server, _query(text))
    assert answer.status == 400
    assert answer.body.decode().startswith(f"error at {position}:"), answer.describe()


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/n-quads, */*;q=0.1", "application/n-quads"),
    ],
)
def test_graphs_are_turtle_unless_the_client_asks_otherwise(
    suite_server: Server, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    answer = exchange(suite_server, _query("CONSTRUCT { <s> <p> 1 } WHERE {}", **headers))
    assert answer.media_type == media_type
    assert len(_parse_rdf(answer)) == 1
    if accept in (None, "*/*"):  # and results stay JSON
        results = exchange(suite_server, _query("SELECT (1 AS ?one) {}", **headers))
        assert results.media_type == "application/sparql-results+json"


def test_from_and_the_protocol_s_dataset_choose_the_graphs(suite_server: Server) -> None:
    data1, data3 = (f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 3))
    count = "SELECT (COUNT(*) AS ?n) {from_} WHERE {{ ?s ?p ?o }}"
    counted = {
        "the store's default graph": _count(suite_server, count.format(from_="")),
        "FROM one graph": _count(suite_server, count.format(from_=f"FROM <{data1}>")),
        "FROM two graphs": _count(
            suite_server, count.format(from_=f"FROM <{data1}> FROM <{data3}>")
        ),
        "default-graph-uri over FROM": _count(
            suite_server,
            count.format(from_=f"FROM <{data1}>"),
            "?default-graph-uri=" + quote(data3, safe=""),
        ),
        "FROM an unknown graph": _count(
            suite_server, count.format(from_="FROM <http://example.org/none>")
        ),
    }
    assert counted["the store's default graph"] > 100
    assert {k: v for k, v in counted.items() if k != "the store's default graph"} == {
        "FROM one graph": 1,
        "FROM two graphs": 2,
        "default-graph-uri over FROM": 1,
        "FROM an unknown graph": 0,
    }


def test_from_an_article_s_graph_reads_its_facts_and_evidence(suite_server: Server) -> None:
    article = "https://w3id.org/annograph/data/graph/bishkek-migrants-day"
    in_graph = _count(
        suite_server, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{article}> {{ ?s ?p ?o }} }}"
    )
    from_graph = _count(suite_server, f"SELECT (COUNT(*) AS ?n) FROM <{article}> {{ ?s ?p ?o }}")
    default = _count(suite_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert from_graph == in_graph > 1000 and from_graph != default


def _count(server: Server, text: str, url: str = "") -> int:
    request = _query(text, Accept="application/sparql-results+json")
    request = Request(
        request.method, "/sparql/" + url, request.headers, request.body, request.expected
    )
    answer = exchange(server, request)
    assert answer.status == 200, answer.describe()
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])
