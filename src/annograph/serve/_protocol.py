"""The SPARQL 1.1 Protocol's query operation, as ``annograph serve`` takes it from a client and
hands it to the engine.

A client sends a query in one of three ways (GET ``?query=``, a POSTed form, or a POSTed
``application/sparql-query`` body) with the dataset in ``default-graph-uri`` and
``named-graph-uri`` parameters. :func:`query_operation` reads any of them into one
:class:`QueryOperation`, refusing what the protocol calls malformed (no query, two queries, a
body of another media type, a charset other than UTF-8); the engine always gets a direct POST.

Two things are decided here rather than by the engine:

- **The base IRI.** The engine resolves a relative IRI (``<s>``) against its own hidden
  address, whose port changes at every start. The query is sent prefixed with
  ``BASE <the endpoint's URL>`` on its first line (:func:`with_base`), so ``<s>`` resolves
  against the URL the client used; the engine's syntax errors on that line are moved back by
  the prefix's length (:func:`located_for_client`), so their line and column are the user's.
- **The default RDF format.** A client that states no preference (no ``Accept``, or only
  ``*/*``) gets Turtle for CONSTRUCT and DESCRIBE, which every RDF client reads (the engine's
  own default is N-Quads), and JSON results for SELECT and ASK, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

#: The media types of the protocol's two POST forms of a query.
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
#: What the engine is asked for when the client states no preference: a result format for
#: SELECT and ASK, an RDF format for CONSTRUCT and DESCRIBE (it picks the one that fits).
DEFAULT_ACCEPT = "application/sparql-results+json, text/turtle"
#: How the engine locates a syntax error: ``error at LINE:COLUMN:`` (1-based, in characters).
_ERROR_POSITION = re.compile(rb"^error at 1:(\d+):")


class ProtocolError(Exception):
    """A request the protocol calls malformed: its HTTP status, a message and a hint."""

    def __init__(self, status: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint


@dataclass(frozen=True)
class QueryOperation:
    """A query request, whichever way it came: its text, its other parameters (the dataset's
    ``default-graph-uri`` and ``named-graph-uri`` among them) and the formats asked for."""

    text: str
    params: list[tuple[str, str]]
    accept: str


def query_operation(request: Request, body: bytes) -> QueryOperation:
    """Read the query operation of a protocol request (GET, POST form or POST direct).

    :raises ProtocolError: if it has no query or two, or a body the protocol does not allow.
    """
    url_params = list(_pairs(request.args))
    if request.method == "GET":
        text, params = _one_query(url_params, "the URL")
    elif request.mimetype == FORM:
        _check_charset(request)
        form = list(_pairs(request.form))
        text, params = _one_query(url_params + form, "the URL and the form")
    elif request.mimetype == DIRECT:
        _check_charset(request)
        if any(name == "query" for name, _ in url_params):
            raise ProtocolError(
                400,
                "the query is both in the URL (query=) and in the request body",
                hint="send it once: in the body of a POST, or as ?query= in a GET",
            )
        text, params = _utf8(body), url_params
    elif not request.mimetype:
        raise ProtocolError(
            400,
            "the POST has no Content-Type",
            hint=f"send the query as {DIRECT}, or as a form ({FORM}) with a query field",
        )
    else:
        raise ProtocolError(
            415,
            f"a query cannot be sent as {request.mimetype}",
            hint=f"send it as {DIRECT}, or as a form ({FORM}) with a query field",
        )
    return QueryOperation(text, params, engine_accept(request.headers.get("Accept")))


def engine_accept(accept: str | None) -> str:
    """The ``Accept`` header to send the engine: the client's, or the defaults if it states no
    preference.

    >>> engine_accept(None) == engine_accept("*/*;q=0.8") == DEFAULT_ACCEPT
    True
    >>> engine_accept("application/n-triples, */*;q=0.1")
    'application/n-triples, */*;q=0.1'
    """
    ranges = [r.split(";")[0].strip() for r in (accept or "").split(",") if r.strip()]
    return DEFAULT_ACCEPT if all(r == "*/*" for r in ranges) else str(accept)


def endpoint_url(request: Request) -> str:
    """The URL the client used for the endpoint, without its query string: the base IRI.

    Behind a reverse proxy on this machine, the public URL is the one the proxy's
    ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` name (the WSGI server trusts them from
    127.0.0.1 only, see :mod:`annograph.serve._server`).

    :raises ProtocolError: if the request's ``Host`` does not make an IRI.
    """
    url = f"{request.scheme}://{request.host}{request.script_root}{request.path}"
    try:
        ox.NamedNode(url)
    except ValueError:
        raise ProtocolError(
            400,
            f"the request's Host header does not make a URL: {url!r}",
            hint="send a valid Host header",
        ) from None
    return url


def with_base(text: str, base: str) -> tuple[str, int]:
    """``text`` prefixed with ``BASE <base>`` on its first line, and the prefix's length.

    A ``BASE`` the query states itself comes later and wins; a relative one resolves against
    ``base``, as RFC 3986 says.

    >>> with_base("ASK { <s> ?p ?o }", "http://example.org/sparql")
    ('BASE <http://example.org/sparql> ASK { <s> ?p ?o }', 33)
    """
    prefix = f"BASE <{base}> "
    return prefix + text, len(prefix)


def located_for_client(error: bytes, shift: int) -> bytes:
    """The engine's syntax error with its position moved back by ``shift`` columns on line 1,
    where the base was added.

    >>> located_for_client(b"error at 1:31: expected one of ...", 25)
    b'error at 1:6: expected one of ...'
    >>> located_for_client(b"error at 3:2: expected ...", 25)
    b'error at 3:2: expected ...'
    """
    return _ERROR_POSITION.sub(
        lambda match: b"error at 1:%d:" % max(1, int(match.group(1)) - shift), error, count=1
    )


def _one_query(params: list[tuple[str, str]], where: str) -> tuple[str, list[tuple[str, str]]]:
    queries = [value for name, value in params if name == "query"]
    if len(queries) != 1:
        raise ProtocolError(
            400,
            f"{where} carries {len(queries) or 'no'} query parameters; the protocol takes one",
            hint="send one query= parameter (or POST the query as application/sparql-query)",
        )
    return queries[0], [(name, value) for name, value in params if name != "query"]


def _check_charset(request: Request) -> None:
    charset = request.mimetype_params.get("charset", "utf-8")
    if charset.lower() not in ("utf-8", "utf8"):
        raise ProtocolError(
            415,
            f"the query is in {charset}; the SPARQL protocol takes UTF-8 only",
            hint="encode the query in UTF-8 (charset=utf-8, or no charset)",
        )


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(
            400,
            f"the query is not valid UTF-8 (byte {error.start})",
            hint="encode the query in UTF-8",
        ) from None


def _pairs(values: MultiDict[str, str]) -> Iterator[tuple[str, str]]:
    yield from values.items(multi=True)
