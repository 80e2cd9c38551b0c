"""``annograph serve``: the built graph over HTTP, for people, tools and OpenRefine.

Oxigraph's own server (``oxigraph serve-read-only``) answers SPARQL, on a loopback port of its
own: it does the SPARQL 1.1 Protocol, content negotiation and the query timeout. In front of it
this module adds only what is annograph's:

=============================  ==================================================================
``/`` , ``/entity?id=``        the web page (editor, saved queries, results) and entity pages
``/query`` , ``/sparql``       SPARQL 1.1 Protocol, passed on to Oxigraph (read-only)
``/update`` , writes           refused with 403: the endpoint is read-only
``/store?graph=IRI``           Graph Store Protocol reads (GET), passed on to Oxigraph
``/api/queries[/NAME]``        the saved queries as a web API, in the spirit of grlc
``/api/openapi.json``          its OpenAPI 3 description, made from the queries' decorators
``/reconcile``                 the W3C Reconciliation Service API, for OpenRefine
=============================  ==================================================================

Oxigraph answers a query that runs past ``--timeout-s`` with a 200 and an answer cut short,
ended by a message, and one that fails part-way with the error's text appended as if it were
data. The front holds the first megabyte of every answer and checks that it ends as its format
does: a short answer cut so becomes a 503 or 502 with a clear message, and a longer one is
ended by closing the connection before the last chunk, so that no client mistakes it for a
complete answer.

Nothing a client sends can take the server down: queries nested deep enough to overflow the
engine's stack, or calling endpoints the operator did not allow with ``SERVICE``, are refused
before the engine sees them (:mod:`annograph._limits`); the engine runs under a memory limit,
supervised (:class:`Engine`): its output is read all the time and it is restarted when it dies;
every call to it has a deadline, and a client must send a whole request within a deadline.
"""

from __future__ import annotations

import ctypes
import functools
import json
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pyoxigraph as ox
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from annograph._extras import install_command
from annograph._frames import release_frames
from annograph._http import CANCELLED
from annograph._labels import fold
from annograph._languages import LANGUAGES, Language
from annograph._limits import MAX_QUERY_BYTES, check_query, refused_service
from annograph._version import __version__
from annograph.annotations._ontology import (
    NAMESPACE,
    ONTOLOGY_IRI,
    XSD,
    short_iri,
    superclass_closure,
)
from annograph.annotations._reader import ANNOTATIONS_FILE, ARTICLES
from annograph.annotations._summaries import Index, read_only_index
from annograph.build._graph import Minter
from annograph.build._store import index_path, open_store
from annograph.errors import AnnographError, QueryError, UnknownEntity
from annograph.linking._sources import records_from_triples
from annograph.project._facade import Project
from annograph.query._evidence import EntityNotFound, Explanation, explain
from annograph.query._saved import Parameter, QueryForm, SavedQuery, portable_text
from annograph.serve._reconciliation import ReconciliationService, property_value

#: How much of an answer is held before it is streamed on (see the module's docstring).
HELD_BYTES = 1 << 20
#: Bytes held back at the end of a streamed answer: enough for the error Oxigraph appends.
ERROR_TAIL = 512
#: Seconds the front waits for the engine beyond its query timeout (and to connect).
ENGINE_MARGIN = 3
#: Seconds a client has to send a whole request (headers and body).
REQUEST_SECONDS = 10
#: Seconds a connection may stay idle between requests.
IDLE_SECONDS = 30
#: Open connections at once; slow ones are cut after ``REQUEST_SECONDS``.
CONNECTION_LIMIT = 500
#: The largest request body (a query, a reconciliation batch).
MAX_REQUEST_BYTES = MAX_QUERY_BYTES + (64 << 10)
STARTUP_SECONDS = 30.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

#: ``?format=`` names of the saved-query API, and the media types they ask Oxigraph for.
FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
}
_SOLUTION_FORMATS = ("json", "xml", "csv", "tsv")
_GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")
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


