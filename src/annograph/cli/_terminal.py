"""The terminal side of the CLI: how much to say, colour, progress, and shell completion.

``-q/--quiet`` leaves only errors and the output asked for (query results, exports, stats);
``-v/--verbose`` adds detail such as the time of each build stage. Colour (errors red, warnings
yellow) goes only to a terminal, and never when ``NO_COLOR`` is set (https://no-color.org/).
Progress bars and status lines go to standard error, and only when it is a terminal, so that
pipes and logs get the same plain lines every time.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import click
from click.shell_completion import CompletionItem, get_completion_class

from annograph._progress import Step
from annograph.build._engine import Build
from annograph.errors import AnnographError, AnnotationErrors
from annograph.project._facade import Project
from annograph.publish._push import PushedGraph
from annograph.publish._stats import DEFAULT_GRAPH

#: The shells ``annograph completion`` writes a script for.
SHELLS = ("bash", "zsh", "fish")
#: The environment variable click's completion scripts call the program with.
COMPLETE_VARIABLE = "_ANNOGRAPH_COMPLETE"
_KEY = "annograph.cli._terminal"
_COLOURS = {"error": "red", "warning": "yellow"}
_REDRAW_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class Terminal:
    """How much the CLI says, from ``-q`` and ``-v``."""

    quiet: bool = False
    verbose: bool = False


def configure(ctx: click.Context, *, quiet: bool, verbose: bool) -> None:
    """Record ``-q``/``-v`` for every command of this run, and turn colour off for NO_COLOR.

    :raises click.UsageError: if both are given.
    """
    if quiet and verbose:
        raise click.UsageError("-q/--quiet and -v/--verbose contradict each other")
    # ctx.meta is shared by the whole chain of contexts: the subcommand sees it too.
    ctx.meta[_KEY] = Terminal(quiet=quiet, verbose=verbose)
    if no_color():
        ctx.color = False


def terminal() -> Terminal:
    """The settings of the running command (the defaults outside one)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(_KEY) if ctx is not None else None
    return found if isinstance(found, Terminal) else Terminal()


def no_color() -> bool:
    """Whether the user asked for no colour: NO_COLOR set to anything but the empty string."""
    return bool(os.environ.get("NO_COLOR"))


def info(message: str, *, err: bool = False) -> None:
    """Say what happened, unless ``--quiet``."""
    if not terminal().quiet:
        click.echo(message, err=err)


def detail(message: str) -> None:
    """Say more, on standard error, with ``--verbose`` only."""
    if terminal().verbose:
        click.echo(message, err=True)


#: Characters that reorder or hide what a terminal shows: bidirectional controls (U+202E
#: turns the rest of a line around) and C0/C1 controls (escape sequences, NUL, bell).
_UNSHOWABLE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    """``text`` on one line as a terminal can show it safely: a line break as ⏎, and any
    control or bidirectional-control character as its ``\\uXXXX`` escape.

    >>> printable("Ош\\nБишкек\\u202e!\\x00")
    'Ош⏎Бишкек\\\\u202e!\\\\u0000'
    """
    text = text.replace("\r\n", "\n").replace("\n", "⏎")
    return _UNSHOWABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def styled(error: AnnographError) -> str:
    """``str(error)`` with its 'error:' in red or 'warning:' in yellow.

    click removes the colour when the stream is not a terminal, so the plain text is exactly
    ``str(error)``.

    >>> click.unstyle(styled(AnnographError("bad"))) == str(AnnographError("bad"))
    True
    """
    if isinstance(error, AnnotationErrors):
        return "\n".join(styled(problem) for problem in error.errors)
    text = str(error)
    where = f"{error.location}: " if error.location else ""
    label = f"{error.severity}:"
    colour = _COLOURS.get(error.severity, "red")
    return text.replace(f"{where}{label}", where + click.style(label, fg=colour, bold=True), 1)


def color() -> bool | None:
    """The ``color`` argument for :func:`click.echo` outside a command (None: click decides)."""
    return False if no_color() else None


