"""Questions to the graph: ``query``, ``queries`` (and ``queries show``), ``why``."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pyoxigraph as ox

from annograph._http import AuthScheme
from annograph._languages import Language
from annograph.annotations._ontology import short_iri
from annograph.cli._main import (
    auth_options,
    cli,
    emit,
    endpoint_auth,
    format_option,
    lang_option,
    output_option,
    project_options,
)
from annograph.cli._terminal import (
    complete_endpoints,
    complete_queries,
    printable,
)
from annograph.project._facade import Project
from annograph.query._evidence import DEFAULT_LIMIT, ExplainedFact, Explanation
from annograph.query._render import ResultFormat, render_result, term_text
from annograph.query._saved import Parameter


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
@click.option(
    "--default-graph",
    metavar="IRI",
    help="With --endpoint: the named graph that holds the facts there, sent as the query's "
    "default graph (default-graph-uri) [default: the endpoint's default_graph in "
    "annograph.toml, else the endpoint's own default graph].",
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
    default_graph: str | None,
    user: str | None,
    auth_scheme: AuthScheme | None,
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
    auth = None
    if endpoint is not None:
        auth = endpoint_auth(project.endpoint(endpoint), user, auth_scheme)
    elif default_graph is not None:
        raise click.UsageError("--default-graph goes with --endpoint")
    result = project.run_query(
        query_name,
        _parse_pairs(params, "--param"),
        services=redirects,
        endpoint=endpoint,
        auth=auth,
        default_graph=default_graph,
    )
    fmt = ResultFormat(format_name) if format_name else None
    emit(render_result(result, format=fmt, prefixes=project.prefixes()), output)


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


def _param_usage(parameter: Parameter) -> str:
    usage = f"--param {parameter.name}=<{parameter.type_label}>"
    return usage if parameter.required and parameter.default is None else f"[{usage}]"
