"""What every HTTP client in annograph shares: media types, the timeout, and one error type for
an endpoint or graph store that refused, failed or could not be reached."""

from __future__ import annotations

from collections.abc import Generator
from enum import StrEnum

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


class AuthScheme(StrEnum):
    """How credentials go to an endpoint: ``auto`` answers the server's challenge with the
    scheme it names (HTTP Digest when it offers it, Basic otherwise); ``basic`` sends them with
    every request, unasked; ``digest`` answers only a Digest challenge."""

    AUTO = "auto"
    BASIC = "basic"
    DIGEST = "digest"


class ChallengedAuth(httpx.Auth):
    """Credentials sent the way the server asks for them, as curl's ``--anyauth`` does.

    The first request goes without them; a ``401`` names the schemes the server takes
    (``WWW-Authenticate``), and the request is sent again with Digest if it is one of them
    (Virtuoso's ``/sparql-graph-crud-auth`` takes only Digest), else with Basic. The scheme is
    then kept for every later request, and Digest reuses the server's nonce, so a push of many
    graphs pays the extra round trip once. A password thus never crosses the network in the
    clear to a server that would take a digest of it.
    """

    requires_request_body = True  # a request refused for want of credentials is sent again

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is None:
            response = yield request
            if response.status_code != 401:
                return
            offered = response.headers.get_list("www-authenticate")
            digest = any(header.lower().startswith("digest") for header in offered)
            self._chosen = self._digest if digest else self._basic
        yield from self._chosen.sync_auth_flow(request)


def credentials(user: str, password: str, scheme: AuthScheme = AuthScheme.AUTO) -> httpx.Auth:
    """The :class:`httpx.Auth` that sends ``user`` and ``password`` by ``scheme``.

    >>> type(credentials("dba", "secret", AuthScheme.DIGEST)).__name__
    'DigestAuth'
    """
    if scheme is AuthScheme.BASIC:
        return httpx.BasicAuth(user, password)
    if scheme is AuthScheme.DIGEST:
        return httpx.DigestAuth(user, password)
    return ChallengedAuth(user, password)
