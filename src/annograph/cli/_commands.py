"""The ``annograph`` command: a thin layer over :class:`annograph.project._facade.Project`.

Exit codes: 0 success, 1 invalid data, query or store problem (one ``path:line:col: error:``
line per problem), 2 usage error.
"""

from __future__ import annotations

import enum
import functools
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar

import click
import httpx
import pyoxigraph as ox

from annograph._extras import require
from annograph._frames import release_frames
from annograph._languages import LANGUAGES, Language
from annograph._limits import is_service_prefix
from annograph._version import __version__
from annograph.annotations._ontology import short_iri
from annograph.annotations._reader import ANNOTATIONS_FILE
from annograph.annotations._terms import VocabFormat, render_term, render_vocabulary
from annograph.build._reasoning import ReasonerUnavailable
from annograph.cli._terminal import (
    SHELLS,
    StepDisplay,
    build_report,
    color,
    complete_endpoints,
    complete_queries,
    complete_slugs,
    completion_script,
    configure,
    info,
    printable,
    show_pushed,
    styled,
    terminal,
)
from annograph.errors import AnnographError, AnnotationErrors, SourceLocation
from annograph.linking._matching import ACCEPT_THRESHOLD
from annograph.linking._review import Verdicts, confident_pending, select_pending, verdicts_of
from annograph.linking._sources import open_source
from annograph.linking._sssom import MappingRow, MappingSet
from annograph.project._facade import Project, Validation
from annograph.project._scaffold import TEXT_FILE, init_project
from annograph.publish._export import ExportFormat
from annograph.publish._push import DEFAULT_RETRIES, Target, graph_store_url
from annograph.publish._stats import DEFAULT_GRAPH, StatsFormat, render_stats
from annograph.query._evidence import DEFAULT_LIMIT, ExplainedFact, Explanation
from annograph.query._render import ResultFormat, render_result, term_text
from annograph.query._saved import Parameter
from annograph.serve._settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    SERVER_MODULES,
    default_memory_limit,
)

F = TypeVar("F", bound=Callable[..., Any])
#: Where --user takes its password from, so that it stays out of shell history and ps.
PASSWORD_VARIABLE = "ANNOGRAPH_PASSWORD"


class UserError(click.ClickException):
    """An :class:`AnnographError` shown as its own compiler-style lines, without 'Error:'."""

    def __init__(self, error: AnnographError) -> None:
        message = str(error)
        if isinstance(error, AnnotationErrors):
            message += "\n" + _count(error.errors)
        super().__init__(message)
        self.exit_code = error.exit_code  # type: ignore[misc]  # click's default is a class attribute
        self.styled = styled(error) + message[len(str(error)) :]

    def show(self, file: Any = None) -> None:
        # Shown after the command's context is gone: NO_COLOR is checked here again.
        click.echo(self.styled, err=True, color=color())


def _count(problems: list[AnnographError]) -> str:
    errors = sum(problem.severity == "error" for problem in problems)
    return f"{errors} error(s), {len(problems) - errors} warning(s); nothing was written"


class AnnographGroup(click.Group):
    """Turns library errors into user messages in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AnnographError as error:
            release_frames(error)
            raise UserError(error) from error


def lang_option(command: F) -> F:
    """``--lang ru|en``: the language of labels in pictures and pages."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default="en",
        show_default=True,
        help="Language of the labels (the other one where a term has none in it).",
    )(command)


