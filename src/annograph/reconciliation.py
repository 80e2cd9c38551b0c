"""A W3C Reconciliation Service API (0.2) over a set of records, as a WSGI application.

The same matching as ``link suggest`` (:mod:`annograph.labels`), run the other way round: a
client such as OpenRefine sends names, the service answers with scored candidates. It runs over
any records (an RDF file's, the project's own), so ``link suggest`` can be tested against a real
service on loopback, and ``annograph serve`` can offer the project's graph to OpenRefine users.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from annograph.linking import (
    ACCEPT_THRESHOLD,
    BASE_SCORES,
    Label,
    LabelIndex,
    Record,
    find_hits,
    label_levels,
)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class ReconciliationService:
    """Answers manifest requests (GET) and reconciliation query batches (``queries=``)."""

    records: Sequence[Record]
    name: str
    identifier_space: str
    schema_space: str
    _index: LabelIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = LabelIndex.of(self.records)

    def manifest(self) -> dict[str, object]:
        return {
            "versions": ["0.2"],
            "name": self.name,
            "identifierSpace": self.identifier_space,
            "schemaSpace": self.schema_space,
        }

    def reconcile(self, queries: Mapping[str, Mapping[str, Any]]) -> dict[str, object]:
        """One result list per query: candidates with a label key equal to the query's."""
        return {key: {"result": self._candidates(query)} for key, query in queries.items()}

    def _candidates(self, query: Mapping[str, Any]) -> list[dict[str, object]]:
        text = str(query.get("query", ""))
        wanted_type = query.get("type")
        limit = int(query.get("limit", 10))
        hits = [
            hit
            for hit in find_hits(label_levels(Label(text)), self._index)
            if not wanted_type or self.schema_space + str(wanted_type) in hit.record.types
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

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point: ``queries`` in the query string or form body, else the manifest."""
        params = parse_qs(environ.get("QUERY_STRING", ""))
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            params.update(parse_qs(environ["wsgi.input"].read(length).decode("utf-8")))
        if "queries" not in params:
            return _json(start_response, "200 OK", self.manifest())
        try:
            queries = json.loads(params["queries"][0])
            if not isinstance(queries, dict):
                raise ValueError("queries must be a JSON object")
            answer = self.reconcile(queries)
        except (ValueError, TypeError, AttributeError) as error:
            return _json(start_response, "400 Bad Request", {"error": str(error)})
        return _json(start_response, "200 OK", answer)


def _json(start_response: StartResponse, status: str, body: object) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(data))),
            # OpenRefine runs in a browser; the reconciliation spec asks services to allow CORS.
            ("Access-Control-Allow-Origin", "*"),
        ],
    )
    return [data]
