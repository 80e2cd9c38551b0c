"""Other SPARQL engines, over the W3C protocols: queries (SPARQL 1.1 Protocol) and the errors.

Any engine that speaks the protocol will do: Oxigraph's server, Fuseki, GraphDB, Virtuoso,
QLever, Neptune. Saved queries read the default graph, which ``annograph push`` fills with the
facts (each once), and find evidence in the article graphs with ``GRAPH``: so an engine needs
no setting of its own, and one that serves the union of its graphs as the default graph
(Oxigraph's ``--union-default-graph``, Fuseki's ``unionDefaultGraph``) counts each fact more
than once.
"""

from __future__ import annotations

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


def query_endpoint(
    url: str, bound: BoundQuery, *, timeout: float = DEFAULT_TIMEOUT, auth: httpx.Auth | None = None
) -> QueryResult:
    """Run a bound query on a SPARQL endpoint and read its whole answer.

    :raises EndpointError: if the endpoint cannot be reached, answers with an error status, or
        sends an answer that does not parse (a server that timed out may cut it short).
    """
    graph = bound.query.form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)
    accept = N_TRIPLES if graph else SPARQL_RESULTS_JSON
    try:
        response = httpx.post(
            url,
            data={"query": portable_text(bound)},
            headers={"Accept": accept},
            timeout=timeout,
            auth=auth,
        )
    except httpx.HTTPError as error:
        raise unreachable(url, error) from error
    if response.status_code != 200:
        raise EndpointError(
            f"{url} answered {response.status_code} {response.reason_phrase}: "
            f"{excerpt(response.text)}",
            location=SourceLocation(bound.query.path),
            hint=_status_hint(response.status_code),
        )
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
