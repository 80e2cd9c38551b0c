"""The benchmark harness runs: a smoke run gives every measurement and a verdict per target.

Benchmarks are not tests: the targets' values are not checked here, only that the harness
measures everything and says whether each target was met.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MEASUREMENTS = (
    "full_build",
    "noop_rebuild",
    "one_article_rebuild",
    "dump_nquads",
    "bulk_load",
    "turtle_export",
    "query_latency",
    "rdflib_pipeline",
)
TARGETS = (
    "full build",
    "full build vs rdflib",
    "no-op rebuild",
    "one-article rebuild",
    "Turtle export",
    "saved queries, all (sum of medians)",
    "peak RSS",
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
        if name != "query_latency":
            assert numbers["seconds"] > 0, name
    assert measurements["full_build"]["quads"] > 0
    assert measurements["rdflib_pipeline"]["quads"] > 0
    assert measurements["bulk_load"]["quads"] == measurements["full_build"]["quads"]


def test_saved_queries_are_timed_both_ways(smoke: dict[str, object]) -> None:
    latency = _size(smoke)["measurements"]["query_latency"]  # type: ignore[index]
    assert latency["timed_out"] == []
    assert "organizers" in latency["queries"]
    assert "wikidata-crosscheck" not in latency["queries"]  # federated: left out
    for numbers in latency["queries"].values():
        for side in ("annograph", "raw"):
            assert 0 < numbers[side]["median"] <= numbers[side]["p95"]
        assert numbers["rows"] == numbers["rows_raw"]


def test_every_target_says_met_or_missed(smoke: dict[str, object]) -> None:
    targets = {t["name"]: t for t in _size(smoke)["targets"]}  # type: ignore[attr-defined]
    for name in TARGETS:
        assert isinstance(targets[name]["met"], bool), name
        assert targets[name]["value"] > 0, name
        assert targets[name]["baseline"] > 0, name


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
    assert "--articles" in done.stdout and "--json" in done.stdout and "--smoke" in done.stdout