def project_options(command: F) -> F:
    """``--project``, ``--store``, ``--data`` and ``--base-iri``, for the commands needing them."""

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
        help="Store location [default: .annograph/store in the project; env ANNOGRAPH_STORE; "
        "config 'store'].",
    )
    @click.option(
        "--data",
        "data_path",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="ANNOGRAPH_DATA",
        help="Data folder (articles/, entities/, links/) [default: data in the project; "
        "env ANNOGRAPH_DATA; config 'data'].",
    )
    @click.option(
        "--base-iri",
        envvar="ANNOGRAPH_BASE_IRI",
        help="Namespace for minted IRIs [default: https://w3id.org/annograph/data/; "
        "env ANNOGRAPH_BASE_IRI; config 'base_iri'].",
    )
    @functools.wraps(command)
    def wrapper(
        *args: Any,
        project_dir: Path | None,
        store_path: Path | None,
        data_path: Path | None,
        base_iri: str | None,
        **kwargs: Any,
    ) -> Any:
        project = Project.discover(
            project_dir or Path.cwd(),
            base_iri=base_iri,
            store_path=store_path,
            data_path=data_path,
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


def format_option(
    formats: type[enum.Enum], *, help: str, default: enum.Enum | None = None
) -> Callable[[F], F]:
    """``-f/--format NAME``, one of ``formats``' values, passed on as ``format_name``."""
    return click.option(
        "-f",
        "--format",
        "format_name",
        type=click.Choice([f.value for f in formats]),
        default=None if default is None else default.value,
        show_default=default is not None,
        help=help,
    )


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            message = f"cannot write: {error.strerror}"
            raise AnnographError(message, location=SourceLocation(output)) from error
        info(f"wrote {output}", err=True)


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


def auth_options(command: F) -> F:
    """``--user NAME`` (password from ANNOGRAPH_PASSWORD or a prompt), passed on as ``auth``."""

    @click.option("--user", metavar="NAME", help="Basic-auth user name for the endpoint.")
    @functools.wraps(command)
    def wrapper(*args: Any, user: str | None, **kwargs: Any) -> Any:
        return command(*args, auth=_basic_auth(user), **kwargs)

    return wrapper  # type: ignore[return-value]


def _basic_auth(user: str | None) -> httpx.Auth | None:
    if user is None:
        return None
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        password = click.prompt(f"password for {user}", hide_input=True, err=True)
    return httpx.BasicAuth(user, password)


@click.group(cls=AnnographGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annograph")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the output asked for.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Say more: the time of each build stage, each graph pushed.",
)
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Curated annotations of news articles -> a linked-data knowledge graph you query with SPARQL.

    Run the commands inside a project (a directory with ontology/, data/ and queries/).
    Colour goes only to a terminal, and never with NO_COLOR set.

    \b
    Example:
      annograph build && annograph query organizers
    """
    configure(ctx, quiet=quiet, verbose=verbose)


@cli.command()
@project_options
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    metavar="SECONDS",
    help="If another build of this store is running, wait up to SECONDS for it [default: refuse].",
)
@click.option("--full", is_flag=True, help="Rebuild everything, even what has not changed.")
def build(project: Project, wait: float, full: bool) -> None:
    """Validate every article (as 'annograph validate' does) and build the Oxigraph store.

    The ontology goes into its own named graph and each article into one named graph; the
    default graph holds the facts of all of them, each once, for queries. Only what
    changed since the last build is redone: with nothing changed there is nothing to do; when
    only articles changed, their graphs are replaced in the store in one transaction; when the
    ontology, shapes, shared entities or links changed, a new store is written beside the old
    one and replaces it only when the build succeeds. A failed, interrupted or killed build
    leaves the previous store as it was.

    \b
    Examples:
      annograph build --store /tmp/annograph-store
      annograph build --wait 60
      annograph build --full
    """
    with StepDisplay("building") as display:
        result = project.build(wait=wait, progress=display, full=full)
    _show_warnings(result.validation)
    info(build_report(result))
    if terminal().verbose:
        shown = tuple(result.store.quads_per_graph) if result.kind == "full" else result.replaced
        for graph in shown:
            name = f"<{graph}>" if graph else DEFAULT_GRAPH
            click.echo(f"  {result.store.quads_per_graph.get(graph, 0):>9}  {name}")
        for graph in result.removed:
            click.echo(f"  {'removed':>9}  <{graph}>")


def _show_warnings(validation: Validation) -> None:
    for warning in validation.warnings:
        info(styled(warning), err=True)


@cli.command()
@project_options
@click.option(
    "--reason",
    is_flag=True,
    help="Also run the OWL reasoner (HermiT, needs Java) over ontology plus data.",
)
def validate(project: Project, reason: bool) -> None:
    """Check the annotations and the graph they make, without writing anything.

    Checks YAML syntax, keys, classes and properties (against the ontology), references, duplicate
    ids, values (dates, numbers, language tags) and quotes (verbatim, and unambiguous), then the
    SHACL shapes of ontology/shapes.ttl. Prints every problem as 'path:line:column: error: ...'
    with a hint, and exits 1 if there is an error (warnings alone exit 0). 'annograph build' runs
    the same checks first.

    With --reason, HermiT then checks that the ontology's axioms allow the data (say, nothing is
    both a Person and an Organization) and names the statements and entities of any conflict.
    Without Java that step is skipped with a warning. 'annograph check' is the same command.

    \b
    Examples:
      annograph validate
      annograph check --reason
    """
    result = project.validate()
    _show_warnings(result)
    if reason:
        _reason(project)
    info(result.summary())


def _reason(project: Project) -> None:
    click.echo("reasoning with HermiT (a conflict takes some more runs to pin down) ...", err=True)
    try:
        project.reason()
    except ReasonerUnavailable as missing:
        click.echo(f"warning: reasoning skipped: {missing.message}", err=True)
        click.echo(f"  hint: {missing.hint}", err=True)
    else:
        click.echo("consistent: HermiT finds nothing the ontology rules out")


cli.add_command(validate, name="check")


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
        _emit(project.export_void(fmt, license=license, endpoint=endpoint), output)
        return
    if license is not None or endpoint is not None:
        raise click.UsageError("--license and --endpoint go with --void")
    if graph is not None and ":" not in graph:
        graph = project.article_graph(graph)
    with _binary_output(output) as stream:
        project.export_to(stream, fmt, graph=graph, with_ontology=with_ontology)


@cli.command()
@project_options
@click.argument("query_name", metavar="QUERY", shell_complete=complete_queries)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter; repeat to bind a list. See 'annograph queries show QUERY'.",
)
@format_option(
    ResultFormat,
    help="table (default), csv, tsv, json, xml or markdown for SELECT/ASK; "
    "turtle (default), ntriples or jsonld for CONSTRUCT/DESCRIBE.",
)
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="ALIAS=URL",
    help="Send the query's SERVICE <ALIAS> clauses to URL instead (a mirror); ALIAS is the "
    "endpoint IRI or 'wikidata'. Repeatable.",
)
@click.option(
    "--endpoint",
    metavar="NAME|URL",
    shell_complete=complete_endpoints,
    help="Run on this SPARQL 1.1 endpoint (a URL, or a name from annograph.toml) instead of the "
    "built store (any engine the graph was pushed to with 'annograph push').",
)
@auth_options
@output_option
def query(
    project: Project,
    query_name: str,
    params: tuple[str, ...],
    format_name: str | None,
    services: tuple[str, ...],
    endpoint: str | None,
    auth: httpx.Auth | None,
    output: Path | None,
) -> None:
    """Run QUERY: a saved query's name, a .rq file, or - for standard input.

    Queries read the default graph, which holds every article's facts once; the words that
    support a fact are in the graph of each article that states it (GRAPH ?g). Parameters are
    bound as RDF terms (never pasted into the query), so a value cannot change the query.

    \b
    Examples:
      annograph query organizers
      annograph query entity --param entity=Бишкек
      annograph query entities-of-class -p class=ag:Report -f csv -o reports.csv
      echo 'ASK { ?s ?p ?o }' | annograph query -
      annograph query wikidata-crosscheck --service wikidata=http://127.0.0.1:7879/query
      annograph query speakers --endpoint http://127.0.0.1:7878/query
    """
    redirects = dict(_parse_service(service) for service in services)
    if endpoint is not None:
        configured = project.endpoint(endpoint)
        endpoint, auth = configured.url, auth or _basic_auth(configured.user)
    result = project.run_query(
        query_name,
        _parse_pairs(params, "--param"),
        services=redirects,
        endpoint=endpoint,
        auth=auth,
    )
    fmt = ResultFormat(format_name) if format_name else None
    _emit(render_result(result, format=fmt, prefixes=project.prefixes()), output)


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
@auth_options
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
    auth: httpx.Auth | None,
    retries: int,
    timeout: float,
    keep_extra: bool,
) -> None:
    """Make another triple store hold the built graph, one named graph per PUT.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol, so any engine that speaks it will do. Each
    PUT replaces a whole graph: pushing twice gives the same store, and a push that was cut
    short is finished by pushing again. Graphs under the project's base IRI that the target
    has and the build does not (an article since deleted) are deleted there, unless
    --keep-extra; other graphs on the target are left alone. Afterwards the target's graphs
    and the triple count of each are checked against the built store's.

    \b
    Examples:
      annograph push --endpoint http://127.0.0.1:7878/query
      annograph push --endpoint http://fuseki:3030/news/sparql \\
          --graph-store http://fuseki:3030/news/data --user admin
    """
    configured = project.endpoint(endpoint)
    target = Target(
        endpoint=configured.url,
        graph_store=graph_store or configured.graph_store or graph_store_url(configured.url),
        auth=auth or _basic_auth(configured.user),
        timeout=timeout,
        retries=retries,
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
    _emit(render_stats(project.stats(), format=fmt, prefixes=project.prefixes()), output)


@cli.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the script that makes SHELL complete annograph's commands, options and names.

    Besides commands and options, it completes saved query names (annograph query QUERY),
    article slugs (--graph) and the endpoint names of annograph.toml (--endpoint).

    \b
    Examples:
      eval "$(annograph completion bash)"     # add to ~/.bashrc
      eval "$(annograph completion zsh)"      # add to ~/.zshrc
      annograph completion fish > ~/.config/fish/completions/annograph.fish
    """
    click.echo(completion_script(cli, shell, prog_name="annograph"), nl=False)


