"""Terminal friendliness: -q/-v, colour only on a terminal, progress on stderr, completion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph import BUILD_STEPS, Project
from annograph._progress import Step
from annograph.cli import cli
from annograph.cli._terminal import SHELLS, StepDisplay, styled
from annograph.errors import AnnographError, AnnotationWarning, SourceLocation
from tests.conftest import writable_oxigraph

RED_ERROR = "\x1b[31m\x1b[1merror:\x1b[0m"


def _complete(runner: CliRunner, words: str, *, cwd: Path | None = None) -> list[str]:
    """What bash completion offers for the last word of ``words`` (click's own protocol)."""
    args = words.split(" ")
    env = {
        "_ANNOGRAPH_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(args) - 1),
    }
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(cli, [], env=env, prog_name="annograph")
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.output
    # Each item is "type,value" on its own line.
    return [line for line in result.stdout.splitlines() if line]


def test_completes_saved_query_names_from_a_prefix(runner: CliRunner, project: Project) -> None:
    offered = _complete(runner, f"annograph query --project {project.root} e")
    queries = (project.root / "queries").glob("*.rq")
    names = sorted(p.stem for p in queries if p.stem.startswith("e"))
    assert offered == [f"plain,{name}" for name in names]
    assert "plain,entity" in offered and "plain,external-links" in offered


def test_completes_query_names_of_the_project_around_the_current_directory(
    runner: CliRunner, project: Project
) -> None:
    data = project.root / "data"
    assert _complete(runner, "annograph query organ", cwd=data) == ["plain,organizers"]
    assert _complete(runner, "annograph queries show sup", cwd=project.root) == ["plain,supporters"]


def test_a_query_path_is_left_to_the_shell(runner: CliRunner, project: Project) -> None:
    assert _complete(runner, "annograph query ./my", cwd=project.root) == ["file,./my"]


def test_outside_a_project_there_is_nothing_to_complete(runner: CliRunner, tmp_path: Path) -> None:
    assert _complete(runner, "annograph query org", cwd=tmp_path) == []


def test_completes_article_slugs_for_graph(runner: CliRunner, project: Project) -> None:
    offered = _complete(runner, f"annograph export --project {project.root} --graph bish")
    assert offered == ["plain,bishkek-migrants-day"]


def test_completes_configured_endpoint_names(runner: CliRunner, project_copy: Project) -> None:
    (project_copy.root / "annograph.toml").write_text(
        '[endpoints.prod]\nurl = "https://a.example/q"\n[endpoints.staging]\nurl = "https://b.example/q"\n',
        encoding="utf-8",
    )
    offered = _complete(runner, f"annograph push --project {project_copy.root} --endpoint pr")
    assert offered == ["plain,prod"]


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_prints_clicks_script_for_the_shell(runner: CliRunner, shell: str) -> None:
    result = runner.invoke(cli, ["completion", shell])
    assert result.exit_code == 0, result.output
    assert "_ANNOGRAPH_COMPLETE" in result.stdout
    assert f"{shell}_complete" in result.stdout


def test_completion_of_an_unknown_shell_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["completion", "tcsh"]).exit_code == 2


@pytest.mark.slow
def test_quiet_suppresses_the_build_summary(runner: CliRunner, project_copy: Project) -> None:
    result = runner.invoke(cli, ["-q", "build", "--project", str(project_copy.root)])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert project_copy.store.exists()
    # The output asked for is still there.
    queried = runner.invoke(
        cli, ["--quiet", "query", "--project", str(project_copy.root), "organizers"]
    )
    assert queried.output.rstrip().endswith("(5 rows)")


