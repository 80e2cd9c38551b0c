"""Shared fixtures: the real project, a store built from it once, and copies to break."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class OxigraphServer:
    """A real ``oxigraph serve-read-only`` process on 127.0.0.1 and a free port."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def oxigraph_server(data: Path, workdir: Path) -> Iterator[OxigraphServer]:
    """Load ``data`` into a fresh store under ``workdir`` and serve it read-only until exit."""
    executable = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    executable = executable or shutil.which("oxigraph")
    if executable is None:
        pytest.fail("the oxigraph server is not installed: pip install -e '.[test]'")
    location = workdir / "oxigraph-store"
    subprocess.run(
        [executable, "load", "--location", str(location), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    process = subprocess.Popen(
        [executable, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, process)
        yield OxigraphServer(process, port)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"oxigraph server exited: {stderr}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"oxigraph server did not listen on port {port} within 20 s")


def strip_links(project: Project) -> None:
    """Remove the curated identity links, as if the annotations had none yet."""
    annotations = next((project.root / "data" / "articles").glob("*/annotations.yaml"))
    text = annotations.read_text(encoding="utf-8")
    annotations.write_text(re.sub(r"(?m)^ +(sameAs|closeMatch):.*\n", "", text), "utf-8")