def _service_prefixes(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if not is_service_prefix(value):
            raise click.BadParameter(
                f"'{value}' is not an http(s) URL prefix with a '/' after the host, "
                "e.g. https://query.wikidata.org/",
                param_hint="'--allow-service'",
            )
    return values


class ByteSize(click.ParamType[int]):
    """A size such as 512M, 4G or 4096 (bytes); 'none' or 0 for no limit (given as 0)."""

    name = "size"
    _UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        if text in ("NONE", "0"):
            return 0
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)", text)
        if match is None:
            self.fail(f"'{value}' is not a size; write e.g. 512M, 4G or none", param, ctx)
        size = int(float(match.group(1)) * self._UNITS[match.group(2)])
        if size < 64 << 20:
            self.fail(f"{value} is too little for the query engine: give at least 64M", param, ctx)
        return size


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


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Start a new project in DIRECTORY: ontology, saved queries and a sample article.

    DIRECTORY must be new or empty. The sample is an annotated article with the shared entities
    it mentions; keep it as a model, or delete its folder once your own articles are in.

    \b
    Example:
      annograph init my-news && cd my-news && annograph build && annograph query organizers
    """
    for path in init_project(directory):
        info(f"  {path.name}{'/' if path.is_dir() else ''}")
    info(f"started a project in {directory}; next: cd {directory} && annograph build")


@cli.command()
@project_options
@click.argument("slug")
@click.option(
    "--text",
    "text_file",
    type=click.File("rb"),
    required=True,
    help="The article's text (UTF-8; '-' for standard input), copied byte for byte.",
)
@click.option("--title", help="Its headline; quoted in the skeleton when the text contains it.")
@click.option("--url", help="The address it was published at.")
@click.option("--published", metavar="YYYY-MM-DD", help="The day it was published.")
@click.option(
    "--language",
    help="BCP 47 tag of its language [default: the language of the project's articles].",
)
def new(
    project: Project,
    slug: str,
    text_file: BinaryIO,
    title: str | None,
    url: str | None,
    published: str | None,
    language: str | None,
) -> None:
    """Add an article: data/articles/SLUG/ with its text and an annotation skeleton.

    The skeleton is valid as written; it numbers the text's sentences (quote by copying them)
    and lists the shared entities the article can mention by id. Annotate it, then run
    'annograph validate'.

    \b
    Example:
      annograph new osh-job-fair --text ~/osh.txt --title "Ярмарка вакансий в Оше" \\
          --url https://example.org/news/42 --published 2024-03-01 --language ru
    """
    created = project.new_article(
        slug,
        text_file.read(),
        language=language,
        title=title,
        url=url,
        published=published,
        source=_source_name(text_file),
    )
    annotations = created.directory / ANNOTATIONS_FILE
    info(f"created {created.directory}: {TEXT_FILE}, {ANNOTATIONS_FILE}")
    info(f"  {created.sentences} sentence(s) numbered in {annotations} for quoting")
    if title is not None and not created.headline_quoted:
        info("  the title is not in the text: the headline is left for you to quote")
    info(f"next: annotate {annotations}, then annograph validate")


def _source_name(file: BinaryIO) -> str:
    name = getattr(file, "name", "-")
    return "standard input" if name in ("-", "<stdin>") else Path(name).name


def _parse_service(service: str) -> tuple[str, str]:
    # Both sides may be URLs with '=' in them; the mirror is the URL after the first '=http'.
    match = re.fullmatch(r"(.+?)=(https?://.+)", service)
    if match is None:
        raise click.BadParameter(f"'{service}' is not ALIAS=URL", param_hint="--service")
    return match.group(1), match.group(2)


def _parse_pairs(params: tuple[str, ...], option: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for param in params:
        name, equals, value = param.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"'{param}' is not NAME=VALUE", param_hint=option)
        values.setdefault(name.strip(), []).append(value)
    return values


@cli.command()
@project_options
@click.argument("entity")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMIT,
    show_default=True,
    metavar="N",
    help="Show at most N quotes per fact, and N facts per property pointing at ENTITY; "
    "the rest are counted.",
)
@click.option("--all", "show_all", is_flag=True, help="Show every fact and every quote.")
@lang_option
def why(project: Project, entity: str, limit: int, show_all: bool, lang: Language) -> None:
    """Show every fact about ENTITY with the article's words that support it.

    ENTITY is an id (bishkek), a CURIE (id:bishkek), a full IRI, or a name in any language
    (Бишкек, МОМ; case is ignored). Each fact is followed by its quotes, their character span
    [start:end] in the article's text, and the article; a curator's note on reading them is
    marked 'note:'. The entities the facts link to are shown by their names in --lang. '←'
    marks facts in which the entity is the object. An entity many articles mention has more
    quotes than a screen holds: --limit caps them (the rest are counted), --all shows them all.
    Reads the built store: run 'annograph build' first.

    \b
    Examples:
      annograph why bishkek
      annograph why "Тянь-Шанский аналитический центр"
      annograph why iom --limit 3
      annograph why iom --lang ru
    """
    explanation = project.why(entity, limit=None if show_all else limit)
    prefixes = project.prefixes()
    # Everything shown comes from data: controls and bidi overrides are shown as escapes.
    title = printable(" · ".join(term_text(label, prefixes) for label in explanation.labels))
    click.echo(click.style(short_iri(explanation.entity, prefixes), bold=True) + f"  {title}")
    for note in explanation.notes:
        _echo_note(note.value, indent="  ")
    for fact in explanation.facts:
        _echo_fact(fact, explanation, prefixes, lang)
    for predicate, count in sorted(explanation.more_incoming.items(), key=lambda i: i[0].value):
        click.echo(f"  ← … and {count} more {short_iri(predicate, prefixes)} (--all shows them)")


def _echo_fact(
    fact: ExplainedFact, explanation: Explanation, prefixes: dict[str, str], lang: Language
) -> None:
    # What the fact links to by its name, where it has one: ids are for machines.
    other = explanation.name_of(fact.other, lang) or short_iri(fact.other, prefixes)
    predicate = short_iri(fact.predicate, prefixes)
    head = f"← {other} {predicate}" if fact.incoming else f"{predicate} {other}"
    click.echo(f"  {_one_line(head)}")
    for quote in fact.quotes:
        kind = "  (mention)" if quote.mention else ""
        source = short_iri(ox.NamedNode(quote.source), prefixes)
        click.echo(f"      “{_one_line(quote.exact)}”  [{quote.start}:{quote.end}] {source}{kind}")
    if fact.more_quotes:
        click.echo(f"      … and {fact.more_quotes} more quote(s) (--all shows them)")
    for note in fact.notes:
        _echo_note(note, indent="      ")
    if not fact.quotes:
        why = "curated identity link" if fact.is_link else "no quote: written by the build"
        click.echo(f"      ({why})")


def _echo_note(note: str, *, indent: str) -> None:
    """A curator's note, marked as one: why the words were read so, not what the article says."""
    click.echo(
        click.wrap_text(
            printable(note),
            width=100,
            initial_indent=f"{indent}note: ",
            subsequent_indent=" " * len(f"{indent}note: "),
        )
    )


