"""Optional parts installed as extras: a command whose extra is missing names it."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from annograph import Project
from annograph._extras import MissingExtra, require
from annograph.build._reasoning import ReasonerUnavailable, check_consistency
from annograph.cli import cli
from annograph.reference._docs import ontology_html


def _uninstalled(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """Make ``import module`` fail as it does where the package is not installed."""
    monkeypatch.setitem(sys.modules, module, None)


def test_a_missing_module_names_its_extra_and_the_command_to_install_it() -> None:
    with pytest.raises(MissingExtra) as raised:
        require("annograph_has_no_such_module", extra="serve", purpose="'annograph serve'")
    error = raised.value
    assert error.message == (
        "'annograph serve' needs the 'annograph_has_no_such_module' package, "
        "from annograph's 'serve' extra"
    )
    assert error.hint is not None and "-m pip install" in error.hint
    assert error.hint.endswith("[serve]'")


def test_serve_without_its_extra_says_which_extra(
    monkeypatch: pytest.MonkeyPatch, project_copy: Project
) -> None:
    _uninstalled(monkeypatch, "waitress")
    result = CliRunner().invoke(cli, ["serve", "--project", str(project_copy.root)])
    assert result.exit_code == 1, result.output
    assert "'annograph serve' needs the 'waitress' package, from annograph's 'serve' extra" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_the_reasoner_without_its_extra_is_skipped_saying_which_extra(
    monkeypatch: pytest.MonkeyPatch, project_copy: Project
) -> None:
    _uninstalled(monkeypatch, "owlready2")
    with pytest.raises(ReasonerUnavailable, match="from annograph's 'reason' extra"):
        check_consistency([])
    # As without Java: a warning that names the extra, and the other checks still decide.
    result = CliRunner().invoke(cli, ["validate", "--reason", "--project", str(project_copy.root)])
    assert result.exit_code == 0, result.output
    assert (
        "warning: reasoning skipped: the OWL reasoner (HermiT) needs the 'owlready2' package, "
        "from annograph's 'reason' extra" in result.output
    )


def test_docs_without_pylode_says_which_extra(
    monkeypatch: pytest.MonkeyPatch, project: Project
) -> None:
    ontology = project.load_ontology()
    _uninstalled(monkeypatch, "pylode")
    with pytest.raises(MissingExtra, match="'annograph docs' needs the 'pylode' package"):
        ontology_html(ontology)
