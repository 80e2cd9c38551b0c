"""Other SPARQL engines, over the W3C protocols: queries (SPARQL 1.1 Protocol) and the errors.

Any engine that speaks the protocol will do: Oxigraph's server, Fuseki, GraphDB, Virtuoso,
QLever, Neptune. Saved queries read the default graph, which ``annograph push`` fills with the
facts (each once), and find evidence in the article graphs with ``GRAPH``: so an engine needs
no setting of its own, and one that serves the union of its graphs as the default graph
(Oxigraph's ``--union-default-graph``, Fuseki's ``unionDefaultGraph``) counts each fact more
than once.

An engine whose default graph is always that union (Virtuoso) holds the facts in a named graph
instead (the endpoint's ``default_graph``). A query then states its dataset as the protocol
lets it: that graph as ``default-graph-uri``, and every other graph of the endpoint as a
``named-graph-uri``, so that ``GRAPH ?g`` ranges over the articles' graphs as it does here, not
over the facts' graph too (Virtuoso, asked for a default graph alone, still lets ``GRAPH ?g``
match every graph). The named graphs are the local build's, which ``push`` made the endpoint's
(without a local build, the endpoint is asked for its graphs first).
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import pyoxigraph as ox

from annograph._frames import release_frames
from annograph._http import (
    CANCELLED,
    DEFAULT_TIMEOUT,
    N_TRIPLES,
    SPARQL_RESULTS_JSON,
    EndpointError,
    excerpt,
    unreachable,
)
from annograph.errors import SourceLocation
from annograph.query._saved import BoundQuery, QueryForm, QueryResult, portable_text, read_all

_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def query_endpoint(
    url: str,
    bound: BoundQuery,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    auth: httpx.Auth | None = None,
    default_graph: str | None = None,
    named_graphs: Sequence[str] | None = None,
) -> QueryResult:
    """Run a bound query on a SPARQL endpoint and read its whole answer.

    :param default_graph: the named graph that holds the facts there (see the module's
        docstring); None to query the endpoint's own default graph.
    :param named_graphs: with ``default_graph``, the graphs ``GRAPH`` ranges over (those of
        the build that was pushed); None to ask the endpoint for its graphs, a scan of the
        whole store on some engines (0.8 s for 20,000 triples on Virtuoso).
    :raises EndpointError: if the endpoint cannot be reached, answers with an error status, or
        sends an answer that does not parse (a server that timed out may cut it short).
    """
    graph = bound.query.form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)
    accept = N_TRIPLES if graph else SPARQL_RESULTS_JSON
    try:
        with httpx.Client(timeout=timeout, auth=auth) as client:
            dataset = (
                []
                if default_graph is None
                else _dataset(client, url, default_graph, bound, named_graphs)
            )
            form = {"query": [portable_text(bound)], **_form(dataset)}
            response = client.post(url, data=form, headers={"Accept": accept})
    except httpx.HTTPError as error:
        raise unreachable(url, error) from error
    _check_status(url, response, bound)
    return _read(url, response, bound, graph=graph)


def _check_status(url: str, response: httpx.Response, bound: BoundQuery) -> None:
    if response.status_code != 200:
        raise EndpointError(
            f"{url} answered {response.status_code} {response.reason_phrase}: "
            f"{excerpt(response.text)}",
            location=SourceLocation(bound.query.path),
            hint=_status_hint(response.status_code),
        )


def _form(dataset: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Protocol parameters that repeat, as httpx's form data takes them."""
    form: dict[str, list[str]] = {}
    for key, value in dataset:
        form.setdefault(key, []).append(value)
    return form


def _dataset(
    client: httpx.Client,
    url: str,
    default_graph: str,
    bound: BoundQuery,
    named_graphs: Sequence[str] | None,
) -> list[tuple[str, str]]:
    """The protocol's dataset parameters: ``default_graph`` as the default graph, the
    ``named_graphs`` (else the endpoint's other graphs) as the named graphs."""
    graphs = list(named_graphs) if named_graphs is not None else _graphs(client, url, bound)
    named = [("named-graph-uri", graph) for graph in graphs if graph != default_graph]
    return [("default-graph-uri", default_graph), *named]


def _graphs(client: httpx.Client, url: str, bound: BoundQuery) -> list[str]:
    response = client.post(url, data={"query": _GRAPHS}, headers={"Accept": SPARQL_RESULTS_JSON})
    _check_status(url, response, bound)
    try:
        rows = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        assert isinstance(rows, ox.QuerySolutions)
        graphs = sorted({g.value for row in rows if isinstance(g := row["g"], ox.NamedNode)})
    except (SyntaxError, ValueError, AssertionError) as error:
        release_frames(error)
        raise EndpointError(
            f"{url} listed its graphs in an answer that does not parse: {error}",
            location=SourceLocation(bound.query.path),
            hint="check that the URL is a SPARQL query endpoint",
        ) from error
    return graphs


def _read(url: str, response: httpx.Response, bound: BoundQuery, *, graph: bool) -> QueryResult:
    try:
        return _parse_answer(response.content, graph=graph)
    except (SyntaxError, ValueError) as error:
        release_frames(error)
        cut = response.content.rstrip().endswith(CANCELLED)
        raise EndpointError(
            f"{url} sent an answer that does not parse: {error}",
            location=SourceLocation(bound.query.path),
            hint="the server's query timeout cut the answer short; make the query more "
            "selective or raise the server's timeout"
            if cut
            else "check that the URL is a SPARQL query endpoint",
        ) from error


def _parse_answer(data: bytes, *, graph: bool) -> QueryResult:
    if graph:
        # A store in memory turns the triples into the QueryTriples a local query gives.
        store = ox.Store()
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
        return store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    return read_all(ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON))


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "the endpoint wants credentials (--user) or refuses this operation"
    if status == 404:
        return "check the URL: it should be the endpoint's SPARQL query URL"
    if status == 400:
        return "the engine rejected the query; it may not support a SPARQL feature it uses"
    return "see the server's log"