def _one_line(text: str) -> str:
    return printable(text)


@cli.command()
@project_options
@click.argument("term", required=False)
@format_option(
    VocabFormat,
    default=VocabFormat.TEXT,
    help="text for people, markdown for documentation, json for tools.",
)
@output_option
def vocab(project: Project, term: str | None, format_name: str, output: Path | None) -> None:
    """List the names annotations take, or show one term in full.

    Without TERM: every class ('type: City'), property ('attendee: {ref: ...}') and concept
    ('ref: ag:percent') of the ontology by its YAML name, with its English label and a one-line
    definition; classes by top class, properties by kind, concepts by class. With TERM (a YAML
    name in any case, ag:Name, an IRI, or a label such as 'participant'): its labels and other
    names, definition, super- and subclasses and properties (a class), what it applies to and
    takes (a property), its schema.org/ORG/PROV/SKOS alignment and an example: the ontology's,
    or the first use in the project's annotations. Reads the ontology, the shapes and (for the
    example) the annotation files: no build needed.

    \b
    Examples:
      annograph vocab
      annograph vocab attendee
      annograph vocab participant          # a label: shows attendee
      annograph vocab --format markdown -o docs/vocabulary.md
      annograph vocab City --format json
    """
    fmt = VocabFormat(format_name)
    vocabulary = project.vocabulary()
    if term is None:
        # On a terminal each summary is cut to fit a line; piped, it is whole, for grep.
        fits = output is None and sys.stdout.isatty()
        width = shutil.get_terminal_size().columns if fits else None
        text = render_vocabulary(vocabulary, format=fmt, width=width)
    else:
        text = render_term(project.lookup_term(term, vocabulary), vocabulary, format=fmt)
    _emit(text, output)


