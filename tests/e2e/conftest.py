"""The end-to-end tests are about the shipped project itself: the repository's data/ (the demo
articles and their shared entities), ontology/ and queries/, as a user gets them.

``project``, ``built`` and ``store`` here are that project, and override the tests' fixture
project of tests/conftest.py for every test in this folder. All three are overridden: a
session-scoped fixture of tests/conftest.py that asked for an overridden one would otherwise
be cached with whichever project it met first.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from annograph import Project
from tests.conftest import ROOT


@pytest.fixture(scope="session")
def project() -> Project:
    """The repository's own project (read-only: tests must not write into it)."""
    return Project(ROOT)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The repository's project with its store built once into a temporary directory."""
    built = Project(ROOT, store_path=tmp_path_factory.mktemp("demo-built") / "store")
    built.build()
    return built


@pytest.fixture(scope="session")
def store(built: Project) -> Iterator[ox.Store]:
    """The built store of the repository's project, opened read-only."""
    yield ox.Store.read_only(str(built.store))
