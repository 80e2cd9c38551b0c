"""Articles read on several cores give exactly what reading them one by one gives: the same
articles, in the same order, and the same errors at the same places."""

from __future__ import annotations

from pathlib import Path

import pytest

from annograph import Project
from annograph.annotations import _corpus as annotations
from annograph.errors import AnnotationErrors
from tests.helpers.corpus import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("parallel") / "data"
    generate(annotations.PARALLEL_FROM + 6, data, seed=7)
    return data


def _read(project: Project, *, parallel: bool, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setattr(annotations, "PARALLEL_FROM", 2 if parallel else 10**9)
    try:
        return project.load_corpus()
    except AnnotationErrors as errors:
        return [str(error) for error in errors.errors]


def test_parallel_reading_equals_serial_reading(
    project: Project, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = Project(project.root, data_path=corpus)
    serial = _read(generated, parallel=False, monkeypatch=monkeypatch)
    assert serial == _read(generated, parallel=True, monkeypatch=monkeypatch)


def test_errors_read_in_parallel_keep_their_place(
    project: Project, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(corpus, data)
    broken = sorted((data / "articles").iterdir())[-3] / "annotations.yaml"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("format: annograph/1", "format: annograph/9"), encoding="utf-8")
    generated = Project(project.root, data_path=data)
    serial = _read(generated, parallel=False, monkeypatch=monkeypatch)
    assert isinstance(serial, list) and any(str(broken) in line for line in serial)
    assert serial == _read(generated, parallel=True, monkeypatch=monkeypatch)
