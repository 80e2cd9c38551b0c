"""The command line: help everywhere, the main job end to end, errors as one located line."""

from __future__ import annotations

import csv
import io
import json
import re

import click
import pytest
from click.testing import CliRunner

from annograph import Project
from annograph.cli import cli
from tests.conftest import ROOT

COMMANDS = sorted(cli.commands)
SUBCOMMANDS = sorted(
    (name, sub)
    for name, command in cli.commands.items()
    if isinstance(command, click.Group)
    for sub in command.commands
)


def test_there_are_commands() -> None:
    assert {"build", "export", "query"} <= set(COMMANDS)


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_every_command_has_help_with_an_example(runner: CliRunner, name: str | None) -> None:
    args = [name, "--help"] if name else ["--help"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


@pytest.mark.parametrize(("group", "name"), SUBCOMMANDS)
def test_every_subcommand_has_help_with_an_example(
    runner: CliRunner, group: str, name: str
) -> None:
    result = runner.invoke(cli, [group, name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_docs(name: str) -> None:
    # Shown at work on some page of the documentation, besides the reference generated from
    # the code (tests/e2e/test_site.py checks that every command is in that too).
    pages = sorted((ROOT / "docs").glob("*.md"))
    assert any(f"annograph {name}" in path.read_text(encoding="utf-8") for path in pages)


def _args(project: Project, *args: str) -> list[str]:
    return [args[0], "--project", str(project.root), *args[1:]]


@pytest.mark.slow
def test_build_then_query_then_export(runner: CliRunner, project_copy: Project) -> None:
    built = runner.invoke(cli, _args(project_copy, "build"))
    assert built.exit_code == 0, built.output
    report = r"built .* in [\d.]+ s: 3 article\(s\), 5 named graphs, \d+ quads"
    assert re.search(report, built.output)
    assert "<https://w3id.org/annograph/data/graph/" not in built.output  # -v lists them

    table = runner.invoke(cli, _args(project_copy, "query", "organizers"))
    assert table.exit_code == 0, table.output
    assert "Tian Shan Analytical Centre@en" in table.output
    assert table.output.rstrip().endswith("(5 rows)")

    as_csv = runner.invoke(cli, _args(project_copy, "query", "reports", "--format", "csv"))
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert len(rows) == 7 and rows[0]["report"].startswith("https://")

    as_json = runner.invoke(cli, _args(project_copy, "query", "supporters", "-f", "json"))
    assert len(json.loads(as_json.output)["results"]["bindings"]) == 4

    exported = runner.invoke(cli, _args(project_copy, "export", "--graph", "bishkek-migrants-day"))
    assert exported.exit_code == 0
    assert exported.output.startswith("@prefix ")
    assert "id:conference a ag:Conference" in exported.output


@pytest.mark.slow
def test_output_file(runner: CliRunner, project_copy: Project) -> None:
    runner.invoke(cli, _args(project_copy, "build"))
    target = project_copy.root / "out.nq"
    result = runner.invoke(cli, _args(project_copy, "export", "-f", "nquads", "-o", str(target)))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").count("\n") > 5000


@pytest.mark.slow
def test_invalid_annotations_exit_1_with_located_errors(
    runner: CliRunner, project_copy: Project
) -> None:
    path = project_copy.root / "data/articles/bishkek-migrants-day/annotations.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("type: Conference", "type: Confrence"),
        encoding="utf-8",
    )
    result = runner.invoke(cli, _args(project_copy, "build"))
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(f"{path}:")
    assert ": error: unknown class 'Confrence'" in result.output
    assert "Traceback" not in result.output
    assert not project_copy.store.exists()


@pytest.mark.slow
def test_unwritable_output_is_a_clear_error(runner: CliRunner, project_copy: Project) -> None:
    runner.invoke(cli, _args(project_copy, "build"))
    target = project_copy.root / "no" / "such" / "dir" / "out.ttl"
    result = runner.invoke(cli, _args(project_copy, "export", "-o", str(target)))
    assert result.exit_code == 1
    assert result.output == f"{target}: error: cannot write: No such file or directory\n"


def test_query_before_build_says_to_build(runner: CliRunner, project_copy: Project) -> None:
    result = runner.invoke(cli, _args(project_copy, "query", "organizers"))
    assert result.exit_code == 1
    assert "error: no store here" in result.output
    assert "run 'annograph build' first" in result.output


def test_unknown_query_lists_saved_ones(runner: CliRunner, project_copy: Project) -> None:
    runner.invoke(cli, _args(project_copy, "build"))
    result = runner.invoke(cli, _args(project_copy, "query", "nope"))
    assert result.exit_code == 1
    assert "no saved query named 'nope'" in result.output
    assert "organizers" in result.output


@pytest.mark.slow
def test_query_syntax_error_names_file_line_and_column(
    runner: CliRunner, project_copy: Project
) -> None:
    runner.invoke(cli, _args(project_copy, "build"))
    bad = project_copy.root / "bad.rq"
    bad.write_text("SELECT * WHERE {\n  ?s ?p ?o .\n  ?s <bad iri> ?o .\n}\n", encoding="utf-8")
    result = runner.invoke(cli, _args(project_copy, "query", str(bad)))
    assert result.exit_code == 1
    assert result.output == f"{bad}:3:15: error: SPARQL syntax error: expected IRI parsing failed\n"


def test_usage_errors_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["export", "--format", "yaml"])
    assert result.exit_code == 2


def test_not_a_project(runner: CliRunner, tmp_path: click.Path) -> None:
    result = runner.invoke(cli, ["build", "--project", str(tmp_path)])
    assert result.exit_code == 1
    assert "not an annograph project" in result.output
