"""Pushing the built graph to another triple store with the SPARQL 1.1 Graph Store Protocol.

Each graph goes in one ``PUT``, which replaces that graph whole: the ontology's first (so that a
target never holds data without its vocabulary), then the default graph of the facts (what
queries read), then each article's graph and the shared entities'. Pushing twice gives the same
store, and a push cut short is finished by pushing again. The target then mirrors the build:
graphs of the project (under its base IRI, and the ontology's) that the target has and the
build does not, an article since deleted say, are deleted there (unless kept on purpose);
graphs of other data are left alone. Last the endpoint is asked which graphs it has and how
many triples each holds, and a difference is an error.

The target keeps the layout (see :mod:`annograph.build._graph`), so saved queries answer there as
here, on any engine, with its default graph as it is: an engine set to serve the union of its
graphs as the default graph (Oxigraph's ``--union-default-graph``) would count each fact again
for every article that states it, and the counts say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from annograph._http import N_TRIPLES, SPARQL_RESULTS_JSON, EndpointError, excerpt, unreachable
from annograph.annotations._ontology import ONTOLOGY_IRI

DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 1.0  # seconds before the first retry; doubled for each one after
_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_DEFAULT_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
#: How a pushed graph names the default graph.
DEFAULT_GRAPH = ""


@dataclass(frozen=True, slots=True)
class Target:
    """Where to push: a SPARQL query endpoint and the Graph Store Protocol URL beside it."""

    endpoint: str
    graph_store: str
    auth: httpx.Auth | None = None
    timeout: float = 300.0
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF


@dataclass(frozen=True, slots=True)
class PushedGraph:
    """One graph written to the target, and how many triples it holds there; the default
    graph's ``graph`` is ``""``."""

    graph: str
    triples: int
    #: 1-based position among the ``total`` graphs of the push, for progress reports.
    number: int = 1
    total: int = 1


def graph_store_url(endpoint: str) -> str:
    """The Graph Store Protocol URL of an Oxigraph server, from its query URL.

    ``http://host:7878/query`` (or ``/sparql``) gives ``http://host:7878/store``. Other engines
    put it elsewhere (Fuseki: ``/DATASET/data``); give those with ``--graph-store``.
    """
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for suffix in ("/query", "/sparql"):
        if path.endswith(suffix):
            path = path.removesuffix(suffix)
    return urlunsplit(parts._replace(path=path + "/store", query="", fragment=""))


@dataclass(frozen=True, slots=True)
class Pushed:
    """What a push did: the graphs written, and the target's graphs of the project that the
    build no longer has, deleted (``removed``) or, with ``keep_extra``, left (``kept``)."""

    graphs: list[PushedGraph]
    removed: list[str]
    kept: list[str]


def push_store(
    store: ox.Store,
    target: Target,
    *,
    namespaces: Sequence[str] = (),
    keep_extra: bool = False,
    progress: Callable[[PushedGraph], None] | None = None,
) -> Pushed:
    """PUT every graph of ``store`` to ``target``, delete the project's graphs it no longer
    has there, then check the graphs and their triple counts there.

    :param namespaces: IRI prefixes of the project's graphs; a target's graph under one of
        them that the store does not have is deleted, unless ``keep_extra``.
    :param progress: called after each graph is written.
    :raises EndpointError: if a graph cannot be written or deleted after the retries (the
        graphs written before it stay written), or the target's graphs or counts differ from
        the store's.
    """
    pushed = []
    graphs = _graphs(store)
    with httpx.Client(auth=target.auth, timeout=target.timeout) as client:
        for number, graph in enumerate(graphs, start=1):
            # Oxigraph's own serializer: no term becomes a Python object on the way.
            body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
            name = graph.value if isinstance(graph, ox.NamedNode) else DEFAULT_GRAPH
            _send(client, target, "PUT", name, body)
            done = PushedGraph(name, body.count(b"\n"), number, len(graphs))
            pushed.append(done)
            if progress is not None:
                progress(done)
        names = {p.graph for p in pushed}
        extra = sorted(
            graph
            for graph in _target_graphs(client, target)
            if graph not in names and graph.startswith(tuple(namespaces))
        )
        if not keep_extra:
            for iri in extra:
                _send(client, target, "DELETE", iri, b"")
        kept = extra if keep_extra else []
        _check_counts(client, target, pushed, namespaces=namespaces, kept=kept)
    return Pushed(pushed, [] if keep_extra else extra, extra if keep_extra else [])


def _graphs(store: ox.Store) -> list[ox.NamedNode | ox.DefaultGraph]:
    """The ontology's graph, the default graph, then the others by name."""
    named = sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)),
        key=lambda g: (g.value != ONTOLOGY_IRI, g.value),
    )
    return [*named[:1], ox.DefaultGraph(), *named[1:]] if named else [ox.DefaultGraph()]