class ServeError(AnnographError):
    """The server could not start: no oxigraph command, no store, or a port in use."""


# -- the Oxigraph server behind ---------------------------------------------------------------


def oxigraph_command() -> str:
    """The ``oxigraph`` command of the ``oxigraph`` package (beside this Python, or on PATH)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        raise ServeError(
            "the oxigraph server is not installed",
            hint=f"install annograph's serve extra: {install_command('serve')}",
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Engine:
    """``oxigraph serve-read-only`` on a release, on a loopback port of its own, supervised.

    Its standard error is read all the time (it writes a line per failed or cancelled query,
    and a pipe nobody reads stops it after a few hundred) and logged. When it dies (a query
    that ran out of its memory limit aborts it) it is started again on a new port, and the
    crash is logged; requests in flight get a 503. Its default graph is the store's: the facts,
    once, as for local queries (see :mod:`annograph.build._graph`).

    :param memory_limit: bytes of heap the engine may use (RLIMIT_DATA); None for no limit.
    """

    location: Path
    timeout: int
    memory_limit: int | None = None
    log: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr))

    def __post_init__(self) -> None:
        self.url = ""
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def __enter__(self) -> Engine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the engine, wait until it answers, and watch it from then on.

        :raises ServeError: if it stops at once or does not answer within a while.
        """
        self._spawn()
        # One thread for the server's lifetime: Linux sends the parent-death signal when the
        # *thread* that started a child ends, so restarts must come from a thread that lasts.
        threading.Thread(target=self._supervise, name="engine", daemon=True).start()

    def _spawn(self) -> None:
        _prctl()  # loaded here, in the parent, for the child's use (see _die_with_parent)
        with self._lock:
            port = free_port()
            process = subprocess.Popen(
                self._command(port),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=self._in_child if sys.platform == "linux" else None,
            )
            url = f"http://127.0.0.1:{port}"
            try:
                _wait_until_ready(process, url)
            except ServeError:
                _stop(process)
                raise
            self._process, self.url = process, url

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._process is not None:
                _stop(self._process)

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def died(self, url: str, *, within: float = 1.0) -> bool:
        """Whether the engine that was at ``url`` has stopped (waiting ``within`` seconds for
        it: a connection an engine dropped as it died is seen a moment before its exit)."""
        process = self._process
        if url != self.url or process is None:
            return True
        try:
            process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            return False
        return True

    def _command(self, port: int) -> list[str]:
        return [
            oxigraph_command(),
            "serve-read-only",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            str(self.timeout),
        ]

    def _in_child(self) -> None:
        """Before exec: die with annograph, and cap the heap so a query cannot take it all."""
        _die_with_parent()
        if self.memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_DATA, (self.memory_limit, self.memory_limit))

    def _supervise(self) -> None:
        """Log the engine's output until it exits; then, unless stopping, start it again."""
        while not self._stopping.is_set():
            process = self._process
            assert process is not None and process.stderr is not None
            for line in process.stderr:
                text = line.decode("utf-8", "replace").rstrip()
                if text and not text.startswith("Listening for requests"):
                    self.log(f"annograph: oxigraph: {text}")
            process.stderr.close()
            code = process.wait()
            if self._stopping.is_set():
                return
            self.log(f"annograph: the query engine stopped ({_exit_status(code)}); restarting")
            self.restarts += 1
            try:
                self._spawn()
            except ServeError as error:
                self.log(f"annograph: {error}")
                return


def _exit_status(code: int) -> str:
    if code == -signal.SIGABRT:
        return "signal SIGABRT: a query may have needed more than its memory limit"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _die_with_parent() -> None:
    """In the child, before exec: have Linux send SIGTERM when annograph dies, even by kill -9.

    Only a system call happens here: the C library was loaded in the parent (a child forked
    from a threaded server must not take locks, as loading a library does).
    """
    _prctl()(PR_SET_PDEATHSIG, signal.SIGTERM)


