"""The graph out of the store: ``export``, ``push``, ``stats``."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from annograph._http import AuthScheme
from annograph.cli._main import (
    auth_options,
    cli,
    emit,
    endpoint_auth,
    format_option,
    output_option,
    project_options,
)
from annograph.cli._terminal import (
    StepDisplay,
    complete_endpoints,
    complete_slugs,
    info,
    show_pushed,
)
from annograph.errors import AnnographError, SourceLocation
from annograph.project._facade import Project
from annograph.publish._export import ExportFormat
from annograph.publish._push import DEFAULT_CHUNK_BYTES, DEFAULT_RETRIES, Target
from annograph.publish._stats import StatsFormat, render_stats


@contextmanager
def _binary_output(output: Path | None) -> Iterator[IO[bytes]]:
    """Standard output, or a file written beside ``output`` and renamed onto it when complete
    (an export that fails half-way leaves no half-written file)."""
    if output is None:
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    partial = output.with_name(output.name + ".partial")
    try:
        with open(partial, "wb") as stream:
            yield stream
        os.replace(partial, output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        message = f"cannot write: {error.strerror}"
        raise AnnographError(message, location=SourceLocation(output)) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    info(f"wrote {output}", err=True)


@cli.command()
@project_options
@format_option(
    ExportFormat,
    default=ExportFormat.TURTLE,
    help="RDF format. turtle/ntriples/rdfxml merge the graphs; nquads/trig/jsonld keep them.",
)
@click.option(
    "--graph",
    shell_complete=complete_slugs,
    help="Only this named graph: an IRI, or an article's slug (e.g. bishkek-migrants-day).",
)
@click.option("--with-ontology", is_flag=True, help="Include the ontology's graph.")
@click.option(
    "--void",
    "void",
    is_flag=True,
    help="Write a VoID description of the dataset (sizes, classes, one linkset per external "
    "target) instead of the data.",
)
@click.option("--license", metavar="IRI", help="With --void: the dataset's licence.")
@click.option("--endpoint", metavar="URL", help="With --void: its public SPARQL endpoint.")
@output_option
def export(
    project: Project,
    format_name: str,
    graph: str | None,
    with_ontology: bool,
    void: bool,
    license: str | None,
    endpoint: str | None,
    output: Path | None,
) -> None:
    """Export the built graph as RDF (Turtle by default, to standard output).

    Turtle and TriG output is deterministic: the same graph always gives the same bytes, so
    exports diff cleanly in git. With --void, the output describes the dataset instead (W3C
    VoID): triples, entities, classes with their sizes, and a void:Linkset per external graph
    (Wikidata, GeoNames, ...) and link predicate, with the number of links.

    \b
    Examples:
      annograph export --graph bishkek-migrants-day -o bishkek.ttl
      annograph export --format nquads --with-ontology > all.nq
      annograph export --void --license https://creativecommons.org/licenses/by/4.0/
    """
    fmt = ExportFormat(format_name)
    if void:
        if graph is not None or with_ontology:
            raise click.UsageError(
                "--void describes the whole dataset: drop --graph/--with-ontology"
            )
        emit(project.export_void(fmt, license=license, endpoint=endpoint), output)
        return
    if license is not None or endpoint is not None:
        raise click.UsageError("--license and --endpoint go with --void")
    if graph is not None and ":" not in graph:
        graph = project.article_graph(graph)
    with _binary_output(output) as stream:
        project.export_to(stream, fmt, graph=graph, with_ontology=with_ontology)


@cli.command()
@project_options
@click.option(
    "--endpoint",
    metavar="NAME|URL",
    required=True,
    shell_complete=complete_endpoints,
    help="The target's SPARQL query URL (for the count check), e.g. http://host:7878/query, or "
    "the name of an endpoint in annograph.toml.",
)
@click.option(
    "--graph-store",
    metavar="URL",
    help="The target's Graph Store Protocol URL [default: ENDPOINT's /store, as Oxigraph has it].",
)
@click.option(
    "--default-graph",
    metavar="IRI",
    help="Write the default graph's facts to this named graph instead, for an engine whose "
    "default graph is the union of all graphs (Virtuoso) [default: the endpoint's "
    "default_graph in annograph.toml, else the default graph].",
)
@auth_options
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=DEFAULT_CHUNK_BYTES // 1024,
    show_default=True,
    metavar="KB",
    help="The largest request, in KiB of N-Triples: a larger graph goes as one PUT and then "
    "POSTs of the rest.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=DEFAULT_RETRIES,
    show_default=True,
    help="Retries of a graph after a connection error or a 5xx answer (with backoff).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    help="Seconds to wait for each request.",
)
@click.option(
    "--keep-extra",
    is_flag=True,
    help="Keep the project's graphs that the target has and the build does not (an article "
    "deleted since the last push) instead of deleting them.",
)
def push(
    project: Project,
    endpoint: str,
    graph_store: str | None,
    default_graph: str | None,
    user: str | None,
    auth_scheme: AuthScheme | None,
    chunk_size: int,
    retries: int,
    timeout: float,
    keep_extra: bool,
) -> None:
    """Make another triple store hold the built graph, graph by graph.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol, so any engine that speaks it will do. Each
    graph is replaced whole (a PUT, then POSTs of the rest when it is larger than
    --chunk-size): pushing twice gives the same store, and a push that was cut short is
    finished by pushing again. Graphs under the project's base IRI that the target
    has and the build does not (an article since deleted) are deleted there, unless
    --keep-extra; other graphs on the target are left alone. Afterwards the target's graphs
    and the triple count of each are checked against the built store's.

    \b
    Examples:
      annograph push --endpoint http://127.0.0.1:7878/query
      annograph push --endpoint http://fuseki:3030/news/sparql \\
          --graph-store http://fuseki:3030/news/data --user admin
      annograph push --endpoint virtuoso   # configured in annograph.toml: see docs/serving.md
    """
    configured = project.endpoint(endpoint)
    target = Target(
        endpoint=configured.url,
        graph_store=graph_store or configured.store_url,
        auth=endpoint_auth(configured, user, auth_scheme),
        timeout=timeout,
        retries=retries,
        default_graph=default_graph or configured.default_graph,
        chunk_bytes=chunk_size * 1024,
    )
    with StepDisplay("pushing") as display:
        progress = functools.partial(show_pushed, display=display)
        pushed = project.push(target, keep_extra=keep_extra, progress=progress)
    for graph in pushed.removed:
        info(f"deleted <{graph}> from the target: the build has no such graph")
    for graph in pushed.kept:
        info(f"kept <{graph}> on the target (--keep-extra): the build has no such graph")
    total = sum(g.triples for g in pushed.graphs)
    info(f"{len(pushed.graphs)} graphs, {total} triples at {target.graph_store}; counts checked")


@cli.command()
@project_options
@format_option(StatsFormat, default=StatsFormat.TABLE, help="table for people, json for tools.")
@output_option
def stats(project: Project, format_name: str, output: Path | None) -> None:
    """Count what the built store holds: triples, entities per class, evidence, links.

    Triples per named graph and in all; distinct entities per class, with the class's label;
    evidence coverage, the facts of each article that have a quote, of all its facts
    (identity links are curation, not the article's facts, and do not count); identity links
    per target graph (Wikidata, GeoNames, other hosts) and predicate. Counted with SPARQL
    from the built store: run 'annograph build' first.

    \b
    Examples:
      annograph stats
      annograph stats --format json | jq .evidence.percent
    """
    fmt = StatsFormat(format_name)
    emit(render_stats(project.stats(), format=fmt, prefixes=project.prefixes()), output)
