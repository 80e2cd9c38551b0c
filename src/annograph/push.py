"""Pushing the built graph to another triple store with the SPARQL 1.1 Graph Store Protocol.

Each named graph (the ontology's and one per article) goes in one ``PUT``, which replaces that
graph whole: pushing twice gives the same store, and a push cut short is finished by pushing
again. Afterwards the endpoint is asked how many triples each graph holds, and a difference is
an error.
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
    """One graph written to the target, and how many triples it holds there."""

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
            triples = [quad.triple for quad in store.quads_for_pattern(None, None, None, graph)]
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            _put(client, target, graph.value, body)
            done = PushedGraph(graph.value, len(triples), number, len(graphs))
            pushed.append(done)
            if progress is not None:
                progress(done)
        _check_counts(client, target, pushed)
    return pushed


def _graphs(store: ox.Store) -> list[ox.NamedNode]:
    """The ontology's graph first, so that a target never holds data without its vocabulary."""
    return sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)),
        key=lambda g: (g.value != ONTOLOGY_IRI, g.value),
    )


def _put(client: httpx.Client, target: Target, graph: str, body: bytes) -> None:
    """One PUT, retried with exponential backoff on connection errors and 5xx answers."""
    attempts = target.retries + 1
    failure = EndpointError("no attempt made")
    for attempt in range(attempts):
        if attempt:
            time.sleep(target.backoff * 2 ** (attempt - 1))
        try:
            response = client.put(
                target.graph_store,
                params={"graph": graph},
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
            f"{response.reason_phrase} to the PUT of <{graph}>: {response.text[:300]}",
            hint=_put_hint(response.status_code),
        )
        if response.status_code < 500:
            raise failure
    raise EndpointError(
        f"could not push <{graph}> after {attempts} tries: {failure.message}",
        hint="the graphs pushed before it are complete, and each PUT replaces a whole graph: "
        "run 'annograph push' again once the server answers",
    )


def _put_hint(status: int) -> str:
    if status in (401, 403):
        return "the graph store wants credentials (--user, ANNOGRAPH_PASSWORD) or is read-only"
    if status in (404, 405):
        return "check --graph-store: it should be the engine's Graph Store Protocol URL"
    return "see the server's log"


def _check_counts(client: httpx.Client, target: Target, pushed: list[PushedGraph]) -> None:
    try:
        response = client.post(
            target.endpoint, data={"query": _COUNTS}, headers={"Accept": SPARQL_RESULTS_JSON}
        )
    except httpx.HTTPError as error:
        raise unreachable(target.endpoint, error) from error
    if response.status_code != 200:
        raise EndpointError(
            f"{target.endpoint} answered {response.status_code} to the count query",
            hint="check --endpoint: it should be the engine's SPARQL query URL",
        )
    solutions = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    if not isinstance(solutions, ox.QuerySolutions):
        raise EndpointError(f"{target.endpoint} answered the count query with a boolean")
    counts = {}
    for row in solutions:
        graph, count = row["g"], row["n"]
        if isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal):
            counts[graph.value] = int(count.value)
    wrong = [
        f"<{p.graph}>: {counts.get(p.graph, 0)} there, {p.triples} here"
        for p in pushed
        if counts.get(p.graph, 0) != p.triples
    ]
    if wrong:
        raise EndpointError(
            "the target's triple counts differ after the push: " + "; ".join(wrong),
            hint="another client may be writing the same graphs, or the engine rewrote some "
            "triples (blank nodes, literals); push again and compare",
        )