def stderr_is_terminal() -> bool:
    """Whether standard error is a terminal (progress goes nowhere else)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by something without a file, or closed
        return False


class StepDisplay:
    """Shows a job's :class:`Step` reports: a bar on a terminal, timed lines with ``--verbose``.

    Use it as the job's progress callback, inside ``with``, so that a failed job's bar ends
    before its error is shown.
    """

    def __init__(self, label: str) -> None:
        settings = terminal()
        self._label = label
        self._verbose = settings.verbose
        self._bar_wanted = not settings.quiet and not settings.verbose and stderr_is_terminal()
        self._bar: Any = None  # click's ProgressBar, made at the first report
        self._started = self._drawn = time.monotonic()

    def __call__(self, step: Step) -> None:
        if self._verbose and step.seconds is not None:
            click.echo(f"  {step.name:<12} {step.seconds:7.3f} s", err=True)
        if not self._bar_wanted:
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=step.total,
                label=self._label,
                file=sys.stderr,
                show_eta=False,
                item_show_func=lambda name: name,
            )
        now = time.monotonic()
        if step.items:
            # Item by item, the bar says how far the stage is, how fast, and how long to go;
            # redrawn a few times a second at most, so that drawing never slows the build.
            if step.items_done < step.items and now - self._drawn < _REDRAW_SECONDS:
                return
            self._bar.current_item = _rate(step, now - self._started)
            self._drawn = now
            self._bar.render_progress()
            return
        if not step.done:
            self._started = now
        self._bar.current_item = step.name
        if step.done:
            self._bar.update(1)
        else:
            self._bar.render_progress()

    def __enter__(self) -> StepDisplay:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.render_finish()


def _rate(step: Step, seconds: float) -> str:
    """'annotations 1200/10000, 850/s, 10 s to go': a stage's items, speed and time left."""
    rate = step.items_done / seconds if seconds > 0 else 0.0
    left = f", {(step.items - step.items_done) / rate:.0f} s to go" if rate else ""
    return f"{step.name} {step.items_done}/{step.items}, {rate:.0f}/s{left}"


def build_report(build: Build) -> str:
    """What a build did, in one line: what changed, what the store holds, how long it took.

    >>> from pathlib import Path
    >>> from annograph.build._engine import Validation
    >>> from annograph.build._store import StoreInfo
    >>> info = StoreInfo(Path("store"), Path("r"), {"": 40, "g1": 70, "g2": 30})
    >>> print(build_report(Build(info, Validation(2, 9, 12, 14, 1, ()), seconds=1.25)))
    built store in 1.2 s: 2 article(s), 2 named graphs, 140 quads (40 facts)
    """
    store, articles = build.store, build.validation.articles
    graphs = sum(1 for graph in store.quads_per_graph if graph)
    facts = store.quads_per_graph.get("", 0)
    holds = f"{articles} article(s), {graphs} named graphs, {store.quads} quads ({facts} facts)"
    took = f"{build.seconds:.1f} s"
    if build.kind == "unchanged":
        return f"nothing changed since the last build of {store.path} ({took}): {holds}"
    if build.kind == "incremental":
        changed = (
            f"{len(build.replaced)} graph(s) replaced, {len(build.removed)} removed, facts "
            f"+{build.facts_added} -{build.facts_removed}"
        )
        return f"updated {store.path} in {took}: {changed}; {holds}"
    return f"built {store.path} in {took}: {holds}"


def show_pushed(pushed: PushedGraph, display: StepDisplay) -> None:
    """A graph pushed: a step of ``display``'s bar, or a line of its own with ``--verbose``."""
    name = f"<{pushed.graph}>" if pushed.graph else DEFAULT_GRAPH
    if terminal().verbose:
        pieces = f" in {pushed.requests} requests" if pushed.requests > 1 else ""
        click.echo(f"pushed {pushed.triples:>8} triples  {name}{pieces}", err=True)
    else:
        display(Step(name, pushed.number, pushed.total, seconds=0.0))


def completion_script(command: click.Command, shell: str, *, prog_name: str) -> str:
    """The script that makes ``shell`` complete ``command`` (click's, for ``_ANNOGRAPH_COMPLETE``).

    >>> script = completion_script(click.Command("x"), "fish", prog_name="annograph")
    >>> "_ANNOGRAPH_COMPLETE" in script
    True
    """
    complete = get_completion_class(shell)
    if complete is None:  # pragma: no cover - the CLI offers only SHELLS
        raise click.BadParameter(f"no completion for {shell}", param_hint="SHELL")
    return complete(command, {}, prog_name, COMPLETE_VARIABLE).source()


def _project(ctx: click.Context) -> Project | None:
    """The project a half-typed command line is about, or None if there is none (yet)."""
    directory: Path | None = None
    store: Path | None = None
    context: click.Context | None = ctx
    while context is not None:
        directory = directory or context.params.get("project_dir")
        store = store or context.params.get("store_path")
        context = context.parent
    try:
        return Project.discover(directory or Path.cwd(), store_path=store)
    except AnnographError:
        return None


def complete_queries(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Saved query names starting with ``incomplete``; a path is left to the shell."""
    if "/" in incomplete or incomplete.startswith("."):
        return [CompletionItem(incomplete, type="file")]
    project = _project(ctx)
    if project is None:
        return []
    try:
        names = [saved.name for saved in project.saved_queries()]
    except AnnographError:  # a broken query file: complete nothing rather than fail
        return []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def complete_slugs(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Article slugs starting with ``incomplete``."""
    project = _project(ctx)
    slugs = project.article_slugs() if project is not None else []
    return [CompletionItem(slug) for slug in slugs if slug.startswith(incomplete)]


def complete_endpoints(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Names of the endpoints of the project's configuration file starting with ``incomplete``."""
    project = _project(ctx)
    names = sorted(project.config.endpoints) if project is not None else []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]
