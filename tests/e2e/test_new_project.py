"""annograph init: the template it copies is the shipped project (the repository's ontology/,
queries/, the demo articles in data/, and the annotation guides), a new project builds from it
and answers, and a wheel carries it; then the new user's way from it, as the README tells it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from annograph import Project
from annograph.cli import cli
from tests.conftest import ROOT, SEMINAR_ENTITIES, SEMINAR_TEXT

ID = "https://w3id.org/annograph/data/id/"
AG = "https://w3id.org/annograph/ontology#"


def _run(runner: CliRunner, *args: str, input: bytes | None = None) -> str:
    result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_init_copies_the_ontology_queries_and_sample_article(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "news"
    output = _run(runner, "init", str(target))
    assert (
        output.splitlines()[-1]
        == f"started a project in {target}; next: cd {target} && annograph build"
    )
    for relative in (
        "ontology/annograph.ttl",
        "ontology/shapes.ttl",
        "queries/organizers.rq",
        "data/entities/organizations.yaml",
        "data/articles/bishkek-migrants-day/annotations.yaml",
        "data/articles/bishkek-migrants-day/article.md",
        "docs/annotations.md",
        "docs/external-ids.md",
    ):
        assert (target / relative).read_bytes() == (ROOT / relative).read_bytes(), relative
    assert sorted(p.name for p in (target / "queries").iterdir()) == sorted(
        p.name for p in (ROOT / "queries").glob("*.rq")
    )
    assert ".annograph/" in (target / ".gitignore").read_text(encoding="utf-8").splitlines()


@pytest.mark.slow
def test_an_initialized_project_builds_and_answers(runner: CliRunner, tmp_path: Path) -> None:
    project = Project.init(tmp_path / "news")
    # The sample articles: the Bishkek conference (Russian), the Cholpon-Ata round table and the
    # report launch (English).
    assert project.build().validation.articles == 3
    assert len(project.query("organizers")) == 5


# A path of a project's (or annograph's own) folders, not part of an IRI or of a longer path.
PATH_IN_TEXT = re.compile(r"(?<![\w/.:-])(?:docs|data|ontology|queries|src|tests)/[\w./*-]*[\w*/]")


def test_every_path_an_initialized_project_mentions_is_in_it(tmp_path: Path) -> None:
    project = Project.init(tmp_path / "news")
    files = [path for path in project.root.rglob("*") if path.is_file()]
    mentioned = {
        (path.relative_to(project.root), found)
        for path in files
        for found in PATH_IN_TEXT.findall(path.read_text(encoding="utf-8"))
    }
    assert ("data/entities/places.yaml", "docs/external-ids.md") in {
        (str(path), found) for path, found in mentioned
    }
    missing = sorted(
        (str(path), found) for path, found in mentioned if not list(project.root.glob(found))
    )
    assert missing == []


@pytest.mark.slow
def test_the_package_carries_the_template_init_copies(tmp_path: Path) -> None:
    # project/template/ links to the project's own folders; a wheel must hold their files, or
    # 'annograph init' would fail wherever annograph is installed from a wheel.
    # Built from a copy of what the package needs, so the build leaves nothing in the checkout.
    source = tmp_path / "source"
    for name in ("src", "ontology", "queries", "data", "docs"):
        shutil.copytree(ROOT / name, source / name, symlinks=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("annograph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"annograph/project/template/{path.relative_to(ROOT)}"
        for folder in ("ontology", "queries", "data")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
    }
    assert expected <= names
    assert {
        "annograph/project/template/annotations.md",
        "annograph/project/template/external-ids.md",
    } <= names


@pytest.fixture
def second_text(tmp_path: Path) -> Path:
    path = tmp_path / "seminar.txt"
    path.write_bytes(SEMINAR_TEXT.encode("utf-8"))
    return path


# -- the new user's way: init, new, annotate, validate, build, query across articles -------------


@pytest.mark.slow
def test_a_second_article_shares_iom_and_bishkek_with_the_first(
    runner: CliRunner, tmp_path: Path, second_text: Path, graphviz: str
) -> None:
    root = tmp_path / "news"
    _run(runner, "init", str(root))
    project = ["--project", str(root)]
    _run(
        runner,
        "new",
        "seminar",
        *project,
        "--text",
        str(second_text),
        "--title",
        "семинар для журналистов",
        # The sample articles are in Russian and English: the language must be given.
        "--language",
        "ru",
    )
    annotations = root / "data" / "articles" / "seminar" / "annotations.yaml"
    skeleton = annotations.read_text(encoding="utf-8")
    annotations.write_text(skeleton.replace("entities: {}\n", SEMINAR_ENTITIES), encoding="utf-8")
    assert _run(runner, "validate", *project).startswith("valid: 4 article(s)")
    _run(runner, "build", *project)

    built = Project(root)
    card = built.query("entity", entity="IOM")
    # One IRI for IOM, its name quoted once in each article: two evidence trails.
    assert {row["_entity_iri"] for row in card} == {ID + "iom"}
    # The seminar's organizer, said in the second article, points at it too.
    assert (ID + "seminar", AG + "organizer") in {(row["subject"], row["property"]) for row in card}
    names = {
        (row["quote"], row["start"])
        for row in card
        if row["property"].endswith("#name")
        and row["value"] == "Международная организация по миграции"
    }
    assert len(names) == 2
    assert ("Международная организация по миграции", 0) in names
    # A saved query answers across both articles: each event with its place.
    places = {(row["event"], row["place"]) for row in built.query("event-places")}
    assert (ID + "seminar", ID + "bishkek") in places
    assert (ID + "conference", ID + "bishkek") in places

    # The new user draws IOM's neighbourhood, now with both events, and opens the ontology docs.
    picture = tmp_path / "iom.svg"
    _run(runner, "diagram", "iom", *project, "--lang", "ru", "-o", str(picture))
    svg = picture.read_text(encoding="utf-8")
    assert "семинар для журналистов" in svg
    assert "Международная организация по миграции" in svg
    _run(runner, "docs", *project)
    reference = root / "docs" / "reference"
    assert {"index.html", "ontology.html", "queries.html", "data-model.svg"} <= {
        path.name for path in reference.iterdir()
    }
