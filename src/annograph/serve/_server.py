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

import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from annograph.annotations._layout import ANNOTATIONS_FILE, ARTICLES
from annograph.annotations._summaries import read_only_index
from annograph.build._store import index_path, open_store
from annograph.project._facade import Project
from annograph.serve._app import (
    MAX_REQUEST_BYTES,
    Site,
)
from annograph.serve._engine import (
    Engine,
    ServeError,
)

REQUEST_SECONDS = 10
#: Seconds a connection may stay idle between requests.
IDLE_SECONDS = 30
#: Open connections at once; slow ones are cut after ``REQUEST_SECONDS``.
CONNECTION_LIMIT = 500


#: The largest request body (a query, a reconciliation batch).
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
        # A reverse proxy on this machine names the public URL (the base IRI of queries, the
        # API's server); from anywhere else these headers are dropped.
        trusted_proxy="127.0.0.1",
        trusted_proxy_headers={"x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"},
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
