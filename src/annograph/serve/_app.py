"""The front of ``annograph serve`` (a WSGI application): routing, the SPARQL protocol passed on
to the engine with its answers checked, the saved-query API, the pages and the reconciliation
service."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from html import escape
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from annograph._frames import release_frames
from annograph._http import CANCELLED
from annograph._languages import Language
from annograph._limits import MAX_QUERY_BYTES, check_query, refused_service
from annograph.annotations._ontology import (
    NAMESPACE,
    ONTOLOGY_IRI,
    short_iri,
    superclass_closure,
)
from annograph.annotations._summaries import Index
from annograph.build._graph import Minter
from annograph.errors import AnnographError, QueryError, UnknownEntity
from annograph.linking._sources import records_from_triples
from annograph.project._facade import Project
from annograph.query._evidence import EntityNotFound, Explanation, explain
from annograph.query._saved import SavedQuery, portable_text
from annograph.serve._articles import article_response, articles_index, quote_link
from annograph.serve._engine import (
    Engine,
)
from annograph.serve._openapi import (
    FORMATS,
    formats_for,
    openapi,
)
from annograph.serve._pages import (
    asset,
    note_html,
    page,
    page_language,
    property_values,
    url_component,
)
from annograph.serve._protocol import (
    DIRECT,
    ProtocolError,
    endpoint_url,
    located_for_client,
    query_operation,
    with_base,
)
from annograph.serve._reconciliation import ReconciliationService
from annograph.serve._vocabulary import editor_vocabulary

HELD_BYTES = 1 << 20
#: Bytes held back at the end of a streamed answer: enough for the error Oxigraph appends.
ERROR_TAIL = 512
#: Seconds the front waits for the engine beyond its query timeout (and to connect).
ENGINE_MARGIN = 3
#: Seconds a client has to send a whole request (headers and body).
MAX_REQUEST_BYTES = MAX_QUERY_BYTES + (64 << 10)
_UPDATE_TYPES = ("application/sparql-update",)
#: Headers passed on from Oxigraph's answers (the rest are hop-by-hop or the front's own).
_KEPT_HEADERS = ("Content-Type", "Vary")
_CORS = {"Access-Control-Allow-Origin": "*"}
_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
}
_DEFAULT_TYPES = ("Organization", "Person", "Place", "Event", "Programme", "CreativeWork")
#: Quotes an entity page shows per fact, and facts per property pointing at the entity.
ENTITY_PAGE_LIMIT = 20


@dataclass
class Site:
    """The WSGI application in front of the Oxigraph server.

    :param project: for its saved queries, prefixes and namespaces.
    :param store: the release the engine serves, opened read-only (for entity pages).
    :param engine: the Oxigraph server behind, supervised.
    :param timeout: its query timeout in seconds, for messages.
    """

    project: Project
    store: ox.Store
    engine: Engine
    timeout: int
    #: The index of the release served, to find entities by name (None: found by a scan).
    names: Index | None = None
    #: IRI prefixes a query's SERVICE may name: none unless the operator allows some.
    allowed_services: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.minter = Minter(self.project.base_iri)
        saved = self.project.saved_queries()
        # A saved query that calls an endpoint this server may not call is not offered.
        self.queries = {q.name: q for q in saved if not self._calls_out(q)}
        self.withheld = {q.name: q for q in saved if self._calls_out(q)}
        self.prefixes = self.project.prefixes()
        self.id_namespace = self.prefixes["id"]
        # Every call to the engine has a deadline: its own query timeout, and a margin.
        self.client = httpx.Client(
            timeout=httpx.Timeout(self.timeout + ENGINE_MARGIN, connect=ENGINE_MARGIN)
        )
        sparql, writes = ["GET", "POST", "OPTIONS"], ["POST", "PUT", "DELETE", "PATCH"]
        self.routes = Map(
            [
                Rule("/", endpoint="index", methods=["GET"]),
                Rule("/static/<path:name>", endpoint="static", methods=["GET"]),
                Rule("/entity", endpoint="entity", methods=["GET"]),
                Rule("/article/", endpoint="articles", methods=["GET"]),
                Rule("/article/<slug>", endpoint="article", methods=["GET"]),
                Rule("/query", endpoint="sparql", methods=sparql),
                Rule("/sparql", endpoint="sparql", methods=sparql),
                Rule("/update", endpoint="update", methods=["GET", *writes]),
                Rule("/store", endpoint="graph_store", methods=["GET", *writes]),
                Rule("/api/queries", endpoint="list_queries", methods=["GET"]),
                Rule("/api/queries/<name>", endpoint="run_query", methods=["GET"]),
                Rule("/api/openapi.json", endpoint="openapi", methods=["GET"]),
            ]
        )
        self._reconciliation: ReconciliationService | None = None
        self._building = threading.Lock()
        self.app = DispatcherMiddleware(self._front, {"/reconcile": self._reconcile})

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)

    def _front(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        adapter = self.routes.bind_to_environ(environ)
        try:
            endpoint, arguments = adapter.match()
            response = getattr(self, "_" + endpoint)(request, **arguments)
        except UnknownEntity as error:
            release_frames(error)
            response = _error(404, error.message, hint=error.hint)
        except QueryError as error:
            release_frames(error)
            response = _error(400, error.message, hint=error.hint)
        except HTTPException as error:
            response = error.get_response(environ)
        return response(environ, start_response)

    # -- SPARQL ---------------------------------------------------------------------------

    def _sparql(self, request: Request) -> Response:
        if request.method == "OPTIONS":  # a browser's CORS preflight, before a POST
            return Response(status=204, headers={**_CORS, **_PREFLIGHT})
        body = request.get_data()  # first, so that reading the form below leaves it in place
        if request.mimetype in _UPDATE_TYPES or "update" in request.values:
            return _read_only()
        try:
            operation = query_operation(request, body)
            base = endpoint_url(request)
        except ProtocolError as error:
            return _error(error.status, error.message, hint=error.hint)
        self._check(operation.text)
        # The engine gets a direct POST with the endpoint's URL as base (see _protocol).
        text, shift = with_base(operation.text, base)
        return self._relay(
            "POST",
            "/query",
            params=MultiDict(operation.params),
            content=text.encode("utf-8"),
            headers={"Accept": operation.accept, "Content-Type": DIRECT},
            shift=shift,
        )

    def _update(self, request: Request) -> Response:
        return _read_only()

    def _graph_store(self, request: Request) -> Response:
        if request.method != "GET":
            return _read_only()
        accept = {"Accept": request.headers.get("Accept", "text/turtle")}
        return self._relay("GET", "/store", params=request.args, headers=accept)

    def _relay(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        content: bytes | None = None,
        data: Mapping[str, str] | None = None,
        shift: int = 0,
    ) -> Response:
        """Pass a request to Oxigraph and its answer back (see the module's docstring).

        :param shift: characters added before the query's first line (its errors are moved).
        """
        url = self.engine.url
        request = self.client.build_request(
            method,
            url + path,
            params=list(_multi(params)),
            content=content,
            data=data,
            headers=headers,
        )
        upstream: httpx.Response | None = None
        try:
            upstream = self.client.send(request, stream=True)
            chunks = upstream.iter_bytes()
            held = bytearray()
            for chunk in chunks:
                held += chunk
                if len(held) >= HELD_BYTES:
                    break
            else:
                upstream.close()
                return self._answer(upstream, bytes(held), shift)
        except httpx.HTTPError as error:
            if upstream is not None:
                upstream.close()
            if isinstance(error, httpx.TimeoutException):
                return _error(
                    504,
                    f"the query engine did not answer within {self.timeout + ENGINE_MARGIN} s",
                    hint="make the query more selective, or try again",
                )
            return self._engine_failed(url, error)
        media = upstream.headers.get("Content-Type", "")
        response = _passed_on(upstream, checked_stream(bytes(held), chunks, media))
        response.call_on_close(upstream.close)
        return response

    def _answer(self, upstream: httpx.Response, body: bytes, shift: int = 0) -> Response:
        """A whole answer, checked: one the engine cut short or broke off is an error."""
        if upstream.status_code == 400 and shift:
            return _passed_on(upstream, located_for_client(body, shift))
        if upstream.status_code != 200:
            return _passed_on(upstream, body)
        if body.rstrip().endswith(CANCELLED):
            return self._timed_out()
        if not complete(body, upstream.headers.get("Content-Type", "")):
            return _error(
                502,
                "the query failed while the engine was answering: "
                + body[-200:].decode("utf-8", "replace").rsplit("\n", 1)[-1],
                hint="a SERVICE it calls may be down; see the server's log",
            )
        return _passed_on(upstream, body)

    def _engine_failed(self, url: str, error: httpx.HTTPError) -> Response:
        if self.engine.died(url):
            return _error(
                503,
                "the query engine stopped while answering (a query may have used up its "
                "memory limit); it is starting again",
                hint="try again in a few seconds; make the query more selective",
                headers={"Retry-After": "5"},
            )
        return _error(
            502,
            f"the query engine behind this server did not answer: {error}",
            hint="try again; if it persists, restart 'annograph serve'",
        )

    def _check(self, text: str | None) -> None:
        """Refuse, before the engine sees it, a query that could crash it or call out."""
        if text is not None:
            check_query(text, path=Path("query"), allowed_services=self.allowed_services)

    def _timed_out(self) -> Response:
        return _error(
            503,
            f"the query ran longer than this server's {self.timeout} s limit",
            hint="make it more selective (LIMIT, VALUES), or restart 'annograph serve' with a "
            "longer --timeout",
        )

    # -- saved queries --------------------------------------------------------------------

    def _list_queries(self, request: Request) -> Response:
        return _json([self._describe(query) for query in self.queries.values()])

    def _calls_out(self, query: SavedQuery) -> bool:
        return refused_service(query.text, self.allowed_services) is not None

    def _run_query(self, request: Request, name: str) -> Response:
        query = self.queries.get(name)
        if name in self.withheld:
            return _error(
                403,
                f"saved query '{name}' calls another endpoint with SERVICE, which this server "
                "does not do",
                hint="its operator can allow that endpoint with 'annograph serve "
                "--allow-service URL-PREFIX'; or run it with 'annograph query'",
            )
        if query is None:
            return _error(
                404, f"no saved query named '{name}'", hint=f"see {request.host_url}api/queries"
            )
        values = {k: v for k, v in request.args.lists() if k != "format"}
        bound = self.project.bind(query, values)
        self._check(portable_text(bound))
        media = _media_type(request, query)
        if media is None:
            names = ", ".join(formats_for(query))
            return _error(406, f"query '{name}' answers in: {names}", hint="use ?format=NAME")
        response = self._relay(
            "POST",
            "/query",
            params={},
            data={"query": portable_text(bound)},
            headers={"Accept": media},
        )
        response.headers.update(_CORS)
        return response

    def _describe(self, query: SavedQuery) -> dict[str, object]:
        return {
            "name": query.name,
            "summary": query.summary,
            "description": query.description,
            "tags": list(query.tags),
            "form": query.form.value if query.form else None,
            "url": f"/api/queries/{query.name}",
            "formats": list(formats_for(query)),
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type_label,
                    "required": p.required,
                    "default": p.default,
                    "enum": list(p.allowed),
                }
                for p in query.parameters
            ],
            "sparql": query.text,
        }

    def _openapi(self, request: Request) -> Response:
        return _json(openapi(self.queries.values(), server=request.host_url.rstrip("/")))

    # -- pages ----------------------------------------------------------------------------

    def _index(self, request: Request) -> Response:
        config = {
            "prefixes": self.prefixes,
            "entityNamespace": self.id_namespace,
            "timeout": self.timeout,
            "vocabulary": self.vocabulary,
        }
        # In a <script> element nothing may read as "</script>": escape every "<".
        data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
        page = asset("index.html").replace("{{config}}", data)
        return Response(page, mimetype="text/html")

    @cached_property
    def vocabulary(self) -> dict[str, list[str]]:
        """The ontology's classes and properties, for the editor's autocompletion (read once)."""
        return editor_vocabulary(self.store).as_json()

    def _static(self, request: Request, name: str) -> Response:
        types = {".js": "text/javascript", ".css": "text/css"}
        suffix = Path(name).suffix
        # The page's own files, and the vendored libraries' (vendor/NAME/FILE), nothing else.
        parts = name.split("/")
        vendored = len(parts) == 3 and parts[0] == "vendor"
        if suffix not in types or not (len(parts) == 1 or vendored) or ".." in parts:
            raise NotFound()
        try:
            response = Response(asset(name), mimetype=types[suffix])
        except FileNotFoundError:
            raise NotFound() from None
        # A reload asks again and gets a 304 while the file is the same (YASGUI is 1 MB).
        response.add_etag()
        return response.make_conditional(request)

    def _entity(self, request: Request) -> Response:
        name = request.args.get("id", "")
        try:
            explanation = self._explain(name)
        except EntityNotFound as error:
            body = f"<p>{escape(error.message)}</p><p>{escape(error.hint or '')}</p>"
            return Response(page("Not found", body), status=404, mimetype="text/html")
        title = " · ".join(dict.fromkeys(label.value for label in explanation.labels))
        lang = page_language(request)
        return Response(
            page(title, self._entity_html(explanation, lang), lang=lang), mimetype="text/html"
        )

    def _articles(self, request: Request) -> Response:
        html = articles_index(self.store, self.project, lang=page_language(request))
        return Response(html, mimetype="text/html")

    def _article(self, request: Request, slug: str) -> Response:
        lang = page_language(request)
        try:
            shown = article_response(self.store, self.project, slug, lang=lang)
        except AnnographError as error:
            body = f"<p>{escape(error.message)}</p><p>{escape(error.hint or '')}</p>"
            return Response(page("Not found", body), status=404, mimetype="text/html")
        return Response(shown, mimetype="text/html")

    def _explain(self, name: str, limit: int | None = ENTITY_PAGE_LIMIT) -> Explanation:
        return explain(
            self.store,
            name,
            prefixes=self.prefixes,
            id_namespace=self.id_namespace,
            statement=self.minter.statement,
            names=self.names,
            limit=limit,
        )

    def _entity_html(self, explanation: Explanation, lang: Language = "en") -> str:
        entity = explanation.entity
        labels = "".join(f"<li>{self._term(label)}</li>" for label in explanation.labels)
        types = ", ".join(self._term(t) for t in explanation.types)
        rows = []
        for fact in explanation.facts:
            if fact.is_link or fact.predicate.value.endswith("#type"):
                continue
            arrow = "← " if fact.incoming else ""
            quotes = "".join(
                f'<blockquote class="quote">{escape(q.exact)}<cite>{quote_link(q, self.prefixes)}'
                "</cite></blockquote>"
                for q in fact.quotes
            )
            if fact.more_quotes:
                quotes += f"<p class='more'>and {fact.more_quotes} more quote(s)</p>"
            quotes += "".join(note_html(note) for note in fact.notes)
            # What the fact links to, by its name in the page's language where it has one.
            other = self._term(fact.other, name=explanation.name_of(fact.other, lang), lang=lang)
            rows.append(
                f"<tr><td>{arrow}{escape(short_iri(fact.predicate, self.prefixes))}</td>"
                f"<td>{other}</td><td>{quotes}</td></tr>"
            )
        links = "".join(
            f"<li>{escape(short_iri(f.predicate, self.prefixes))} {self._term(f.object)}</li>"
            for f in explanation.facts
            if f.is_link and isinstance(f.object, ox.NamedNode)
        )
        for predicate, count in sorted(explanation.more_incoming.items(), key=lambda i: i[0].value):
            rows.append(
                f"<tr><td>← {escape(short_iri(predicate, self.prefixes))}</td>"
                f"<td colspan='2' class='more'>and {count} more</td></tr>"
            )
        notes = "".join(note_html(note.value) for note in explanation.notes)
        return (
            f'<p class="iri"><code>{escape(entity.value)}</code> · {types}</p>'
            f"<h2>Names</h2><ul class='labels'>{labels}</ul>{notes}"
            "<h2>Facts and the words that support them</h2>"
            f"<table class='facts'><thead><tr><th>property</th><th>value</th>"
            f"<th>evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + (f"<h2>Links to other graphs</h2><ul class='links'>{links}</ul>" if links else "")
        )

    def _term(self, term: object, *, name: str | None = None, lang: Language | None = None) -> str:
        """A term as HTML: an entity as a link to its page, shown by ``name`` if given."""
        if isinstance(term, ox.NamedNode):
            curie = escape(short_iri(term, self.prefixes))
            text = escape(name) if name else curie
            if term.value.startswith(self.id_namespace):
                href = f"/entity?id={url_component(term.value)}" + (f"&lang={lang}" if lang else "")
                return f'<a href="{escape(href)}" title="{curie}">{text}</a>'
            if not term.value.startswith(("http://", "https://")):
                return text  # never a link to a javascript: or file: IRI
            return f'<a class="external" href="{escape(term.value)}">{text}</a>'
        if isinstance(term, ox.Literal):
            language = (
                f' <span class="lang">@{escape(term.language)}</span>' if term.language else ""
            )
            return (
                f'<span lang="{escape(term.language or "")}">{escape(term.value)}</span>{language}'
            )
        return escape(str(term))

    # -- reconciliation -------------------------------------------------------------------

    def _reconcile(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.reconciliation(environ, start_response)

    @property
    def reconciliation(self) -> ReconciliationService:
        """The reconciliation service, made at its first request (it reads every fact)."""
        with self._building:
            if self._reconciliation is None:
                self._reconciliation = self._reconciliation_service()
            return self._reconciliation

    def _reconciliation_service(self) -> ReconciliationService:
        ontology = ox.NamedNode(ONTOLOGY_IRI)
        schema = [q.triple for q in self.store.quads_for_pattern(None, None, None, ontology)]
        # The facts: the default graph but the ontology's triples.
        known = set(schema)
        data = [
            q.triple
            for q in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph())
            if q.triple not in known
        ]
        records = [
            r
            for r in records_from_triples(iter(data + schema))
            if r.iri.startswith(self.id_namespace)
        ]
        return ReconciliationService(
            records,
            name=f"annograph: {self.project.root.name}",
            identifier_space=self.id_namespace,
            schema_space=NAMESPACE,
            view="entity?id={{id}}",
            preview=self._preview,
            default_types=[(t, t) for t in _DEFAULT_TYPES],
            ancestors={
                NAMESPACE + name: frozenset(NAMESPACE + parent for parent in parents)
                for name, parents in superclass_closure(schema).items()
            },
            values=property_values(data, self.id_namespace),
        )

    def _preview(self, identifier: str) -> str | None:
        try:
            explanation = self._explain(identifier)
        except EntityNotFound:
            return None
        names = " · ".join(dict.fromkeys(escape(label.value) for label in explanation.labels))
        types = ", ".join(escape(short_iri(t, self.prefixes)) for t in explanation.types)
        quote = next((q for f in explanation.facts for q in f.quotes), None)
        said = f"<blockquote>{escape(quote.exact)}</blockquote>" if quote else ""
        return f"<div><strong>{names}</strong><br><small>{types}</small>{said}</div>"


def _media_type(request: Request, query: SavedQuery) -> str | None:
    allowed = formats_for(query)
    named = request.args.get("format")
    if named is not None:
        return FORMATS[named] if named in allowed else None
    media_types = [FORMATS[name] for name in allowed]
    if not request.accept_mimetypes or request.accept_mimetypes.best == "*/*":
        return media_types[0]
    return request.accept_mimetypes.best_match(media_types)


def _multi(params: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    lists = getattr(params, "lists", None)
    if lists is None:
        yield from params.items()
        return
    for key, values in lists():
        for value in values:
            yield key, value


def checked_stream(held: bytes, chunks: Iterable[bytes], media_type: str) -> Iterator[bytes]:
    """An answer streamed on; if Oxigraph cut it short, an exception breaks the connection.

    Oxigraph ends an answer that failed part-way (a timeout, a SERVICE that went away) with
    the error's message, as if it were data. The last bytes are held back until the end, so
    that they are sent only if the answer ends as its format does. (An exception inside a WSGI
    body makes the server drop the connection before the final chunk, which every HTTP client
    reports as an error.)

    >>> b"".join(checked_stream(b"a,b", [b"\\r\\n", b"1,2\\r\\n"], "text/csv"))
    b'a,b\\r\\n1,2\\r\\n'
    >>> b"".join(checked_stream(b"{", [b"...", CANCELLED], "application/sparql-results+json"))
    Traceback (most recent call last):
    ConnectionAbortedError: the query ran past the server's time limit
    """
    keep = ERROR_TAIL
    pending = held
    for chunk in chunks:
        pending += chunk
        if len(pending) > keep:
            yield pending[:-keep]
            pending = pending[-keep:]
    if pending.rstrip().endswith(CANCELLED):
        raise ConnectionAbortedError("the query ran past the server's time limit")
    if not complete(pending, media_type):
        message = pending.decode("utf-8", "replace").rsplit("\n", 1)[-1][-200:]
        raise ConnectionAbortedError(f"the query failed part-way: {message}")
    yield pending


#: How an answer of each media type ends when it is whole (Oxigraph 0.5's serializers).
_ENDINGS: dict[str, tuple[bytes, ...]] = {
    "text/csv": (b"\n", b"true", b"false"),
    "text/tab-separated-values": (b"\n", b"true", b"false"),
    "application/sparql-results+json": (b"}",),
    "application/json": (b"}",),
    "application/sparql-results+xml": (b"</sparql>",),
    "application/n-triples": (b".\n",),
    "application/n-quads": (b".\n",),
    "text/turtle": (b".\n",),
    "application/trig": (b".\n", b"}\n"),
    "application/ld+json": (b"]", b"}"),
    "application/rdf+xml": (b"</rdf:RDF>",),
}


def complete(body: bytes, media_type: str) -> bool:
    """Whether ``body`` ends as a whole answer of ``media_type`` does (unknown types: yes).

    >>> complete(b"o,p,s\\r\\n", "text/csv; charset=utf-8")
    True
    >>> complete(b"o,p,s\\r\\nConnection refused (os error 111)", "text/csv")
    False
    """
    endings = _ENDINGS.get(media_type.split(";")[0].strip().lower())
    return endings is None or not body or body.endswith(endings)


def _passed_on(upstream: httpx.Response, body: bytes | Iterator[bytes]) -> Response:
    headers = {k: v for k, v in upstream.headers.items() if k.title() in _KEPT_HEADERS}
    return Response(body, status=upstream.status_code, headers={**headers, **_CORS})


def _read_only() -> Response:
    return _error(
        403,
        "this endpoint is read-only: it answers queries, not updates",
        hint="to change the graph, edit the annotations and run 'annograph build'; to load it "
        "into a writable store, use 'annograph push'",
    )


def _error(
    status: int, message: str, *, hint: str | None = None, headers: Mapping[str, str] = {}
) -> Response:
    body = {"error": message, **({"hint": hint} if hint else {})}
    return _json(body, status=status, headers=headers)


def _json(body: object, *, status: int = 200, headers: Mapping[str, str] = {}) -> Response:
    text = json.dumps(body, ensure_ascii=False, indent=1)
    return Response(text, status=status, mimetype="application/json", headers={**_CORS, **headers})