@cli.group(invoke_without_command=True)
@project_options
@click.pass_context
def queries(ctx: click.Context, project: Project) -> None:
    """List the saved queries (queries/*.rq) with their summary, tags and parameters.

    \b
    Examples:
      annograph queries
      annograph queries show supporters
    """
    ctx.obj = project
    if ctx.invoked_subcommand is not None:
        return
    for saved in project.saved_queries():
        params = " ".join(_param_usage(p) for p in saved.parameters)
        click.echo(click.style(saved.name, bold=True) + (f"  {params}" if params else ""))
        if saved.summary:
            click.echo(f"    {saved.summary}")
        if saved.tags:
            click.echo(f"    tags: {', '.join(saved.tags)}")


@queries.command("show")
@click.argument("query_name", metavar="QUERY", shell_complete=complete_queries)
@click.pass_obj
def show_query(project: Project, query_name: str) -> None:
    """Print a saved query with its documentation and parameters.

    \b
    Example:
      annograph queries show entity
    """
    saved = project.find_query(query_name)
    click.echo(click.style(saved.name, bold=True) + f"  ({saved.path})")
    if saved.summary:
        click.echo(f"\n{saved.summary}")
    if saved.description:
        click.echo("\n" + click.wrap_text(saved.description, width=100))
    if saved.tags:
        click.echo(f"\ntags: {', '.join(saved.tags)}")
    if saved.parameters:
        click.echo("\nparameters:")
        for p in saved.parameters:
            extra = [p.type_label, "required" if p.required else "optional"]
            if p.default is not None:
                extra.append(f"default {p.default}")
            if p.allowed:
                extra.append(f"one of {', '.join(p.allowed)}")
            click.echo(f"  {p.name}  ({'; '.join(extra)})  bound to ?{p.variable}")
    click.echo("\n" + saved.text.rstrip())


