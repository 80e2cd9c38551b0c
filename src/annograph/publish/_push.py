"""Pushing the built graph to another triple store with the SPARQL 1.1 Graph Store Protocol.

Each graph is replaced whole: the ontology's first (so that a target never holds data without
its vocabulary), then the default graph of the facts (what queries read), then each article's
graph and the shared entities'. A graph goes in pieces of at most ``chunk_bytes`` of N-Triples
(whole lines): the first by ``PUT``, which replaces the graph, the others by ``POST``, which add
to it; so neither this process's memory nor a request's size grows with the graph (a graph is
spooled to a temporary file first, and read back a piece at a time). A graph with blank nodes
(the ontology's) goes whole, since a blank node cut across two requests would become two. Until
its last piece has gone, a graph on the target is partial. Pushing twice gives the same store,
and a push cut short is finished by pushing again. The target then mirrors the build:
graphs of the project (under its base IRI, and the ontology's) that the target has and the
build does not, an article since deleted say, are deleted there (unless kept on purpose);
graphs of other data are left alone. Last the endpoint is asked which graphs it has and how
many triples each holds, and a difference is an error.

The target keeps the layout (see :mod:`annograph.build._graph`), so saved queries answer there as
here, on any engine, with its default graph as it is: an engine set to serve the union of its
graphs as the default graph (Oxigraph's ``--union-default-graph``) would count each fact again
for every article that states it, and the counts say so. An engine that always does (Virtuoso:
its Graph Store has no default graph, and a query without a dataset reads every graph) gets the
facts in a named graph, ``default_graph``, which queries then name as their default graph.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from annograph._http import N_TRIPLES, SPARQL_RESULTS_JSON, EndpointError, excerpt, unreachable
from annograph.annotations._ontology import ONTOLOGY_IRI

DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 1.0  # seconds before the first retry; doubled for each one after
#: The largest request body of a push: big enough that a request's overhead is small (a real
#: article's graph is 1.2 MB), small enough for a proxy's or an engine's body limit to let it
#: through and for the engine to parse it in one transaction of bounded size.
DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024
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
    #: The named graph that holds the default graph's facts there (None: the default graph).
    default_graph: str | None = None
    #: The largest body of one request, in bytes (a single longer triple goes alone).
    chunk_bytes: int = DEFAULT_CHUNK_BYTES


@dataclass(frozen=True, slots=True)
class PushedGraph:
    """One graph written to the target, and how many triples it holds there; the default
    graph's ``graph`` is ``""`` (or the target's ``default_graph``)."""

    graph: str
    triples: int
    #: 1-based position among the ``total`` graphs of the push, for progress reports.
    number: int = 1
    total: int = 1
    #: How many requests it took (pieces of at most the target's ``chunk_bytes``).
    requests: int = 1


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
            name = graph.value if isinstance(graph, ox.NamedNode) else _default_name(target)
            triples = requests = 0
            for piece in _pieces(store, graph, target.chunk_bytes):
                # The first piece replaces the graph; the others add to it.
                _send(client, target, "POST" if requests else "PUT", name, piece)
                triples += piece.count(b"\n")
                requests += 1
            done = PushedGraph(name, triples, number, len(graphs), requests)
            pushed.append(done)
            if progress is not None:
                progress(done)
        counts = _counts(client, target)
        names = {p.graph for p in pushed}
        listed = _target_graphs(client, target) + list(counts)
        extra = sorted(
            {g for g in listed if g not in names and g.startswith(tuple(namespaces))} - {""}
        )
        if not keep_extra:
            for iri in extra:
                _send(client, target, "DELETE", iri, b"")
                counts.pop(iri, None)
        kept = extra if keep_extra else []
        _check_counts(counts, target, pushed, namespaces=namespaces, kept=kept)
    return Pushed(pushed, [] if keep_extra else extra, extra if keep_extra else [])


def _default_name(target: Target) -> str:
    return target.default_graph if target.default_graph is not None else DEFAULT_GRAPH


def _pieces(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph, limit: int) -> Iterator[bytes]:
    """The graph as N-Triples, in pieces of whole lines of at most ``limit`` bytes (a longer
    line alone); one empty piece for an empty graph, so that it is still replaced.

    A graph with blank nodes goes whole (the ontology's OWL lists): a blank node's label holds
    only within one document, so one cut in two pieces would become two nodes on the target.
    annograph's own graphs have none.
    """
    with tempfile.TemporaryFile(prefix="annograph-push-") as spool:
        # Oxigraph's own serializer, streaming to disk: no term becomes a Python object.
        store.dump(spool, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        spool.seek(0)
        if any(line.startswith(b"_:") or b" _:" in line for line in spool):
            spool.seek(0)
            yield spool.read()
            return
        spool.seek(0)
        lines: list[bytes] = []
        size = 0
        for line in spool:
            if lines and size + len(line) > limit:
                yield b"".join(lines)
                lines, size = [], 0
            lines.append(line)
            size += len(line)
        yield b"".join(lines)


def _graphs(store: ox.Store) -> list[ox.NamedNode | ox.DefaultGraph]:
    """The ontology's graph, the default graph, then the others by name."""
    named = sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)),
        key=lambda g: (g.value != ONTOLOGY_IRI, g.value),
    )
    return [*named[:1], ox.DefaultGraph(), *named[1:]] if named else [ox.DefaultGraph()]


