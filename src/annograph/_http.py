"""What every HTTP client in annograph shares: media types, the timeout, and one error type for
an endpoint or graph store that refused, failed or could not be reached."""

from __future__ import annotations

import httpx

from annograph.errors import AnnographError

SPARQL_RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
#: What Oxigraph's server appends to an answer it cut short at its ``--timeout-s`` (with a 200).
CANCELLED = b"The SPARQL operation has been cancelled"
DEFAULT_TIMEOUT = 60.0


class EndpointError(AnnographError):
    """A SPARQL endpoint or graph store refused a request, failed, or could not be reached."""


def unreachable(url: str, error: httpx.HTTPError) -> EndpointError:
    """The error for a request that got no answer at all."""
    if isinstance(error, httpx.TimeoutException):
        return EndpointError(
            f"{url} did not answer in time ({type(error).__name__})",
            hint="try again, raise --timeout, or make the query more selective",
        )
    return EndpointError(
        f"cannot reach {url}: {error or type(error).__name__}",
        hint="check the URL and that the server is running",
    )


def excerpt(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut at ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
