"""The SHACL engine the build runs (pyshacl-turbo, in Rust) reports exactly what pyshacl, the
reference implementation in Python, reports: on the real data and on every kind of mistake. And
the build's way of running it (node by node, article by article, with only the triples the
shapes can read) reports exactly what checking the whole graph at once reports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

from annograph import Project
from annograph.build._engine import located_graphs
from annograph.build._shapes import check_shapes, to_rdflib, union_of
from annograph.errors import AnnotationErrors
from tests.annotations.test_validate import CASES, _apply, _case
from tests.conftest import SEMINAR_ENTITIES, SEMINAR_HEADER, SEMINAR_TEXT, validation_problems

pytestmark = pytest.mark.slow


class Pyshacl:
    """pyshacl behind the interface of pyshacl-turbo's compiled shapes."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.shapes = shapes

    def validate(self, data: ox.Store, **options: Any) -> tuple[bool, rdflib.Graph, str]:
        graph = to_rdflib(quad.triple for quad in data)
        conforms, report, text = pyshacl.validate(graph, shacl_graph=self.shapes, **options)
        return bool(conforms), report, str(text)


def _reports(project: Project) -> tuple[list[str], list[str]]:
    """What each engine reports on the project's graph: (pyshacl-turbo, pyshacl)."""
    ontology = project.load_ontology()
    data = union_of(located_graphs(project._sources(), ontology).values())
    shapes = project.load_shapes(ontology)
    reference = replace(shapes, compiled=Pyshacl(shapes.graph))
    prefixes = project.prefixes()
    turbo = check_shapes([data], ontology=ontology, shapes=shapes, prefixes=prefixes)
    python = check_shapes([data], ontology=ontology, shapes=reference, prefixes=prefixes)
    return [str(p) for p in turbo], [str(p) for p in python]


def test_both_engines_accept_the_real_data(project: Project) -> None:
    turbo, python = _reports(project)
    assert turbo == python == []


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_both_engines_report_the_same_mistakes(project_copy: Project, case: Path) -> None:
    spec = _case(case)
    _apply(project_copy, spec["replace"], spec["with"])
    try:
        turbo, python = _reports(project_copy)
    except AnnotationErrors:
        pytest.skip("a mistake found before the graph is made: no shapes are checked")
    assert turbo, "a mistake that reaches the shapes breaks one"
    assert turbo == python


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_the_build_reports_what_a_check_of_the_whole_graph_reports(
    project_copy: Project, case: Path
) -> None:
    spec = _case(case)
    _apply(project_copy, spec["replace"], spec["with"])
    try:
        whole, _ = _reports(project_copy)
    except AnnotationErrors:
        pytest.skip("a mistake found before the graph is made: no shapes are checked")
    assert [str(p) for p in validation_problems(project_copy)] == whole


def test_a_shared_entitys_shapes_are_checked_with_every_articles_facts(
    project_copy: Project,
) -> None:
    """Each article alone is valid; together they give Bishkek two Russian names. Only the
    check of the shared entities, over the default graph, sees it, and locates it as a check
    of the whole graph does."""
    seminar = project_copy.data / "articles" / "seminar"
    seminar.mkdir()
    (seminar / "article.md").write_text(SEMINAR_TEXT, encoding="utf-8")
    named = SEMINAR_ENTITIES.replace(
        "  bishkek:\n    quote: в Бишкеке\n",
        "  bishkek:\n    quote: в Бишкеке\n    name: {ru: Бишкеке, quote: в Бишкеке}\n",
    )
    (seminar / "annotations.yaml").write_text(SEMINAR_HEADER + named, encoding="utf-8")
    whole, _ = _reports(project_copy)
    assert any("two names in one language" in problem for problem in whole)
    assert [str(p) for p in validation_problems(project_copy)] == whole