def test_quiet_still_shows_errors(runner: CliRunner, project_copy: Project) -> None:
    result = runner.invoke(cli, ["-q", "query", "--project", str(project_copy.root), "nope"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no saved query named 'nope'")


@pytest.mark.slow
def test_verbose_adds_the_time_of_each_build_stage(
    runner: CliRunner, project_copy: Project
) -> None:
    result = runner.invoke(cli, ["-v", "build", "--project", str(project_copy.root)])
    assert result.exit_code == 0, result.output
    timings = [line.split() for line in result.stderr.splitlines()]
    assert [t[0] for t in timings] == list(BUILD_STEPS)
    assert all(len(t) == 3 and t[2] == "s" and float(t[1]) >= 0 for t in timings)
    assert result.stdout.startswith("built ")


def test_quiet_and_verbose_together_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["-q", "-v", "build"])
    assert result.exit_code == 2
    assert "-q/--quiet and -v/--verbose contradict each other" in result.output


def test_no_colour_when_the_output_is_not_a_terminal(
    runner: CliRunner, project_copy: Project
) -> None:
    result = runner.invoke(cli, ["query", "--project", str(project_copy.root), "organizers"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert result.output.startswith(f"{project_copy.store}: error: no store here")


def test_errors_are_red_when_colour_is_on(runner: CliRunner, project_copy: Project) -> None:
    args = ["query", "--project", str(project_copy.root), "organizers"]
    result = runner.invoke(cli, args, color=True, env={"NO_COLOR": None})
    assert result.exit_code == 1
    assert result.output.startswith(f"{project_copy.store}: {RED_ERROR} no store here")
    assert click.unstyle(result.output).startswith(f"{project_copy.store}: error: no store")


def test_no_color_turns_colour_off_even_on_a_terminal(
    runner: CliRunner, project_copy: Project
) -> None:
    args = ["query", "--project", str(project_copy.root), "organizers"]
    result = runner.invoke(cli, args, color=True, env={"NO_COLOR": "1"})
    assert result.exit_code == 1
    assert "\x1b" not in result.output


def test_warnings_are_yellow_and_errors_red() -> None:
    warning = AnnotationWarning("odd", location=SourceLocation(Path("a.yaml"), 3, 4))
    assert styled(warning) == "a.yaml:3:4: \x1b[33m\x1b[1mwarning:\x1b[0m odd"
    error = AnnographError("bad", hint="fix it")
    assert styled(error) == f"{RED_ERROR} bad\n  hint: fix it"


@pytest.mark.slow
def test_progress_is_silent_when_stderr_is_not_a_terminal(
    runner: CliRunner, project_copy: Project
) -> None:
    result = runner.invoke(cli, ["build", "--project", str(project_copy.root)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_step_display_draws_nothing_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with click.Context(cli), StepDisplay("building") as display:
        display(Step("ontology", 1, 2))
        display(Step("ontology", 1, 2, 0.5))
    assert capsys.readouterr() == ("", "")


def _on_a_terminal(*args: str) -> tuple[bytes, str]:
    """Run annograph with its standard error on a pseudo-terminal: (stdout, what the tty got)."""
    pty = pytest.importorskip("pty")
    parent, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "annograph", *args],
        stdout=subprocess.PIPE,
        stderr=child,
        env={**env, "COLUMNS": "100"},
    )
    os.close(child)
    stdout, _ = process.communicate(timeout=120)
    chunks = []
    while True:
        try:
            data = os.read(parent, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(parent)
    return stdout, b"".join(chunks).decode("utf-8")


@pytest.mark.slow
def test_a_build_on_a_terminal_shows_a_progress_bar(project_copy: Project) -> None:
    stdout, terminal = _on_a_terminal("build", "--project", str(project_copy.root))
    assert stdout.startswith(b"built ")
    assert "building  [" in terminal and "100%" in terminal
    assert "articles 3/3, " in terminal and "/s" in terminal  # articles read, and how fast
    for step in BUILD_STEPS:
        assert step in terminal
    assert b"\x1b" not in stdout  # the pipe gets plain text


@pytest.mark.slow
def test_an_error_on_a_terminal_is_red(project_copy: Project) -> None:
    _, terminal = _on_a_terminal("query", "--project", str(project_copy.root), "organizers")
    assert terminal.startswith(f"{project_copy.store}: {RED_ERROR} no store here")


@pytest.mark.slow
def test_a_push_on_a_terminal_shows_a_progress_bar(built: Project, tmp_path: Path) -> None:
    root = ["--project", str(built.root), "--store", str(built.store)]
    with writable_oxigraph(tmp_path / "target") as server:
        stdout, terminal = _on_a_terminal("push", *root, "--endpoint", server.query_url)
        # Every named graph, and the default graph of the facts.
        graphs = len(list(ox.Store.read_only(str(built.store)).named_graphs())) + 1
        assert stdout.decode().startswith(f"{graphs} graphs, ")
        assert "pushing  [" in terminal and "100%" in terminal
        assert "<https://w3id.org/annograph/ontology>" in terminal  # the graph being pushed
        assert "pushed " not in terminal  # a bar, not a line per graph
        _, verbose = _on_a_terminal("-v", "push", *root, "--endpoint", server.query_url)
        assert verbose.count("pushed ") == graphs and "pushing  [" not in verbose
