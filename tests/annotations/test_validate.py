"""Validation: every kind of mistake, made in a copy of the real annotations, reported where it is.

The cases live in ``tests/data/invalid/*.yaml``: each replaces some text of the real annotation
file and lists every report expected, at the line holding ``line`` (just after the line holding
``after``, where that is needed to pick one) and ``column``; a line number inside a report is
written ``{line of 'TEXT'}`` so that the cases survive edits elsewhere in the file. They were
written by reading each report against the mistake; a changed message needs the same review, not
a regeneration.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from annograph import Project
from annograph.annotations._ontology import NAMESPACE, ONTOLOGY_IRI
from annograph.build import _reasoning as reasoning
from annograph.cli import cli
from annograph.errors import AnnotationErrors, OntologyError
from tests.conftest import ROOT, validation_problems

CASES = sorted((ROOT / "tests" / "data" / "invalid").glob("*.yaml"))
ANNOTATIONS = Path("data") / "articles" / "bishkek-migrants-day" / "annotations.yaml"
BASE = "https://w3id.org/annograph/data/id/"


def _case(path: Path) -> dict[str, Any]:
    spec: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return spec


def _apply(project: Project, replace: str, with_: str) -> Path:
    path = project.root / ANNOTATIONS
    text = path.read_text(encoding="utf-8")
    assert replace in text, f"case text not found in the annotations: {replace!r}"
    path.write_text(text.replace(replace, with_, 1), encoding="utf-8")
    return path


def _line_number(path: Path, line: str, after: str | None) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    numbers = [
        number
        for number, text in enumerate(lines, start=1)
        if line in text and (after is None or after in lines[number - 2])
    ]
    assert len(numbers) == 1, f"{line!r} (after {after!r}) is on lines {numbers}"
    return numbers[0]


def _with_line_numbers(path: Path, report: str) -> str:
    """Replace "{line of 'TEXT'}" (or "... after 'TEXT'}") with the line number in the file."""
    return LINE_OF.sub(lambda m: str(_line_number(path, m["line"], m["after"])), report)


LINE_OF = re.compile(r"\{line of '(?P<line>[^']*)'(?: after '(?P<after>[^']*)')?\}")


def test_there_is_a_case_for_each_kind_of_mistake() -> None:
    assert len(CASES) >= 12


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_mistake_is_reported_at_its_line_and_column(project_copy: Project, case: Path) -> None:
    spec = _case(case)
    path = _apply(project_copy, spec["replace"], spec["with"])
    expected = [
        f"{path}:{_line_number(path, e['line'], e.get('after'))}:{e['column']}: "
        + _with_line_numbers(path, e["report"])
        for e in spec["expect"]
    ]
    assert [str(problem) for problem in validation_problems(project_copy)] == expected


def test_the_real_annotations_are_valid_without_warnings(project: Project) -> None:
    result = project.validate()
    assert result.warnings == ()
    assert (result.articles, result.entities) == (3, 148)
    assert result.facts > 250 and result.quotes > 250


def test_validate_command_reports_everything_and_exits_1(
    runner: CliRunner, project_copy: Project
) -> None:
    path = _apply(project_copy, "type: Conference", "type: Confrence")
    _apply(project_copy, "    postIn:\n      ref: state-migration-service\n", "    postIn:\n")
    result = runner.invoke(cli, ["validate", "--project", str(project_copy.root)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{path}:") and "unknown class 'Confrence'" in lines[0]
    assert any("missing 'ref:'" in line for line in lines)
    assert lines[-1] == "2 error(s), 0 warning(s); nothing was written"
    assert "Traceback" not in result.output


def test_warnings_are_shown_and_do_not_fail(runner: CliRunner, project_copy: Project) -> None:
    _apply(
        project_copy,
        "    implementer:\n      ref: [office-of-the-president, iom, undp]\n"
        "      quote: реализуемой Аппаратом Президента КР, МОМ и ПРООН\n",
        "",
    )
    result = runner.invoke(cli, ["validate", "--project", str(project_copy.root)])
    assert result.exit_code == 0, result.output
    assert "warning: a programme has no implementer [id:global-joint-programme]" in result.output
    assert result.output.splitlines()[-1].endswith("1 warning(s)")


@pytest.mark.slow
def test_build_stops_at_a_shape_violation_and_keeps_the_store(project_copy: Project) -> None:
    project_copy.build()
    before = len(ox.Store.read_only(str(project_copy.store)))
    _apply(
        project_copy,
        "ref: [tian-shan-analytical-centre, centre-for-public-technologies]",
        "ref: [tian-shan-analytical-centre, bishkek]",
    )
    with pytest.raises(AnnotationErrors, match="must refer to an Agent"):
        project_copy.build()
    assert len(ox.Store.read_only(str(project_copy.store))) == before


def test_a_shapes_syntax_error_names_line_and_column(project_copy: Project) -> None:
    shapes = project_copy.root / "ontology" / "shapes.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8").replace("sh:minCount 1 ;", "sh:minCount 1 ", 1),
        encoding="utf-8",
    )
    with pytest.raises(OntologyError) as caught:
        project_copy.validate()
    assert str(caught.value).startswith(f"{shapes}:")
    assert caught.value.location is not None and caught.value.location.line is not None


# -- reasoning ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.java
def test_reasoner_pins_down_the_statements_of_a_conflict(project: Project) -> None:
    quads = project.quads()
    ontology = [q.triple for q in quads if q.graph_name == ox.NamedNode(ONTOLOGY_IRI)]
    data = [q.triple for q in quads if q.graph_name != ox.NamedNode(ONTOLOGY_IRI)]
    mistake = ox.Triple(
        ox.NamedNode(BASE + "conference"),
        ox.NamedNode(NAMESPACE + "organizer"),
        ox.NamedNode(BASE + "bishkek"),
    )
    conflict = reasoning.find_conflict(ontology, [*data[:2000], mistake, *data[2000:]])
    assert conflict is not None
    assert set(conflict) == {
        mistake,
        ox.Triple(
            ox.NamedNode(BASE + "bishkek"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(NAMESPACE + "City"),
        ),
    }


@pytest.mark.slow
@pytest.mark.java
def test_check_reason_names_the_entity_and_its_annotation(
    runner: CliRunner, project_copy: Project
) -> None:
    # A shared entity: its classes are in data/entities/, and so is the error.
    path = project_copy.root / "data" / "entities" / "people.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  bashtovenko:\n    type: Person\n"
    assert old in text
    path.write_text(text.replace(old, "  bashtovenko:\n    type: [Person, NGO]\n"), "utf-8")
    result = runner.invoke(cli, ["check", "--reason", "--project", str(project_copy.root)])
    assert result.exit_code == 1
    line = _line_number(path, "  bashtovenko:", None)
    errors = [text for text in result.output.splitlines() if ": error: " in text]
    assert errors == [
        f"{path}:{line}:3: error: the ontology rules out these 2 statements together "
        f"({n}/2): id:bashtovenko rdf:type ag:{cls}"
        for n, cls in enumerate(("Person", "NGO"), start=1)
    ]
    assert "hint: entities involved: id:bashtovenko" in result.output


@pytest.mark.slow
@pytest.mark.java
def test_check_reason_on_the_real_data_is_consistent(runner: CliRunner, project: Project) -> None:
    result = runner.invoke(cli, ["check", "--reason", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    assert "consistent: HermiT finds nothing the ontology rules out" in result.output


@pytest.mark.slow
def test_without_java_reasoning_is_skipped_with_a_clear_message(
    runner: CliRunner, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reasoning, "java_executable", lambda: None)
    result = runner.invoke(cli, ["check", "--reason", "--project", str(project.root)])
    assert result.exit_code == 0
    assert "warning: reasoning skipped: the OWL reasoner (HermiT) needs Java" in result.output
    assert "pip install 'annograph[reason]'" in result.output
    assert result.output.splitlines()[-1].startswith("valid: 3 article(s)")