@cli.group()
def link() -> None:
    """Reconcile entities with external graphs (Wikidata, GeoNames, ...) and review the links.

    \b
    Examples (the workflow):
      annograph link suggest --against geonames    # candidates -> data/links/geonames.sssom.tsv
      annograph link review                        # see what is pending, side by side
      annograph link review --accept bishkek       # accepted rows become links at the next build
    """


@link.command("suggest")
@project_options
@click.option(
    "--against",
    "source_spec",
    required=True,
    metavar="SOURCE",
    help="'geonames' (offline, from the geonames extra), an RDF file in any format, a SPARQL "
    "endpoint URL, or a W3C Reconciliation Service URL.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Mapping file to add to [default: data/links/SOURCE.sssom.tsv].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=60,
    show_default=True,
    metavar="SECONDS",
    help="Give up on a remote source after SECONDS per request.",
)
def link_suggest(project: Project, source_spec: str, output: Path | None, timeout: float) -> None:
    """Find candidate identity links and write them to an SSSOM file for review.

    Candidates are matched by names across languages and scripts, dropped when their kind or
    place contradicts the annotations, and scored; nothing enters the graph until a person
    accepts it with 'annograph link review'. Rows already in the file keep their verdicts.

    \b
    Examples:
      annograph link suggest --against geonames
      annograph link suggest --against places.ttl
      annograph link suggest --against https://wikidata.reconci.link/en/api
    """
    source = open_source(source_spec, timeout=timeout)
    click.echo(f"reconciling against {source.iri} ...", err=True)
    suggested = project.suggest_links(source, output=output)
    found = suggested.reconciliation
    confident = sum(s.confidence >= ACCEPT_THRESHOLD for s in found.suggestions)
    click.echo(
        f"{found.considered} entities considered: {len(found.agreeing)} already linked and "
        f"confirmed, {len({s.subject.id for s in found.suggestions})} with candidates "
        f"({confident} scoring >= {ACCEPT_THRESHOLD}), {found.dropped} candidates dropped "
        "for kind or place"
    )
    click.echo(f"wrote {suggested.added} new row(s) to {suggested.path}")
    if suggested.added:
        click.echo("next: annograph link review")


