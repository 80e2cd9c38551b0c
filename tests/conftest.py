"""Shared fixtures: the tests' own project, a store built from it once, and copies to break.

The tests' project is the product's ontology/ and queries/ with the tests' own annotations,
tests/fixtures/project/data/: unchanged copies of the demo articles in data/, so that a curator
who edits the demo breaks no test but the end-to-end ones (tests/e2e/, which read data/ itself
and override ``project``, ``built`` and ``store``).
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from referencing import Registry
from referencing.jsonschema import DRAFT7

from annograph import Project
from annograph.errors import AnnographError, AnnotationErrors
from annograph.serve._engine import free_port, oxigraph_command

ROOT = Path(__file__).resolve().parent.parent
#: The tests' project, whose data/ holds their annotations (its ontology and queries are ROOT's).
FIXTURE = ROOT / "tests" / "fixtures" / "project"
ARTICLE = FIXTURE / "data" / "articles" / "bishkek-migrants-day"

# A made-up second article (test data, not a real one) that mentions IOM and Bishkek, which the
# Bishkek article mentions too, and an event of its own.
SEMINAR_TEXT = (
    "Международная организация по миграции (МОМ) провела в Бишкеке семинар для журналистов.\n"
    "\n"
    "Семинар был посвящён правам трудовых мигрантов.\n"
)
SEMINAR_HEADER = """\
format: annograph/1

article:
  text: article.md
  language: ru
  headline:
    ru: Семинар для журналистов
    quote: семинар для журналистов

"""
SEMINAR_ENTITIES = """\
entities:
  iom:
    quote: Международная организация по миграции (МОМ)
    name:
      ru: Международная организация по миграции
      quote: Международная организация по миграции
  bishkek:
    quote: в Бишкеке
  seminar:
    type: Event
    quote: провела в Бишкеке семинар
    name:
      ru: семинар для журналистов
      en: seminar for journalists
      quote: семинар для журналистов
    organizer:
      ref: iom
      quote: Международная организация по миграции (МОМ) провела
    location:
      ref: bishkek
      quote: в Бишкеке семинар
"""


def fixture_project(root: Path) -> Project:
    """The tests' project, new at ``root``: the product's ontology/ and queries/ (ROOT's) and
    the tests' data/ (FIXTURE's)."""
    for part in ("ontology", "queries"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copytree(FIXTURE / "data", root / "data")
    return Project(root)


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The tests' project (read-only: tests must not write into it)."""
    return fixture_project(tmp_path_factory.mktemp("project") / "project")


