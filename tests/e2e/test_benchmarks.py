"""The benchmark harness runs: a smoke run gives every measurement and a verdict per target.

Benchmarks are not tests: the targets' values are not checked here, only that the harness
measures everything and says whether each target was met. The harness runs as a user runs it,
``python benchmarks/run.py`` in a process of its own: the tests import no benchmark code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
FORMATS = ("nquads", "ntriples", "turtle", "trig", "jsonld", "rdfxml")
MEASUREMENTS = (
    "full_build",
    "noop_rebuild",
    "one_article_rebuild",
    "dump_nquads",
    "bulk_load",
    "anchor_store",
    *(f"export_{fmt}" for fmt in FORMATS),
    "query_latency",
    "point_lookups",
)
TARGETS = (
    "full build",
    "full build, peak RSS",
    *(f"export {fmt}" for fmt in FORMATS),
    *(f"export {fmt}, peak RSS" for fmt in FORMATS),
    "query organizers",
    "query entity",
    "why (most mentioned)",
    "entity query (typical)",
    "entity page (typical)",
    "no-op rebuild",
    "one-article rebuild",
)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("benchmarks")
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/run.py",
            "--smoke",
            "--json",
            str(out / "numbers.json"),
            "--docs",
            str(out / "benchmarks.md"),
            "--workdir",
            str(out / "work"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads((out / "numbers.json").read_text())
    report["stdout"] = done.stdout
    report["docs"] = (out / "benchmarks.md").read_text()
    return report


def _size(smoke: dict[str, object]) -> dict[str, object]:
    sizes = smoke["sizes"]
    assert isinstance(sizes, list) and len(sizes) == 1
    size: dict[str, object] = sizes[0]
    return size


def test_every_measurement_has_positive_numbers(smoke: dict[str, object]) -> None:
    size = _size(smoke)
    assert size["errors"] == {}
    measurements = size["measurements"]
    assert isinstance(measurements, dict)
    for name in MEASUREMENTS:
        numbers = measurements[name]
        assert numbers["peak_rss"] > 0, name
        if name not in ("query_latency", "point_lookups"):
            assert numbers["seconds"] > 0, name
    assert measurements["full_build"]["quads"] > measurements["full_build"]["facts"] > 0
    assert measurements["bulk_load"]["quads"] == measurements["full_build"]["quads"]
    # The anchor holds each triple once: fewer than the store's quads, more than its facts.
    facts, quads = measurements["full_build"]["facts"], measurements["full_build"]["quads"]
    assert facts < measurements["anchor_store"]["triples"] < quads
    # The rebuild after an edit really changed a fact.
    assert all(n > 0 for n in measurements["one_article_rebuild"]["facts_changed"])


def test_saved_queries_are_timed_both_ways(smoke: dict[str, object]) -> None:
    latency = _size(smoke)["measurements"]["query_latency"]  # type: ignore[index]
    assert latency["timed_out"] == []
    assert "organizers" in latency["queries"]
    assert "wikidata-crosscheck" not in latency["queries"]  # federated: left out
    for name, numbers in latency["queries"].items():
        for side in ("annograph", "anchor"):
            assert 0 < numbers[side]["median"] <= numbers[side]["p95"]
        # The same question on one graph: the same answer, where it asks about the facts. (In
        # one graph the evidence is among the facts: the entity card then meets statements.)
        if name not in ("entity", "facts-without-evidence"):
            assert numbers["rows"] == numbers["rows_anchor"], name


def test_point_lookups_ask_about_a_popular_and_a_typical_entity(smoke: dict[str, object]) -> None:
    lookups = _size(smoke)["measurements"]["point_lookups"]["lookups"]  # type: ignore[index]
    assert set(lookups) == {"most mentioned", "typical"}
    assert lookups["most mentioned"]["rows"] >= lookups["typical"]["rows"] > 0
    for numbers in lookups.values():
        for key in ("why", "why_anchor", "entity_query", "entity_query_anchor", "entity_page"):
            assert 0 < numbers[key]["median"], key


def test_every_target_says_met_or_missed(smoke: dict[str, object]) -> None:
    targets = {t["name"]: t for t in _size(smoke)["targets"]}  # type: ignore[attr-defined]
    for name in TARGETS:
        assert isinstance(targets[name]["met"], bool), name
        assert targets[name]["value"] > 0, name
        assert targets[name]["baseline"] > 0, name
    # The export's memory target is absolute: 512 MiB, whatever the corpus.
    assert targets["export turtle, peak RSS"]["target"] == "<= 512 MiB"


def test_the_report_shows_the_table_and_the_machine(smoke: dict[str, object]) -> None:
    for text in (smoke["stdout"], smoke["docs"]):
        assert isinstance(text, str)
        for name in TARGETS:
            assert name in text
    docs = smoke["docs"]
    assert isinstance(docs, str)
    assert "cores" in docs and "GiB of memory" in docs and "pyoxigraph" in docs
    machine = smoke["machine"]
    assert isinstance(machine, dict) and machine["cores"] >= 1


def test_help() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "--profile" in done.stdout and "--json" in done.stdout and "--smoke" in done.stdout