@functools.cache
def _prctl() -> Any:
    return ctypes.CDLL(None, use_errno=True).prctl


def _wait_until_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            message = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
            raise ServeError(f"the oxigraph server stopped at start: {message.strip()}")
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise ServeError(f"the oxigraph server did not answer within {STARTUP_SECONDS:.0f} s")


# -- the front --------------------------------------------------------------------------------


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
                Rule("/static/<name>", endpoint="static", methods=["GET"]),
                Rule("/entity", endpoint="entity", methods=["GET"]),
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
        self._check(_query_text(request, body))
        headers = {"Accept": request.headers.get("Accept", "*/*")}
        if request.content_type:
            headers["Content-Type"] = request.content_type
        return self._relay(
            request.method,
            "/query",
            params=request.args,
            content=body if request.method == "POST" else None,
            headers=headers,
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
    ) -> Response:
        """Pass a request to Oxigraph and its answer back (see the module's docstring)."""
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
                return self._answer(upstream, bytes(held))
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

    def _answer(self, upstream: httpx.Response, body: bytes) -> Response:
        """A whole answer, checked: one the engine cut short or broke off is an error."""
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
            names = ", ".join(_formats_for(query))
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
            "formats": list(_formats_for(query)),
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
        }
        # In a <script> element nothing may read as "</script>": escape every "<".
        data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
        page = _asset("index.html").replace("{{config}}", data)
        return Response(page, mimetype="text/html")

    def _static(self, request: Request, name: str) -> Response:
        types = {".js": "text/javascript", ".css": "text/css"}
        suffix = Path(name).suffix
        if suffix not in types or "/" in name:
            raise NotFound()
        try:
            return Response(_asset(name), mimetype=types[suffix])
        except FileNotFoundError:
            raise NotFound() from None

    def _entity(self, request: Request) -> Response:
        name = request.args.get("id", "")
        try:
            explanation = self._explain(name)
        except EntityNotFound as error:
            body = f"<p>{escape(error.message)}</p><p>{escape(error.hint or '')}</p>"
            return Response(_page("Not found", body), status=404, mimetype="text/html")
        title = " · ".join(dict.fromkeys(label.value for label in explanation.labels))
        lang = _page_language(request)
        return Response(
            _page(title, self._entity_html(explanation, lang), lang=lang), mimetype="text/html"
        )

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
                f'<blockquote class="quote">{escape(q.exact)}<cite>[{q.start}:{q.end}] '
                f"{escape(short_iri(ox.NamedNode(q.source), self.prefixes))}</cite></blockquote>"
                for q in fact.quotes
            )
            if fact.more_quotes:
                quotes += f"<p class='more'>and {fact.more_quotes} more quote(s)</p>"
            quotes += "".join(_note_html(note) for note in fact.notes)
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
        notes = "".join(_note_html(note.value) for note in explanation.notes)
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
                href = f"/entity?id={_quote(term.value)}" + (f"&lang={lang}" if lang else "")
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
            values=_property_values(data, self.id_namespace),
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


