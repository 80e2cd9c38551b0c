"""The build commands: ``validate``, ``build`` (and the reasoner behind ``validate --reason``)."""

from __future__ import annotations

import click

from annograph.build._engine import Validation
from annograph.build._reasoning import ReasonerUnavailable
from annograph.cli._main import (
    cli,
    project_options,
)
from annograph.cli._terminal import (
    StepDisplay,
    build_report,
    info,
    styled,
    terminal,
)
from annograph.project._facade import Project
from annograph.publish._stats import DEFAULT_GRAPH


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


# The name some users reach for first.
cli.add_command(validate, name="check")


def _reason(project: Project) -> None:
    click.echo("reasoning with HermiT (a conflict takes some more runs to pin down) ...", err=True)
    try:
        project.reason()
    except ReasonerUnavailable as missing:
        click.echo(f"warning: reasoning skipped: {missing.message}", err=True)
        click.echo(f"  hint: {missing.hint}", err=True)
    else:
        click.echo("consistent: HermiT finds nothing the ontology rules out")
