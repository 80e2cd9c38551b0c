"""The ``annograph`` command: a thin layer over :class:`annograph.project.Project`.

Exit codes: 0 success, 1 invalid data, query or store problem (one ``path:line:col: error:``
line per problem), 2 usage error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from annograph import __version__
from annograph.errors import AnnographError, SourceLocation
from annograph.export import ExportFormat
from annograph.project import Project
from annograph.results import ResultFormat, render_result

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """An :class:`AnnographError` shown as its own compiler-style lines, without 'Error:'."""

    def __init__(self, error: AnnographError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code  # type: ignore[misc]  # click's default is a class attribute

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


class AnnographGroup(click.Group):
    """Turns library errors into user messages in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AnnographError as error:
            raise UserError(error) from error


def project_options(command: F) -> F:
    """``--project``, ``--store`` and ``--base-iri``, shared by every command that needs them."""

    @click.option(
        "--project",
        "project_dir",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        help="Project directory [default: the one containing the current directory].",
    )
    @click.option(
        "--store",
        "store_path",
        type=click.Path(path_type=Path),
        envvar="ANNOGRAPH_STORE",
        help="Store location [default: .annograph/store in the project; env ANNOGRAPH_STORE].",
    )
    @click.option(
        "--base-iri",
        envvar="ANNOGRAPH_BASE_IRI",
        help="Namespace for minted IRIs [default: https://w3id.org/annograph/data/; "
        "env ANNOGRAPH_BASE_IRI].",
    )
    @functools.wraps(command)
    def wrapper(
        *args: Any,
        project_dir: Path | None,
        store_path: Path | None,
        base_iri: str | None,
        **kwargs: Any,
    ) -> Any:
        project = Project.discover(
            project_dir or Path.cwd(), base_iri=base_iri, store_path=store_path
        )
        return command(project, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def output_option(command: F) -> F:
    """``-o/--output FILE``: write there instead of to standard output."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to FILE instead of standard output.",
    )(command)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            problem = f"cannot write: {error.strerror}"
            location = SourceLocation(output)
            raise UserError(AnnographError(problem, location=location)) from error
        click.echo(f"wrote {output}", err=True)


@click.group(cls=AnnographGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annograph")
def cli() -> None:
    """Curated annotations of news articles -> a linked-data knowledge graph you query with SPARQL.

    Run the commands inside a project (a directory with ontology/, data/ and queries/).

    \b
    Example:
      annograph build && annograph query organizers
    """


@cli.command()
@project_options
def build(project: Project) -> None:
    """Check every article's annotations and build the Oxigraph store.

    The ontology goes into its own named graph and each article into one named graph. The new
    store replaces the old one only when the build succeeds.

    \b
    Example:
      annograph build --store /tmp/annograph-store
    """
    info = project.build()
    articles = len(info.quads_per_graph) - 1
    click.echo(f"built {info.path}: {info.quads} quads, {articles} article(s)")
    for graph, count in info.quads_per_graph.items():
        click.echo(f"  {count:>7}  <{graph}>")


@cli.command()
@project_options
@click.option(
    "-f",
    "--format",
    "format_name",
    type=click.Choice([f.value for f in ExportFormat]),
    default=ExportFormat.TURTLE.value,
    show_default=True,
    help="RDF format. turtle/ntriples/rdfxml merge the graphs; nquads/trig/jsonld keep them.",
)
@click.option(
    "--graph",
    help="Only this named graph: an IRI, or an article's slug (e.g. bishkek-migrants-day).",
)
@click.option("--with-ontology", is_flag=True, help="Include the ontology's graph.")
@output_option
def export(
    project: Project, format_name: str, graph: str | None, with_ontology: bool, output: Path | None
) -> None:
    """Export the built graph as RDF (Turtle by default, to standard output).

    Turtle and TriG output is deterministic: the same graph always gives the same bytes, so
    exports diff cleanly in git.

    \b
    Examples:
      annograph export --graph bishkek-migrants-day -o bishkek.ttl
      annograph export --format nquads --with-ontology > all.nq
    """
    if graph is not None and ":" not in graph:
        graph = project.article_graph(graph)
    text = project.export(ExportFormat(format_name), graph=graph, with_ontology=with_ontology)
    _emit(text, output)


@cli.command()
@project_options
@click.argument("query_name", metavar="QUERY")
@click.option(
    "-f",
    "--format",
    "format_name",
    type=click.Choice([f.value for f in ResultFormat if f is not ResultFormat.TURTLE]),
    default=ResultFormat.TABLE.value,
    show_default=True,
    help="Results format for SELECT/ASK (CONSTRUCT results are always Turtle).",
)
@output_option
def query(project: Project, query_name: str, format_name: str, output: Path | None) -> None:
    """Run a saved query (a name from queries/, or a path to a .rq file) on the built store.

    Queries see the union of all graphs, so they need no GRAPH clause.

    \b
    Examples:
      annograph query organizers
      annograph query queries/supporters.rq --format csv -o supporters.csv
    """
    result = project.query(query_name)
    _emit(
        render_result(result, format=ResultFormat(format_name), prefixes=project.prefixes()), output
    )


def main() -> None:
    """Console entry point."""
    cli(prog_name="annograph")


if __name__ == "__main__":  # pragma: no cover
    main()
