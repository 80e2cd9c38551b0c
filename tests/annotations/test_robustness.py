"""Fuzzing `annograph validate` with mutations of the real annotation file.

Whatever a person's editor leaves in the file, validation ends with success or with clean,
located errors: never a traceback, never a hang.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annograph import Project
from annograph.annotations._reader import MAX_FILE_BYTES
from annograph.cli import cli
from tests.conftest import ARTICLE, fixture_project

pytestmark = pytest.mark.slow

REAL = (ARTICLE / "annotations.yaml").read_text(encoding="utf-8")
LINES = REAL.splitlines(keepends=True)
KEY = re.compile(r"^(\s*-?\s*)([A-Za-z][A-Za-z0-9_-]*):", re.MULTILINE)
KEYS = [m for m in KEY.finditer(REAL)]
LOCATION = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (error|warning): ")

# Characters editors and copy-paste leave behind: controls, BOM, bidi marks, NUL, tabs, emoji.
ODD = st.sampled_from(
    [
        "\x00",
        "\t",
        "\r",
        "\ufeff",
        "\u200b",
        "\u202e",
        "\x1b",
        "\u2028",
        "🙂",
        "«",
        "'",
        '"',
        "&",
        "*",
    ]
) | st.characters(exclude_categories=("Cs",))

Mutation = Callable[[str], str]


def _line_edit(edit: Callable[[str], str]) -> st.SearchStrategy[Mutation]:
    return st.integers(min_value=0, max_value=len(LINES) - 1).map(
        lambda index: _line_edit_now(index, edit)
    )


def _delete_line() -> st.SearchStrategy[Mutation]:
    return _line_edit(lambda line: "")


def _duplicate_line() -> st.SearchStrategy[Mutation]:
    return _line_edit(lambda line: line + line)


def _reindent() -> st.SearchStrategy[Mutation]:
    return st.tuples(st.integers(-4, 4), st.integers(0, len(LINES) - 1)).map(
        lambda args: _line_edit_now(args[1], lambda line: _shift(line, args[0]))
    )


def _shift(line: str, by: int) -> str:
    return " " * by + line if by >= 0 else line[min(-by, len(line) - len(line.lstrip(" "))) :]


def _line_edit_now(index: int, edit: Callable[[str], str]) -> Mutation:
    def apply(text: str) -> str:
        lines = text.splitlines(keepends=True)
        if not lines:
            return text
        i = index % len(lines)
        return "".join([*lines[:i], edit(lines[i]), *lines[i + 1 :]])

    return apply


def _retype_key() -> st.SearchStrategy[Mutation]:
    """Rename a key, or turn its value into a list, a mapping or a number."""
    replacements = st.sampled_from(
        ["{name}x", "{name}:\n  - [", "{name}: 12", "{name}: {{}}", "{name}: []", "{name}: ~", "ID"]
    )

    def mutate(args: tuple[int, str]) -> Mutation:
        match = KEYS[args[0] % len(KEYS)]
        new = match.group(1) + args[1].format(name=match.group(2)) + ":"

        def apply(text: str) -> str:
            return text[: match.start()] + new + text[match.end() :] if text == REAL else text

        return apply

    return st.tuples(st.integers(0, len(KEYS) - 1), replacements).map(mutate)


def _truncate() -> st.SearchStrategy[Mutation]:
    return st.integers(0, len(REAL)).map(lambda at: lambda text: text[:at])


def _inject() -> st.SearchStrategy[Mutation]:
    return st.tuples(st.integers(0, len(REAL)), st.text(ODD, min_size=1, max_size=5)).map(
        lambda args: lambda text: text[: args[0]] + args[1] + text[args[0] :]
    )


HUGE = {
    "long scalar": "  big:\n    type: City\n    quote: " + "Бишкек" * 50_000 + "\n",
    "deep list": "  deep:\n    type: City\n    quote: " + "[" * 5_000 + "]" * 5_000 + "\n",
    "deep map": "  deep-map:\n    type: City\n    quote: "
    + "{a: " * 2_000
    + "b"
    + "}" * 2_000
    + "\n",
    "many entities": "".join(
        f"  e{i}:\n    type: City\n    quote: В Бишкеке\n" for i in range(2_000)
    ),
    "long number": "  n:\n    type: AgeGroup\n    quote: 18-30 лет\n    minAge: {value: "
    + "9" * 10_000
    + ", quote: 18-30 лет}\n",
}


class _Append:
    """Appends one of the HUGE payloads (named, so a failing example prints short)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, text: str) -> str:
        return text + HUGE[self.name]

    def __repr__(self) -> str:
        return f"append({self.name!r})"


def _huge() -> st.SearchStrategy[Mutation]:
    """A huge scalar, a deeply nested value, or a flood of entities."""
    return st.sampled_from(sorted(HUGE)).map(_Append)


MUTATIONS = st.one_of(
    _delete_line(), _duplicate_line(), _reindent(), _retype_key(), _truncate(), _inject(), _huge()
)


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_project(tmp_path_factory.mktemp("fuzz")).root


@settings(
    max_examples=60,
    deadline=timedelta(seconds=120),  # catches a hang, even on a machine under heavy load
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=3))
def test_validate_ends_in_success_or_located_errors_with_hints(
    copy: Path, mutations: list[Mutation]
) -> None:
    text = REAL
    for mutate in mutations:
        text = mutate(text)
    path = copy / "data" / "articles" / "bishkek-migrants-day" / "annotations.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--project", str(copy)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        _assert_every_error_is_located(result.output, path, text)


def _assert_every_error_is_located(output: str, path: Path, text: str) -> None:
    """Each report: 'path:line:column: error: ...' inside the file, then a '  hint: ...' line."""
    lines = output.splitlines()
    numbered = [
        (n, line)
        for n, line in enumerate(lines)
        if re.search(r"(error|warning): ", line) and not line.startswith("  hint: ")
    ]
    assert numbered, output
    assert lines[-1].endswith("nothing was written"), output
    line_count = text.count("\n") + 1
    for n, report in numbered:
        assert lines[n + 1].startswith("  hint: "), f"no hint: {report}"
        match = LOCATION.match(report)
        assert match is not None, f"not located: {report}"
        assert match["path"] == str(path), report
        assert 1 <= int(match["line"]) <= line_count, report
        assert int(match["column"]) >= 1, report


@pytest.mark.parametrize("where", ["entities/flood.yaml", "articles/bishkek-migrants-day"])
def test_a_file_of_150_000_entities_is_refused_at_its_place(
    project_copy: Project, runner: CliRunner, where: str
) -> None:
    """13 MB of entities took 59 s and 4.6 GB before a MemoryError; now a located error."""
    flood = "".join(f"  e{i}:\n    type: City\n    quote: В Бишкеке\n" for i in range(150_000))
    if where.startswith("entities/"):
        path = project_copy.data / where
        path.write_text("format: annograph/1\n\nentities:\n" + flood, encoding="utf-8")
    else:
        path = project_copy.data / where / "annotations.yaml"
        path.write_text(path.read_text(encoding="utf-8") + flood, encoding="utf-8")
    assert path.stat().st_size > MAX_FILE_BYTES
    for command in ("validate", "build"):
        result = runner.invoke(cli, [command, "--project", str(project_copy.root)])
        assert result.exit_code == 1, result.output
        assert f"{path}:1:1: error: the file is " in result.output
        assert f"at most {MAX_FILE_BYTES >> 20} MB" in result.output
