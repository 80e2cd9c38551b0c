"""Identity links to other graphs: ``link suggest``, ``link review``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import click

from annograph.cli._main import (
    cli,
    project_options,
)
from annograph.linking._matching import ACCEPT_THRESHOLD
from annograph.linking._review import Verdicts, confident_pending, select_pending, verdicts_of
from annograph.linking._sources import open_source
from annograph.linking._sssom import MappingRow, MappingSet
from annograph.project._facade import Project


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
