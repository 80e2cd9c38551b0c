"""Pushing the built graph to another triple store with the SPARQL 1.1 Graph Store Protocol.

Each graph goes in one ``PUT``, which replaces that graph whole: the ontology's first (so that a
target never holds data without its vocabulary), then the default graph of the facts (what
queries read), then each article's graph and the shared entities'. Pushing twice gives the same
store, and a push cut short is finished by pushing again. Afterwards the endpoint is asked how
many triples each graph holds, and a difference is an error.

The target keeps the layout (see :mod:`annograph.graph`), so saved queries answer there as
here, on any engine, with its default graph as it is: an engine set to serve the union of its
graphs as the default graph (Oxigraph's ``--union-default-graph``) would count each fact again
for every article that states it, and the counts say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from annograph.ontology import ONTOLOGY_IRI
from annograph.remote import N_TRIPLES, SPARQL_RESULTS_JSON, EndpointError, unreachable

DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 1.0  # seconds before the first retry; doubled for each one after
_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_DEFAULT_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
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


def push_store(
    store: ox.Store, target: Target, *, progress: Callable[[PushedGraph], None] | None = None
) -> list[PushedGraph]:
    """PUT every named graph of ``store`` to ``target``, then check the triple counts there.

    :param progress: called after each graph is written.
    :raises EndpointError: if a graph cannot be written after the retries (the graphs written
        before it stay written), or the counts on the target differ from the store's.
    """
    pushed = []
    graphs = _graphs(store)
    with httpx.Client(auth=target.auth, timeout=target.timeout) as client:
        for number, graph in enumerate(graphs, start=1):
            # Oxigraph's own serializer: no term becomes a Python object on the way.
            body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
            name = graph.value if isinstance(graph, ox.NamedNode) else DEFAULT_GRAPH
            _put(client, target, name, body)
            done = PushedGraph(name, body.count(b"\n"), number, len(graphs))
            pushed.append(done)
            if progress is not None:
                progress(done)
        _check_counts(client, target, pushed)
    return pushed


def _graphs(store: ox.Store) -> list[ox.NamedNode | ox.DefaultGraph]:
    """The ontology's graph, the default graph, then the others by name."""
    named = sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)),
        key=lambda g: (g.value != ONTOLOGY_IRI, g.value),
    )
    return [*named[:1], ox.DefaultGraph(), *named[1:]] if named else [ox.DefaultGraph()]


def _put(client: httpx.Client, target: Target, graph: str, body: bytes) -> None:
    """One PUT, retried with exponential backoff on connection errors and 5xx answers."""
    attempts = target.retries + 1
    failure = EndpointError("no attempt made")
    for attempt in range(attempts):
        if attempt:
            time.sleep(target.backoff * 2 ** (attempt - 1))
        try:
            response = client.put(
                _graph_url(target.graph_store, graph),
                content=body,
                headers={"Content-Type": N_TRIPLES},
            )
        except httpx.HTTPError as error:
            failure = unreachable(target.graph_store, error)
            continue
        if response.status_code in (200, 201, 204):
            return
        failure = EndpointError(
            f"{target.graph_store} answered {response.status_code} "
            f"{response.reason_phrase} to the PUT of {_name(graph)}: {response.text[:300]}",
            hint=_put_hint(response.status_code),
        )
        if response.status_code < 500:
            raise failure
    raise EndpointError(
        f"could not push {_name(graph)} after {attempts} tries: {failure.message}",
        hint="the graphs pushed before it are complete, and each PUT replaces a whole graph: "
        "run 'annograph push' again once the server answers",
    )


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


def _check_counts(client: httpx.Client, target: Target, pushed: list[PushedGraph]) -> None:
    counts = {}
    for row in _bindings(_ask(client, target, _COUNTS), target):
        graph, count = row.get("g", {}), row.get("n", {})
        if graph.get("type") == "uri" and "value" in count:
            counts[graph["value"]] = int(count["value"])
    counts[DEFAULT_GRAPH] = _count(client, target, _DEFAULT_COUNT)
    wrong = [
        f"{_name(p.graph)}: {counts.get(p.graph, 0)} there, {p.triples} here"
        for p in pushed
        if counts.get(p.graph, 0) != p.triples
    ]
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
    return int(rows[0]["n"]["value"]) if rows and "n" in rows[0] else 0


def _bindings(response: httpx.Response, target: Target) -> list[dict[str, dict[str, str]]]:
    """The rows of a SPARQL JSON answer, as plain data."""
    if response.status_code != 200:
        raise EndpointError(
            f"{target.endpoint} answered {response.status_code} to the count query",
            hint="check --endpoint: it should be the engine's SPARQL query URL",
        )
    try:
        rows = response.json()["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as error:
        raise EndpointError(
            f"{target.endpoint} answered the count query with something other than SPARQL "
            "JSON results",
            hint="check --endpoint: it should be the engine's SPARQL query URL",
        ) from error
    return rows if isinstance(rows, list) else []
