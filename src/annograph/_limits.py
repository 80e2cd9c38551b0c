"""What a query may be before it reaches the engine.

Oxigraph parses and evaluates recursively: ``ASK {`` with 5,000 nested groups overflows its
stack, which aborts ``oxigraph serve`` and kills a pyoxigraph process outright (no exception
can be caught). And a ``SERVICE`` clause makes the engine fetch a URL the query names: on a
public endpoint that is a request made on the client's behalf to anything this machine reaches.

Both are found here by a lexer over the query text (strings, IRIs and comments skipped), before
any engine parses it: :func:`nesting_depth` and :func:`service_iris`; :func:`check_query` turns
them into a located :class:`~annograph.errors.QueryError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annograph.errors import QueryError, SourceLocation

__all__ = [
    "MAX_NESTING",
    "MAX_QUERY_BYTES",
    "ServiceCall",
    "check_query",
    "is_service_prefix",
    "nesting_depth",
    "refused_service",
    "service_iris",
]

#: Brackets ``{ ( [`` open at once. Oxigraph survives 1,000 levels and dies at 5,000; real
#: queries rarely pass 20 (the deepest saved queries here have 7).
MAX_NESTING = 100
#: The longest query text the server takes (a saved query is a few kilobytes).
MAX_QUERY_BYTES = 1 << 20

_LEXER = re.compile(
    r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<comment>\#[^\n]*)
      | (?P<variable>[?$][^\s{}()\[\],;.]*)
      | (?P<name>[^\W\d][\w.\-:]*|:[\w.\-:]*)
      | (?P<open>[{(\[])
      | (?P<close>[})\]])""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class ServiceCall:
    """A ``SERVICE`` clause: the endpoint it names (None if not an absolute IRI) and where."""

    iri: str | None
    written: str
    offset: int


def nesting_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of brackets in ``text``, and the offset where it is first reached.

    >>> nesting_depth('SELECT * { ?s ?p "{{{" FILTER(?p = <urn:x>) }')
    (2, 29)
    """
    depth = deepest = where = 0
    for token in _LEXER.finditer(text):
        if token.lastgroup == "open":
            depth += 1
            if depth > deepest:
                deepest, where = depth, token.start()
        elif token.lastgroup == "close":
            depth -= 1
    return deepest, where


def service_iris(text: str) -> list[ServiceCall]:
    """The endpoints the ``SERVICE`` clauses of ``text`` name, prefixed names expanded.

    >>> [c.iri for c in service_iris('PREFIX wd: <http://x/> SELECT * { SERVICE wd:q {} }')]
    ['http://x/q']
    >>> [c.iri for c in service_iris('SELECT * { SERVICE SILENT ?endpoint {} }')]
    [None]
    """
    prefixes: dict[str, str] = {}
    tokens = [t for t in _LEXER.finditer(text) if t.lastgroup != "comment"]
    calls = []
    for number, token in enumerate(tokens):
        word = token.group().upper() if token.lastgroup == "name" else ""
        if word == "PREFIX":
            _declare(prefixes, tokens[number + 1 : number + 3])
        elif word == "SERVICE":
            following = tokens[number + 1 : number + 3]
            if following and following[0].group().upper() == "SILENT":
                following = following[1:]
            target = following[0] if following else token
            calls.append(ServiceCall(_endpoint(target, prefixes), target.group(), token.start()))
    return calls


def check_query(
    text: str,
    *,
    path: Path,
    allowed_services: Sequence[str] | None = None,
) -> None:
    """Refuse a query too large or too deeply nested for the engine, or naming an endpoint
    that is not allowed.

    :param allowed_services: IRI prefixes a ``SERVICE`` may name; None allows any (the CLI,
        where the user runs their own queries), an empty list none (``serve`` by default).
    :raises QueryError: located at the place in ``text``.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_QUERY_BYTES:
        raise QueryError(
            f"the query is {size:,} bytes; the limit is {MAX_QUERY_BYTES:,}",
            location=SourceLocation(path),
            hint="a query this long is generated: send its data as VALUES in smaller queries",
        )
    depth, where = nesting_depth(text)
    if depth > MAX_NESTING:
        raise QueryError(
            f"brackets are nested {depth} deep; the limit is {MAX_NESTING}",
            location=_location(path, text, where),
            hint="flatten the groups: a query nested this deep would crash the engine",
        )
    if allowed_services is None:
        return
    call = refused_service(text, allowed_services)
    if call is not None:
        raise QueryError(
            f"SERVICE {call.written} is not allowed here",
            location=_location(path, text, call.offset),
            hint=_service_hint(allowed_services),
        )


def is_service_prefix(prefix: str) -> bool:
    """Whether ``prefix`` can allow endpoints: http(s), a host, and a '/' after it (without
    it, ``https://example.org`` would also allow ``https://example.org.evil.example/``).

    >>> is_service_prefix("https://query.wikidata.org/"), is_service_prefix("https://a.org")
    (True, False)
    """
    return re.match(r"https?://[^/\s?#]+/", prefix) is not None


def refused_service(text: str, allowed_services: Sequence[str]) -> ServiceCall | None:
    """The first ``SERVICE`` of ``text`` naming no endpoint under ``allowed_services``."""
    for call in service_iris(text):
        if call.iri is None or not call.iri.startswith(tuple(allowed_services)):
            return call
    return None


def _declare(prefixes: dict[str, str], tokens: Sequence[re.Match[str]]) -> None:
    if len(tokens) == 2 and tokens[0].lastgroup == "name" and tokens[1].lastgroup == "iri":
        name = tokens[0].group()
        if name.endswith(":"):
            prefixes[name[:-1]] = tokens[1].group()[1:-1]


def _endpoint(token: re.Match[str], prefixes: dict[str, str]) -> str | None:
    """The absolute IRI a token stands for, or None (a variable, a relative IRI, no prefix)."""
    if token.lastgroup == "iri":
        iri = token.group()[1:-1]
        return iri if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) else None
    if token.lastgroup == "name" and ":" in token.group():
        prefix, local = token.group().split(":", 1)
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + local
    return None


def _service_hint(allowed: Sequence[str]) -> str:
    if not allowed:
        return (
            "this server runs no federated queries; its operator can allow endpoints with "
            "'annograph serve --allow-service URL-PREFIX'"
        )
    return "the endpoints allowed start with: " + ", ".join(allowed)


def _location(path: Path, text: str, offset: int) -> SourceLocation:
    line = text.count("\n", 0, offset) + 1
    return SourceLocation(path, line, offset - text.rfind("\n", 0, offset))