@link.command("review")
@project_options
@click.option(
    "--accept",
    multiple=True,
    metavar="ENTITY[=TARGET]",
    help="Accept the pending candidate of ENTITY (its only one, or TARGET). ENTITY is an id, "
    "a CURIE, an IRI or a name. Repeatable.",
)
@click.option(
    "--reject",
    multiple=True,
    metavar="ENTITY[=TARGET]",
    help="Reject every pending candidate of ENTITY (or only TARGET); they will not be "
    "suggested again. Repeatable.",
)
@click.option(
    "--accept-above",
    type=click.FloatRange(0, 1),
    metavar="SCORE",
    help=f"Accept every pending candidate scoring at least SCORE (e.g. {ACCEPT_THRESHOLD}) "
    "that is its entity's only candidate that high.",
)
@click.option("-i", "--interactive", is_flag=True, help="Ask about each pending candidate in turn.")
@click.option(
    "--reviewer",
    default=lambda: os.environ.get("USER") or "curator",
    show_default="$USER",
    help="Name recorded as the SSSOM reviewer_label.",
)
def link_review(
    project: Project,
    accept: tuple[str, ...],
    reject: tuple[str, ...],
    accept_above: float | None,
    interactive: bool,
    reviewer: str,
) -> None:
    """Show pending candidate links side by side, and accept or reject them.

    Without options, lists what is pending. Verdicts are written to the mapping file
    (reviewer_label; predicate_modifier 'Not' for a rejection); accepted rows become
    owl:sameAs links at the next build.

    \b
    Examples:
      annograph link review
      annograph link review --accept bishkek --reject batken=gn:1463580/
      annograph link review --reject Belovodskoye       # all of its pending candidates
      annograph link review --accept-above 0.9
      annograph link review --interactive
    """
    pending = project.pending_links()
    accepting = select_pending(pending, accept, accepted=True, resolve=project.entity_iri)
    rejecting = select_pending(pending, reject, accepted=False, resolve=project.entity_iri)
    verdicts = {
        **verdicts_of(accepting, accepted=True),
        **verdicts_of(rejecting, accepted=False),
    }
    if accept_above is not None:
        verdicts.update(confident_pending(pending, accept_above))
    if interactive:
        verdicts.update(_ask(pending, verdicts))
    if not verdicts and not interactive:
        _show_pending(pending)
        return
    changed = project.review_links(verdicts, reviewer=reviewer)
    for selection in rejecting:
        click.echo(
            f"{selection.subject_id}: {len(selection.candidates)} pending candidate(s) rejected"
        )
    accepted = sum(verdicts.values())
    click.echo(
        f"recorded {changed} verdict(s): {accepted} accepted, {len(verdicts) - accepted} "
        f"rejected; {len(pending) - changed} still pending"
    )
    if accepted:
        click.echo("accepted links enter the graph at the next 'annograph build'")


