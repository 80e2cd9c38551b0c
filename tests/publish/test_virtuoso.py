"""Push to a real Virtuoso (Debian's ``virtuoso-opensource`` 7) and query it: the same rows as the
local store for every saved query.

``tests/setup.sh`` installs Virtuoso where it can (Debian, as root or with sudo). Elsewhere these
tests are skipped, unless ANNOGRAPH_REQUIRE_VIRTUOSO is set (CI sets it), in which case a missing
Virtuoso is a failure. Each module run starts its own ``virtuoso-t`` in the foreground, on
127.0.0.1 and free ports, with a database in a temporary directory, and stops it after.

Virtuoso differs from Oxigraph where it matters to annograph: its Graph Store endpoint with
credentials (``/sparql-graph-crud-auth``) takes HTTP Digest only, it has no default graph to
write, and a query without a dataset reads the union of all graphs. So the facts go to a named
graph (``default_graph``), which queries name as their default graph.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph import Project
from annograph._http import credentials
from annograph.cli import cli
from annograph.serve._engine import free_port
from tests.helpers.corpus import generate

pytestmark = pytest.mark.slow

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
#: A fresh database's administrator (Virtuoso's default; the database lives for one test run).
USER, PASSWORD = "dba", "dba"
FACTS = "https://w3id.org/annograph/data/facts"
#: Saved queries that need the internet (SERVICE to Wikidata): tests never reach it.
FEDERATED = "federated"
#: Rows Virtuoso 7.2.5 loses, and why. An OPTIONAL group holding a property path with '*' or
#: '+' keeps only one of its solutions for each row outside it (measured: the same pattern
#: outside OPTIONAL, or with a one-step path, gives every solution). The query is standard
#: SPARQL and right locally; the test checks that only those rows go missing, so that a
#: Virtuoso that fixes it, or a new difference, fails here.
VIRTUOSO_LOSES = {"commitments"}

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = {dir}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


@dataclass(frozen=True, slots=True)
class Virtuoso:
    url: str

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    @property
    def graph_store(self) -> str:
        return self.url + "/sparql-graph-crud-auth"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A fresh Virtuoso on loopback, stopped and its files removed after the module."""
    if not os.access(VIRTUOSO, os.X_OK):
        message = (
            "Virtuoso is not installed: no virtuoso-t (bash tests/setup.sh installs Debian's "
            "virtuoso-opensource)"
        )
        if os.environ.get("ANNOGRAPH_REQUIRE_VIRTUOSO"):
            pytest.fail(message)
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=free_port(), http_port=http_port))
    command = [VIRTUOSO, "+foreground", "+configfile", str(ini)]
    process = subprocess.Popen(
        command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = Virtuoso(f"http://127.0.0.1:{http_port}")
    try:
        _wait_for(server, process, directory, seconds=120)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_for(
    server: Virtuoso, process: subprocess.Popen[bytes], directory: Path, *, seconds: float
) -> None:
    """Until its SPARQL endpoint answers (a new database takes 10-20 s to be made)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = directory / "virtuoso.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            pytest.fail(f"virtuoso-t exited with {process.returncode}:\n{tail}")
        try:
            if httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"Virtuoso did not answer at {server.sparql} within {seconds} s")


def _configure(project: Project, root: Path, server: Virtuoso) -> Path:
    """A project directory whose annograph.toml names the Virtuoso endpoint ``virtuoso``, as
    docs/serving.md tells a user to write it, and holds the built store."""
    for part in ("ontology", "queries"):
        shutil.copytree(project.root / part, root / part)
    shutil.copytree(project.data, root / "data")
    shutil.copytree(project.store, root / "store")
    (root / "annograph.toml").write_text(
        f'base_iri = "{project.base_iri}"\n'
        'store = "store"\n'
        "\n"
        "[endpoints.virtuoso]\n"
        f'url = "{server.sparql}"\n'
        f'graph_store = "{server.graph_store}"\n'
        f'user = "{USER}"\n'
        f'default_graph = "{FACTS}"\n',
        encoding="utf-8",
    )
    return root


def _annograph(root: Path, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["--quiet", *args, "--project", str(root)], env={"ANNOGRAPH_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 0, result.output
    return result.output


def _rows(root: Path, name: str, *options: str) -> list[str]:
    return sorted(_annograph(root, "query", name, "--format", "tsv", *options).splitlines())


def _push_and_compare(root: Path, *options: str) -> dict[str, list[str]]:
    """Push, then every saved query locally and on Virtuoso; the queries whose rows differ."""
    _annograph(root, "push", "--endpoint", "virtuoso", *options)
    different = {}
    for saved in Project(root).saved_queries():
        if FEDERATED in saved.tags:
            continue
        local = _rows(root, saved.name)
        remote = _rows(root, saved.name, "--endpoint", "virtuoso")
        if remote != local:
            # Rows only locally, then rows only there.
            different[saved.name] = sorted(set(local) - set(remote)) + [
                "+ " + row for row in sorted(set(remote) - set(local))
            ]
    return different


def _counts(server: Virtuoso) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = httpx.post(server.sparql, data={"query": query}, headers={"Accept": "text/csv"})
    rows = [line.split(",") for line in response.text.splitlines()[1:]]
    return {g.strip('"'): int(n) for g, n in rows}


def _local_counts(store: Path) -> dict[str, int]:
    local = ox.Store.read_only(str(store))
    counts = {
        g.value: len(list(local.quads_for_pattern(None, None, None, g)))
        for g in local.named_graphs()
        if isinstance(g, ox.NamedNode)
    }
    counts[FACTS] = len(list(local.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    return counts


def _only_known_losses(different: dict[str, list[str]]) -> None:
    assert set(different) <= VIRTUOSO_LOSES, different
    # Virtuoso only loses rows there; it never adds one.
    assert not [row for rows in different.values() for row in rows if row.startswith("+ ")]


def test_the_real_articles_on_virtuoso_answer_every_saved_query_as_here(
    virtuoso: Virtuoso, built: Project, tmp_path: Path
) -> None:
    root = _configure(built, tmp_path / "project", virtuoso)
    different = _push_and_compare(root)
    there = _counts(virtuoso)
    assert {g: there.get(g) for g in _local_counts(root / "store")} == _local_counts(root / "store")
    _only_known_losses(different)
    assert different["commitments"] == [
        row for row in _rows(root, "commitments") if "data-exchange-commitment" in row
    ]


def test_a_generated_corpus_goes_in_pieces_and_answers_as_here(
    virtuoso: Virtuoso, built: Project, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    generate(25, data, seed=3, mean_triples=700)
    corpus = Project(built.root, data_path=data, store_path=tmp_path / "corpus-store")
    corpus.build()
    root = _configure(corpus, tmp_path / "corpus", virtuoso)
    # 64 KiB pieces: the larger graphs go in several requests.
    different = _push_and_compare(root, "--chunk-size", "64")
    local = _local_counts(root / "store")
    there = _counts(virtuoso)
    assert {g: there.get(g) for g in local} == local
    # The real articles' graphs, pushed before, are gone: the corpus has other articles.
    assert not [g for g in there if "/graph/bishkek-migrants-day" in g]
    _only_known_losses(different)


def test_digest_is_chosen_when_the_server_asks_for_it(virtuoso: Virtuoso) -> None:
    """Virtuoso's authenticated Graph Store refuses Basic (a bare 401) and names Digest in the
    401 it gives a request without credentials, which is what annograph sends first."""
    graph = {"graph": "https://example.org/auth-test"}
    body = b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n"
    put = {"params": graph, "content": body, "headers": {"Content-Type": "application/n-triples"}}
    basic = httpx.put(virtuoso.graph_store, auth=httpx.BasicAuth(USER, PASSWORD), **put)
    assert basic.status_code == 401
    assert httpx.put(virtuoso.graph_store, **put).headers["www-authenticate"].startswith("Digest")
    with httpx.Client(auth=credentials(USER, PASSWORD)) as client:
        first = client.put(virtuoso.graph_store, **put)
        assert first.status_code in (200, 201)
        assert first.request.headers["authorization"].startswith("Digest ")
        # Later requests reuse the challenge: one round trip each.
        second = client.put(virtuoso.graph_store, **put)
        assert second.status_code in (200, 201) and second.history == []
        assert client.delete(virtuoso.graph_store, params=graph).status_code == 200
