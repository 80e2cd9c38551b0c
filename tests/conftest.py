"""Shared fixtures: the real project, a store built from it once, and copies to break."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph.project import Project

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "articles" / "bishkek-migrants-day"


@pytest.fixture(scope="session")
def project() -> Project:
    """The repository's own project (read-only: tests must not write into it)."""
    return Project(ROOT)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The real project with its store built once into a temporary directory."""
    built = Project(ROOT, store_path=tmp_path_factory.mktemp("built") / "store")
    built.build()
    return built


@pytest.fixture(scope="session")
def store(built: Project) -> Iterator[ox.Store]:
    """The built store, opened read-only."""
    yield ox.Store.read_only(str(built.store))


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A writable copy of the project (ontology, data, queries) to break things in."""
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return Project(tmp_path)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT over the union graph; rows as {variable: value} with plain string values."""
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]