def _send(client: httpx.Client, target: Target, method: str, graph: str, body: bytes) -> None:
    """One PUT, POST or DELETE of a graph, retried with exponential backoff on connection
    errors and 5xx answers. (A DELETE of a graph already gone, 404, is done; a POST sent again
    adds the same triples again, which a set of triples does not change.)"""
    attempts = target.retries + 1
    failure = EndpointError("no attempt made")
    writes = method != "DELETE"
    for attempt in range(attempts):
        if attempt:
            time.sleep(target.backoff * 2 ** (attempt - 1))
        try:
            response = client.request(
                method,
                _graph_url(target.graph_store, graph),
                content=body if writes else None,
                headers={"Content-Type": N_TRIPLES} if writes else {},
            )
        except httpx.HTTPError as error:
            failure = unreachable(target.graph_store, error)
            continue
        if response.status_code in (200, 201, 204) or (
            method == "DELETE" and response.status_code == 404
        ):
            return
        no_default = graph == DEFAULT_GRAPH and "default graph" in response.text
        failure = EndpointError(
            f"{target.graph_store} answered {response.status_code} "
            f"{response.reason_phrase} to the {method} of {_name(graph)}: "
            + excerpt(response.text),
            hint=_NO_DEFAULT_HINT if no_default else _put_hint(response.status_code),
        )
        if response.status_code < 500 or no_default:
            raise failure
    raise EndpointError(
        f"could not {'delete' if method == 'DELETE' else 'push'} {_name(graph)} after "
        f"{attempts} tries: {failure.message}",
        hint="the graphs pushed before it are complete, and each push replaces a whole graph: "
        "run 'annograph push' again once the server answers",
    )


# Virtuoso: 'contains "default" param but the endpoint is not configured to have default graph'.
_NO_DEFAULT_HINT = (
    "this graph store has no default graph to write (Virtuoso's has none: its default graph is "
    'the union of all graphs); name a graph for the facts with default_graph = "IRI" in the '
    "endpoint's [endpoints.NAME] table of annograph.toml, or --default-graph IRI"
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
        return (
            "the graph store wants credentials (--user, ANNOGRAPH_PASSWORD; --auth if it "
            "refuses the scheme annograph chose) or is read-only"
        )
    if status in (404, 405):
        return "check --graph-store: it should be the engine's Graph Store Protocol URL"
    return "see the server's log"


def _counts(client: httpx.Client, target: Target) -> dict[str, int]:
    """The target's named graphs that hold triples, and how many each holds; the default
    graph's count under ``""``, unless the target keeps the facts in a named graph (its
    default graph is then the union of all graphs, and says nothing)."""
    counts = {}
    for row in _bindings(_ask(client, target, _COUNTS), target):
        graph, count = row.get("g", {}), row.get("n", {})
        if graph.get("type") == "uri" and "value" in count:
            counts[graph["value"]] = _integer(count["value"], target)
    if target.default_graph is None:
        counts[DEFAULT_GRAPH] = _count(client, target, _DEFAULT_COUNT)
    return counts


def _check_counts(
    counts: dict[str, int],
    target: Target,
    pushed: list[PushedGraph],
    *,
    namespaces: Sequence[str],
    kept: Sequence[str],
) -> None:
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
        union = counts.get(DEFAULT_GRAPH, 0) > next(
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