def openapi(queries: Any, *, server: str) -> dict[str, object]:
    """An OpenAPI 3 description of the saved-query API, from the queries' grlc decorators."""
    paths: dict[str, object] = {
        "/api/queries": {
            "get": {
                "operationId": "listQueries",
                "summary": "The saved queries, their documentation and parameters",
                "responses": {"200": {"description": "A list of saved queries"}},
            }
        }
    }
    for query in queries:
        formats = list(_formats_for(query))
        parameters: list[dict[str, object]] = [
            {
                "name": p.name,
                "in": "query",
                "required": p.required and p.default is None,
                "description": f"{p.type_label}; several values make a list",
                "schema": _parameter_schema(p),
            }
            for p in query.parameters
        ]
        parameters.append(
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "The answer's format (else chosen by the Accept header)",
                "schema": {"type": "string", "enum": formats},
            }
        )
        paths[f"/api/queries/{query.name}"] = {
            "get": {
                "operationId": "query_" + query.name.replace("-", "_"),
                "summary": query.summary or query.name,
                "description": query.description,
                "tags": list(query.tags),
                "parameters": parameters,
                "responses": {
                    "200": {
                        "description": "The query's answer",
                        "content": {FORMATS[f]: {} for f in formats},
                    },
                    "400": _error_response(
                        "A missing, unknown or malformed parameter, or a SERVICE this server "
                        "may not call"
                    ),
                    "404": _error_response("An IRI parameter naming no entity of the graph"),
                    "406": _error_response("A format this query cannot answer in"),
                    "502": _error_response("The query failed while the engine answered it"),
                    "503": _error_response(
                        "The query ran past the server's time limit, or the engine stopped "
                        "(it is restarting: try again)"
                    ),
                    "504": _error_response("The engine did not answer in time"),
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "annograph saved queries",
            "version": __version__,
            "description": "Saved SPARQL queries of an annograph project (grlc-style).",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "hint": {"type": "string"}},
                }
            }
        },
    }


#: JSON Schema for the XSD datatypes a parameter may have (others are plain strings).
_XSD_SCHEMAS: dict[str, dict[str, object]] = {
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "double": {"type": "number"},
    "float": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
    "gYear": {"type": "string", "pattern": "^-?[0-9]{4,}$"},
}


def _parameter_schema(parameter: Parameter) -> dict[str, object]:
    schema: dict[str, object] = {"type": "string"}
    if parameter.kind == "iri":
        # An absolute IRI, a CURIE with a known prefix, or an entity's id or name.
        schema = {
            "type": "string",
            "minLength": 1,
            "description": "an IRI, prefix:local, or an entity's id or name",
        }
    elif parameter.kind == "datatype" and parameter.datatype and parameter.datatype.startswith(XSD):
        schema = dict(_XSD_SCHEMAS.get(parameter.datatype.removeprefix(XSD), schema))
    if parameter.allowed:
        schema = {"type": "string", "enum": list(parameter.allowed)}
    if parameter.default is not None:
        schema["default"] = parameter.default
    return schema


def _error_response(description: str) -> dict[str, object]:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def serve(
    project: Project,
    *,
    host: str,
    port: int,
    timeout: int,
    threads: int = 8,
    memory_limit: int | None = None,
    allow_service: tuple[str, ...] = (),
) -> None:
    """Serve the built store until interrupted (Ctrl-C or SIGTERM).

    :param memory_limit: bytes the query engine may use; None for no limit.
    :param allow_service: URL prefixes a query's SERVICE may name (none: no federation).
    :raises StoreError: if there is no built store.
    :raises ServeError: if the port is taken or the oxigraph server does not start.
    """
    release = project.store.resolve()
    store = open_store(release)
    names = read_only_index(index_path(release), project.data / ARTICLES, ANNOTATIONS_FILE)
    # Bound first, so that a port in use is reported before anything else starts.
    with (
        listening_socket(host, port) as listener,
        Engine(release, timeout, memory_limit) as engine,
    ):
        site = Site(project, store, engine, timeout, names, allow_service)
        server = _http_server(site, listener, threads)
        port = listener.getsockname()[1]
        print(f"annograph: serving {release} at http://{host}:{port}/", file=sys.stderr)
        if host not in ("127.0.0.1", "localhost", "::1"):
            print(
                f"annograph: listening on {host}: anyone who can reach this machine can query "
                "the graph (read-only)",
                file=sys.stderr,
            )
        # A SIGTERM (from a service manager) stops it as Ctrl-C does, so the engine stops too.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            server.close()
            site.client.close()


