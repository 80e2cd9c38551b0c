"""A W3C Reconciliation Service API (0.2) over a set of records, as a WSGI application.

The same matching as ``link suggest`` (:mod:`annograph._labels`), run the other way round: a
client such as OpenRefine sends names, the service answers with scored candidates. It runs over
any records (an RDF file's, the project's own), so ``link suggest`` can be tested against a real
service on loopback, and ``annograph serve`` can offer the project's graph to OpenRefine users.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qs, urljoin
from wsgiref.util import application_uri

from annograph._labels import fold
from annograph.linking._matching import (
    ACCEPT_THRESHOLD,
    BASE_SCORES,
    Label,
    LabelIndex,
    Record,
    find_hits,
    label_levels,
)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
# OpenRefine runs in a browser; the reconciliation spec asks services to allow CORS.
_CORS = [("Access-Control-Allow-Origin", "*")]


@dataclass
class ReconciliationService:
    """Answers manifest requests (GET), reconciliation query batches (``queries=``) and, with
    ``preview``, entity previews (``/preview?id=ID``).

    :param view: a template (with ``{{id}}``) for an entity's web page, relative to the
        service's own URL.
    :param preview: an entity's id -> an HTML snippet showing it, or None if there is none.
    :param default_types: (id, name) of the types OpenRefine offers first.
    :param ancestors: a type's IRI -> its superclasses' IRIs, so that a query for a type also
        finds entities of its subclasses.
    :param values: an entity's IRI -> a property's IRI -> the values it has there, as
        :func:`property_value` keys (for queries with property filters).
    """

    records: Sequence[Record]
    name: str
    identifier_space: str
    schema_space: str
    view: str | None = None
    preview: Callable[[str], str | None] | None = None
    default_types: Sequence[tuple[str, str]] = ()
    ancestors: Mapping[str, frozenset[str]] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)
    _index: LabelIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = LabelIndex.of(self.records)

    def manifest(self, url: str = "") -> dict[str, object]:
        """The service manifest; ``url`` is the service's own, for the view and preview links."""
        manifest: dict[str, object] = {
            "versions": ["0.2"],
            "name": self.name,
            "identifierSpace": self.identifier_space,
            "schemaSpace": self.schema_space,
        }
        if self.view is not None:
            manifest["view"] = {"url": urljoin(url, self.view)}
        if self.preview is not None:
            template = urljoin(url.rstrip("/") + "/", "preview?id={{id}}")
            manifest["preview"] = {"url": template, "width": 400, "height": 240}
        if self.default_types:
            manifest["defaultTypes"] = [{"id": i, "name": n} for i, n in self.default_types]
        return manifest

    def reconcile(self, queries: Mapping[str, Mapping[str, Any]]) -> dict[str, object]:
        """One result list per query: candidates with a label key equal to the query's."""
        return {key: {"result": self._candidates(query)} for key, query in queries.items()}

    def _candidates(self, query: Mapping[str, Any]) -> list[dict[str, object]]:
        text = str(query.get("query", ""))
        wanted_type = query.get("type")
        limit = _limit(query.get("limit", DEFAULT_LIMIT))
        wanted = self._expand(wanted_type) if wanted_type else None
        filters = [
            (self._expand(str(p.get("pid", ""))), property_values(p.get("v")))
            for p in query.get("properties") or ()
        ]
        hits = [
            hit
            for hit in find_hits(label_levels(Label(text)), self._index)
            if (wanted is None or wanted in self._types_of(hit.record))
            and all(self._has(hit.record.iri, pid, v) for pid, v in filters)
        ]
        ranked = [(BASE_SCORES[h.match], h.record, h.record_label.text) for h in hits[:limit]]
        unique = len(ranked) == 1
        return [
            {
                "id": record.iri.removeprefix(self.identifier_space),
                "name": name,
                "type": [
                    {"id": t.removeprefix(self.schema_space), "name": t.rsplit("/", 1)[-1]}
                    for t in record.types
                ],
                "score": round(score * 100, 1),
                "match": unique and score >= ACCEPT_THRESHOLD,
            }
            for score, record, name in ranked
        ]

    def _expand(self, identifier: object) -> str:
        text = str(identifier)
        return text if "://" in text else self.schema_space + text

    def _types_of(self, record: Record) -> set[str]:
        types = set(record.types)
        for type_ in record.types:
            types |= self.ancestors.get(type_, frozenset())
        return types

    def _has(self, entity: str, pid: str, wanted: frozenset[str]) -> bool:
        return bool(self.values.get(entity, {}).get(pid, frozenset()) & wanted)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point: ``queries`` in the query string or form body, else the manifest."""
        params = parse_qs(environ.get("QUERY_STRING", ""))
        if environ.get("PATH_INFO", "").rstrip("/") == "/preview":
            return self._preview(params.get("id", [""])[0], start_response)
        try:
            if environ.get("REQUEST_METHOD") == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length).decode("utf-8")
                params.update(parse_qs(body, errors="strict"))
            if "queries" not in params:
                return _json(start_response, "200 OK", self.manifest(application_uri(environ)))
            answer = self.reconcile(_queries(params["queries"][0]))
        except (ValueError, TypeError, AttributeError, RecursionError) as error:
            message = str(error) if isinstance(error, BadRequest) else _describe(error)
            return _json(start_response, "400 Bad Request", {"error": message})
        return _json(start_response, "200 OK", answer)

    def _preview(self, identifier: str, start_response: StartResponse) -> list[bytes]:
        html = self.preview(identifier) if self.preview else None
        status = "200 OK" if html is not None else "404 Not Found"
        data = (html or f"<p>No entity {escape(identifier)}</p>").encode("utf-8")
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), *_CORS])
        return [data]


class BadRequest(ValueError):
    """A reconciliation request that does not follow the API (its message says how)."""


#: Candidates per query unless it asks for another number, and the most it may ask for.
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
#: Queries in one batch (OpenRefine sends 10 at a time), and how deep their JSON may nest.
MAX_QUERIES = 1000
MAX_JSON_DEPTH = 20


def _queries(text: str) -> Mapping[str, Mapping[str, Any]]:
    """The ``queries`` parameter: a JSON object of query objects, within bounds.

    >>> _queries('{"q0": {"query": "IOM", "limit": Infinity}}')  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    annograph.serve._reconciliation.BadRequest: 'Infinity' is not a number the API allows
    """
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise BadRequest(f"'queries' is nested more than {MAX_JSON_DEPTH} deep")
    queries = json.loads(text, parse_constant=_no_constant)
    if not isinstance(queries, dict) or not all(isinstance(q, dict) for q in queries.values()):
        raise BadRequest("'queries' must be a JSON object of query objects")
    if len(queries) > MAX_QUERIES:
        raise BadRequest(f"{len(queries)} queries in one request; the most is {MAX_QUERIES}")
    return queries


def _json_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest in JSON text (outside strings), without parsing it."""
    depth = deepest = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif mark in "]}":
            depth -= 1
    return deepest


def _no_constant(name: str) -> None:
    raise BadRequest(f"'{name}' is not a number the API allows")


def _limit(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise BadRequest(f"'limit' must be a whole number from 1 to {MAX_LIMIT}, not {value!r}")
    return value


def _describe(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "the request body is not UTF-8"
    if isinstance(error, RecursionError):
        return "'queries' is nested too deeply"
    return str(error)


def property_value(value: str) -> str:
    """How a property value is compared: a literal's text folded, an IRI as it is."""
    return value if "://" in value else fold(value)


def property_values(v: object) -> frozenset[str]:
    """The keys of a query's property value ``v``: a string, number, ``{"id": ...}`` or a list."""
    items = v if isinstance(v, list) else [v]
    keys = set()
    for item in items:
        if isinstance(item, dict):
            item = item.get("id", "")
        keys.add(property_value(str(item)))
    return frozenset(keys)


def _json(start_response: StartResponse, status: str, body: object) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(data))),
            *_CORS,
        ],
    )
    return [data]