@pytest.fixture(scope="session")
def built(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The tests' project with its store built once into a temporary directory."""
    built = Project(project.root, store_path=tmp_path_factory.mktemp("built") / "store")
    built.build()
    return built


@pytest.fixture(scope="session")
def store(built: Project) -> Iterator[ox.Store]:
    """The built store, opened read-only."""
    yield ox.Store.read_only(str(built.store))


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A writable copy of the tests' project (ontology, data, queries) to break things in."""
    return fixture_project(tmp_path)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def validation_problems(project: Project) -> list[AnnographError]:
    """Every error and warning validating ``project`` reports."""
    try:
        return list(project.validate().warnings)
    except AnnotationErrors as errors:
        return errors.errors


def garbage_freed_on_another_thread() -> list[str]:
    """What goes wrong when the garbage collector runs on a thread other than the caller's.

    pyoxigraph's query results may only be freed on the thread that made them: one left in a
    reference cycle (a traceback's frame) fails when a server's thread happens to collect it.
    """
    problems: list[str] = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: problems.append(repr(unraisable.exc_value))
    try:
        collector = threading.Thread(target=gc.collect)
        collector.start()
        collector.join()
    finally:
        sys.unraisablehook = previous
    return problems


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT as annograph runs queries (over the default graph: the facts, once; GRAPH
    for the evidence); rows as {variable: value} with plain string values."""
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


@dataclass
class Server:
    """A real server process on 127.0.0.1 and a free port."""

    process: subprocess.Popen[bytes]
    port: int
    #: What the server wrote to its standard error, read all the time: a pipe nobody reads
    #: stops a server that logs much (a failed query, a restart) once it is full.
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        if self.process.stderr is not None:
            for line in self.process.stderr:
                self.log.append(line.decode("utf-8", "replace"))

    def output(self) -> str:
        """Its standard error so far (all of it once it has exited)."""
        if self.process.poll() is not None:
            self._reader.join(timeout=5)
        return "".join(self.log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=5)
        if self.process.stderr is not None:
            self.process.stderr.close()


@contextmanager
def oxigraph_server(data: Path, workdir: Path) -> Iterator[Server]:
    """Load ``data`` into a fresh store under ``workdir`` and serve it read-only until exit."""
    location = workdir / "oxigraph-store"
    subprocess.run(
        [oxigraph_command(), "load", "--location", str(location), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    with running(oxigraph_command(), "serve-read-only", "--location", str(location)) as server:
        yield server


@contextmanager
def running(
    *command: str, port: int | None = None, listen: str = "--bind 127.0.0.1:{port}"
) -> Iterator[Server]:
    """Run ``command`` with ``listen`` (its options to listen on loopback) until exit."""
    port = port or free_port()
    address = listen.format(port=port).split()
    process = subprocess.Popen(
        [*command, *address], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    server = Server(process, port)
    try:
        _wait_for_port(server, seconds=30)
        yield server
    finally:
        server.stop()


def writable_oxigraph(location: Path, port: int | None = None) -> Iterator[Server]:
    """A writable ``oxigraph serve`` on a new store at ``location``, as a target for push."""
    return running(oxigraph_command(), "serve", "--location", str(location), port=port)


def annograph_serve(project: Project, *options: str) -> Iterator[Server]:
    """``annograph serve`` on ``project``'s built store, as a user starts it."""
    command = [sys.executable, "-m", "annograph", "serve", "--project", str(project.root)]
    return running(*command, "--store", str(project.store), *options, listen="--port {port}")


def _wait_for_port(server: Server, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited: {server.output()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", server.port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"the server did not listen on port {server.port} within {seconds:.0f} s")


SPECS = ROOT / "tests" / "specs" / "reconciliation-api-0.2"


def reconciliation_schema(name: str) -> jsonschema.Draft7Validator:
    """A published Reconciliation API schema, its references resolved among its siblings.

    Its '$schema' names no draft; the schemas are written for draft 7.
    """
    schemas = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SPECS.glob("*.json")}
    assert name in schemas, f"{SPECS}: the vendored schema {name}.json is missing"
    registry: Registry = Registry().with_resources(
        (schema["$id"].rstrip("#"), DRAFT7.create_resource(schema))
        for schema in schemas.values()
        if "$id" in schema
    )
    return jsonschema.Draft7Validator(schemas[name], registry=registry)


def strip_links(project: Project) -> None:
    """Remove the curated identity links, as if the annotations had none yet."""
    data = project.root / "data"
    for path in [*data.glob("articles/*/annotations.yaml"), *data.glob("entities/*.yaml")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^ +(sameAs|closeMatch):.*\n", "", text), "utf-8")


@pytest.fixture(scope="session")
def served(built: Project) -> Iterator[Server]:
    """``annograph serve`` on the built store, for the whole session."""
    with annograph_serve(built) as server:
        yield server


@pytest.fixture(scope="session")
def graphviz() -> str:
    """Graphviz's ``dot``, which diagrams need (tests/setup.sh installs Debian's graphviz).

    Without it the test is skipped, unless ANNOGRAPH_REQUIRE_GRAPHVIZ is set (CI sets it).
    """
    found = shutil.which("dot")
    if found is None:
        message = "Graphviz's dot is not installed (bash tests/setup.sh installs it)"
        if os.environ.get("ANNOGRAPH_REQUIRE_GRAPHVIZ"):
            pytest.fail(message)
        pytest.skip(message)
    return found