def _http_server(site: Site, listener: socket.socket, threads: int) -> Any:
    """Waitress on ``listener``, with a deadline for reading each request (see below)."""
    import waitress  # imported here: only ``serve`` needs a WSGI server
    from waitress.channel import HTTPChannel

    class DeadlineChannel(HTTPChannel):  # type: ignore[misc]
        """A connection that must send a whole request within ``REQUEST_SECONDS``.

        Waitress closes only connections idle for ``channel_timeout``; one that sends a byte
        now and then (slowloris) would hold its place for ever, and enough of them fill the
        connection limit. Here a request that is still arriving after the deadline is cut.
        """

        reading_since: float | None = None

        def received(self, data: bytes) -> bool:
            now = time.monotonic()
            if self.reading_since is None:
                self.reading_since = now
            elif now - self.reading_since > REQUEST_SECONDS:
                self.will_close = True
                return False
            result: bool = super().received(data)
            if self.request is None:  # every request received so far is complete
                self.reading_since = None
            return result

    server = waitress.create_server(
        site,
        sockets=[listener],
        threads=threads,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=max(1, IDLE_SECONDS // 3),
        asyncore_use_poll=True,  # select() stops at 1,024 open sockets
        max_request_body_size=MAX_REQUEST_BYTES,
    )
    server.channel_class = DeadlineChannel
    return server


@contextmanager
def listening_socket(host: str, port: int) -> Iterator[socket.socket]:
    """A TCP socket bound to ``host:port`` (closed on exit).

    :raises ServeError: if the address is in use or cannot be bound.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise ServeError(
            f"cannot listen on {host}: {error.strerror}", hint="check --host"
        ) from error
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as error:
        listener.close()
        raise ServeError(
            f"cannot listen on {host}:{port}: {error.strerror}",
            hint="another program uses that port: pick one with --port",
        ) from error
    with listener:
        yield listener


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# -- helpers ----------------------------------------------------------------------------------


def _formats_for(query: SavedQuery) -> tuple[str, ...]:
    graph = query.form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)
    return _GRAPH_FORMATS if graph else _SOLUTION_FORMATS


def _media_type(request: Request, query: SavedQuery) -> str | None:
    allowed = _formats_for(query)
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


def _query_text(request: Request, body: bytes) -> str | None:
    """The query a SPARQL Protocol request carries (in the URL, a form, or the body)."""
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        return body.decode("utf-8", "replace")
    return request.values.get("query")


def _asset(name: str) -> str:
    return files("annograph.serve").joinpath("web", name).read_text(encoding="utf-8")


def _page_language(request: Request) -> Language:
    """The language of an entity page: ``?lang=``, else the browser's choice, else English."""
    asked = request.args.get("lang") or request.accept_languages.best_match(LANGUAGES)
    return next((lang for lang in LANGUAGES if lang == asked), "en")


def _note_html(note: str) -> str:
    """A curator's note, marked as one: not a statement of the article."""
    return f"<p class='note'><span class='label'>note:</span> {escape(note)}</p>"


def _page(title: str, body: str, *, lang: str = "en") -> str:
    return (
        f"<!doctype html><html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} — annograph</title>"
        "<link rel='stylesheet' href='/static/app.css'></head><body>"
        f"<header><a href='/'>annograph</a></header><main><h1>{escape(title)}</h1>{body}</main>"
        "</body></html>"
    )


def _quote(value: str) -> str:
    return quote(value, safe="")


def _property_values(
    data: list[ox.Triple], id_namespace: str
) -> dict[str, dict[str, frozenset[str]]]:
    """Entity -> property -> values, where an entity value also counts by its id and names."""
    names: dict[str, set[str]] = defaultdict(set)
    for record in records_from_triples(iter(data)):
        names[record.iri] = {fold(label.text) for label in record.labels}
        names[record.iri].add(fold(record.iri.removeprefix(id_namespace)))
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for triple in data:
        subject, value = triple.subject, triple.object
        if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(id_namespace):
            continue
        keys = values[subject.value][triple.predicate.value]
        if isinstance(value, ox.Literal):
            keys.add(property_value(value.value))
        elif isinstance(value, ox.NamedNode):
            keys.add(value.value)
            keys |= names.get(value.value, set())
    return {s: {p: frozenset(v) for p, v in by.items()} for s, by in values.items()}