def _send(client: httpx.Client, target: Target, method: str, graph: str, body: bytes) -> None:
    """One PUT or DELETE of a graph, retried with exponential backoff on connection errors
    and 5xx answers. (A DELETE of a graph already gone, 404, is done.)"""
    attempts = target.retries + 1
    failure = EndpointError("no attempt made")
    for attempt in range(attempts):
        if attempt:
            time.sleep(target.backoff * 2 ** (attempt - 1))
        try:
            response = client.request(
                method,
                _graph_url(target.graph_store, graph),
                content=body if method == "PUT" else None,
                headers={"Content-Type": N_TRIPLES} if method == "PUT" else {},
            )
        except httpx.HTTPError as error:
            failure = unreachable(target.graph_store, error)
            continue
        if response.status_code in (200, 201, 204) or (
            method == "DELETE" and response.status_code == 404
        ):
            return
        failure = EndpointError(
            f"{target.graph_store} answered {response.status_code} "
            f"{response.reason_phrase} to the {method} of {_name(graph)}: "
            + excerpt(response.text),
            hint=_put_hint(response.status_code),
        )
        if response.status_code < 500:
            raise failure
    raise EndpointError(
        f"could not {'push' if method == 'PUT' else 'delete'} {_name(graph)} after {attempts} "
        f"tries: {failure.message}",
        hint="the graphs pushed before it are complete, and each PUT replaces a whole graph: "
        "run 'annograph push' again once the server answers",
    )


def _target_graphs(client: httpx.Client, target: Target) -> list[str]:
    """The named graphs the target has (empty ones too, where the engine lists them)."""
    rows = _bindings(_ask(client, target, _GRAPHS), target)
    return [row["g"]["value"] for row in rows if row.get("g", {}).get("type") == "uri"]


def _graph_url(graph_store: str, graph: str) -> httpx.URL:
    """The Graph Store Protocol's address of a graph: ``?graph=IRI``, or ``?default``."""
    if graph == DEFAULT_GRAPH:
        return httpx.URL(graph_store + ("&" if "?" in graph_store else "?") + "default")
    return httpx.URL(graph_store, params={"graph": graph})


def _put_hint(status: int) -> str:
    if status in (401, 403):
        return "the graph store wants credentials (--user, ANNOGRAPH_PASSWORD) or is read-only"
    if status in (404, 405):
        return "check --graph-store: it should be the engine's Graph Store Protocol URL"
    return "see the server's log"


def _check_counts(
    client: httpx.Client,
    target: Target,
    pushed: list[PushedGraph],
    *,
    namespaces: Sequence[str],
    kept: Sequence[str],
) -> None:
    counts = {}
    for row in _bindings(_ask(client, target, _COUNTS), target):
        graph, count = row.get("g", {}), row.get("n", {})
        if graph.get("type") == "uri" and "value" in count:
            counts[graph["value"]] = _integer(count["value"], target)
    counts[DEFAULT_GRAPH] = _count(client, target, _DEFAULT_COUNT)
    wrong = [
        f"{_name(p.graph)}: {counts.get(p.graph, 0)} there, {p.triples} here"
        for p in pushed
        if counts.get(p.graph, 0) != p.triples
    ]
    # The project's graphs there are the build's (and those kept on purpose), no others.
    left = set(counts) - {p.graph for p in pushed} - set(kept) - {DEFAULT_GRAPH}
    ours = sorted(g for g in left if g.startswith(tuple(namespaces)))
    wrong += [f"{_name(g)}: there, not built" for g in ours]
    if wrong:
        union = counts[DEFAULT_GRAPH] > next(
            (p.triples for p in pushed if p.graph == DEFAULT_GRAPH), 0
        )
        raise EndpointError(
            "the target's triple counts differ after the push: " + "; ".join(wrong),
            hint="the engine serves the union of its graphs as its default graph: run it "
            "without that (Oxigraph: without --union-default-graph)"
            if union
            else "another client may be writing the same graphs, or the engine rewrote some "
            "triples (blank nodes, literals); push again and compare",
        )


def _name(graph: str) -> str:
    return "the default graph" if graph == DEFAULT_GRAPH else f"<{graph}>"


def _ask(client: httpx.Client, target: Target, query: str) -> httpx.Response:
    try:
        return client.post(
            target.endpoint, data={"query": query}, headers={"Accept": SPARQL_RESULTS_JSON}
        )
    except httpx.HTTPError as error:
        raise unreachable(target.endpoint, error) from error


def _count(client: httpx.Client, target: Target, query: str) -> int:
    rows = _bindings(_ask(client, target, query), target)
    return _integer(rows[0]["n"].get("value"), target) if rows and "n" in rows[0] else 0


def _integer(value: object, target: Target) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise _not_sparql(target, f"a count that is not a number ({str(value)[:40]!r})") from None


def _bindings(response: httpx.Response, target: Target) -> list[dict[str, dict[str, str]]]:
    """The rows of a SPARQL JSON answer, as plain data: a row maps variables to terms."""
    if response.status_code != 200:
        raise EndpointError(
            f"{target.endpoint} answered {response.status_code} {response.reason_phrase} to "
            f"the count query: {excerpt(response.text)}",
            hint="check --endpoint: it should be the engine's SPARQL query URL",
        )
    try:
        rows = response.json()["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as error:
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        raise _not_sparql(target, f"{kind}: {excerpt(response.text, 80)}") from error
    if not isinstance(rows, list) or not all(
        isinstance(row, dict) and all(isinstance(term, dict) for term in row.values())
        for row in rows
    ):
        raise _not_sparql(target, "JSON that is not SPARQL results")
    return rows


def _not_sparql(target: Target, what: str) -> EndpointError:
    return EndpointError(
        f"{target.endpoint} answered the count query with something other than SPARQL JSON "
        f"results ({what})",
        hint="check --endpoint: it should be the engine's SPARQL query URL, not a web page",
    )