def _show_pending(pending: list[tuple[MappingSet, MappingRow]]) -> None:
    if not pending:
        click.echo("nothing pending")
        return
    for mapping_set, row in pending:
        _echo_candidate(mapping_set, row)
    click.echo(f"{len(pending)} pending; accept with --accept ENTITY[=TARGET] or --interactive")


def _echo_candidate(mapping_set: MappingSet, row: MappingRow) -> None:
    ours = f"{row.subject_id}  {row.subject_label}  [{row.subject_category}]"
    theirs = f"{row.object_id}  {row.object_label}  [{row.object_category or '?'}]"
    click.echo(f"{ours:<56} ~ {theirs:<56} {row.confidence:>6}  ({mapping_set.path.name})")
    if row.comment:
        click.echo(f"    {row.comment}")


def _ask(
    pending: list[tuple[MappingSet, MappingRow]], decided: Verdicts
) -> Iterator[tuple[tuple[Path, tuple[str, str]], bool]]:
    for mapping_set, row in pending:
        key = (mapping_set.path, row.key)
        if key in decided:
            continue
        _echo_candidate(mapping_set, row)
        answer = click.prompt(
            "accept, reject, skip or quit?",
            type=click.Choice(["a", "r", "s", "q"]),
            default="s",
        )
        if answer == "q":
            return
        if answer in "ar":
            yield key, answer == "a"


@cli.command()
@project_options
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write to [default: docs/reference in the project].",
)
@lang_option
def docs(project: Project, output: Path | None, lang: Language) -> None:
    """Write reference documentation: the ontology, the saved queries and the data model.

    \b
    index.html      links to the others, with the diagram
    ontology.html   every class and property (pyLODE)
    queries.html    every saved query: parameters, SPARQL, how to run it
    data-model.svg  classes, subclasses and the properties between them (Graphviz)

    Only these four files are written; the same input gives the same bytes, so the pages can
    be kept in version control and diffed. Needs Graphviz's 'dot' program.

    \b
    Examples:
      annograph docs
      annograph docs --lang ru -o site/reference
    """
    written = project.write_docs(output, lang=lang)
    for path in written.files:
        info(f"wrote {path}")


@cli.command()
@project_options
@click.argument("entity", required=False)
@click.option(
    "--article",
    metavar="SLUG",
    shell_complete=complete_slugs,
    help="Draw every entity of this article instead.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The picture to write: FILE.svg or FILE.png.",
)
@lang_option
@click.option(
    "--depth",
    type=click.IntRange(1, 3),
    default=1,
    show_default=True,
    help="How many links away from ENTITY to go (not with --article).",
)
def diagram(
    project: Project,
    entity: str | None,
    article: str | None,
    output: Path,
    lang: Language,
    depth: int,
) -> None:
    """Draw an entity's neighbourhood, or a whole article, as a picture (Graphviz).

    ENTITY is an id (iom), a CURIE (id:iom), a full IRI or a name in any language, as for
    'annograph why'. Nodes are labelled with names in --lang, edges with the ontology's labels
    of the properties; the evidence behind the facts (quotes, annotations) is left out. The
    file's suffix, .svg or .png, chooses the format. Reads the built store: run 'annograph
    build' first. Needs Graphviz's 'dot' program.

    \b
    Examples:
      annograph diagram iom -o iom.svg
      annograph diagram "Бишкек" --lang ru --depth 2 -o bishkek.png
      annograph diagram --article bishkek-migrants-day -o article.svg
    """
    if entity is not None and article is not None:
        raise click.UsageError("give ENTITY or --article SLUG, not both")
    if article is not None:
        drawn = project.article_diagram(article, lang=lang)
    elif entity is not None:
        drawn = project.entity_diagram(entity, lang=lang, depth=depth)
    else:
        raise click.UsageError("give an ENTITY to draw, or --article SLUG")
    drawn.write(output)
    info(f"wrote {output}: {drawn.nodes} nodes, {drawn.edges} links")


def _param_usage(parameter: Parameter) -> str:
    usage = f"--param {parameter.name}=<{parameter.type_label}>"
    return usage if parameter.required and parameter.default is None else f"[{usage}]"


def main() -> None:
    """Console entry point."""
    cli(prog_name="annograph")


if __name__ == "__main__":  # pragma: no cover
    main()
