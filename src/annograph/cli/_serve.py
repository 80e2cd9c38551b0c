"""``annograph serve``: the graph over HTTP (the server is imported only when it runs)."""

from __future__ import annotations

import click

from annograph._extras import require
from annograph._limits import is_service_prefix
from annograph.cli._main import (
    ByteSize,
    cli,
    project_options,
)
from annograph.project._facade import Project
from annograph.serve._settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    SERVER_MODULES,
    default_memory_limit,
)


def _service_prefixes(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if not is_service_prefix(value):
            raise click.BadParameter(
                f"'{value}' is not an http(s) URL prefix with a '/' after the host, "
                "e.g. https://query.wikidata.org/",
                param_hint="'--allow-service'",
            )
    return values


@cli.command()
@project_options
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0: any free one).",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds a SPARQL query may run before the server stops it.",
)
@click.option(
    "--memory-limit",
    "memory_limit",
    type=ByteSize(),
    default=None,
    metavar="SIZE",
    help="Memory the query engine may use, e.g. 4G; a query that needs more stops it, and it "
    "starts again ('none': no limit) [default: half of this machine's memory].",
)
@click.option(
    "--allow-service",
    "allow_service",
    multiple=True,
    metavar="URL-PREFIX",
    callback=lambda ctx, param, values: _service_prefixes(values),
    help="Let queries call endpoints under this URL with SERVICE (repeatable; config "
    "'allow_service'). Without it the server runs no federated query.",
)
def serve(
    project: Project,
    host: str,
    port: int,
    timeout: int,
    memory_limit: int | None,
    allow_service: tuple[str, ...],
) -> None:
    """Serve the built graph over HTTP until Ctrl-C: SPARQL, a web page, APIs.

    \b
    /                   web page: SPARQL editor, saved queries, entity pages
    /query, /sparql     SPARQL 1.1 Protocol endpoint (read-only; updates get 403)
    /api/queries        saved queries as a web API; /api/openapi.json describes it
    /reconcile          W3C Reconciliation Service API, for OpenRefine

    It serves the store as built when it starts: restart it after 'annograph build'. It
    listens on 127.0.0.1 only, unless --host says otherwise. Queries nested too deep for
    the engine, and SERVICE calls to endpoints not allowed, are refused with a 400.

    \b
    Examples:
      annograph serve
      annograph serve --port 8080 --timeout 60 --memory-limit 4G
      annograph serve --allow-service https://query.wikidata.org/
    """
    for module in SERVER_MODULES:
        require(module, extra="serve", purpose="'annograph serve'")
    from annograph.serve._server import serve as run_server

    run_server(
        project,
        host=host,
        port=port,
        timeout=timeout,
        memory_limit=default_memory_limit() if memory_limit is None else memory_limit or None,
        allow_service=allow_service or project.config.allow_service,
    )
