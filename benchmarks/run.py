"""Benchmarks of annograph against its baselines, side by side, in one run.

    python benchmarks/run.py [--profile dense,sparse-1k,sparse] [--json FILE] [--smoke]

A *profile* is a corpus: ``dense`` is 1,000 articles of the real article's size (7,127 quads
each, mean), ``sparse`` 10,000 short ones (100 quads), ``sparse-1k`` 1,000 short ones (with
``sparse``, the corpus ten times larger that point lookups must answer as fast). For each
profile it generates the corpus, starts a project on it, and measures, each in a fresh process
(so that each peak RSS is its own, worker processes included): the full build against
pyoxigraph's ``bulk_load`` of the N-Quads the build produced; every export format against
``Store.dump``; a no-op and a one-article rebuild; every saved query, and ``why``, the ``entity``
query and the entity page for a popular and a typical entity, against the same question on one
graph holding each triple of the store once (the *anchor*). It prints a table of measurement,
baseline, ratio, target and met/missed, and (except for ``--smoke``) rewrites
``docs/benchmarks.md``.

Benchmarks are not tests: a missed target does not fail the run. CI runs ``--smoke`` only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make 'benchmarks' importable
    sys.path.insert(0, str(REPO))

from benchmarks.corpus import corpus  # noqa: E402

DOCS = REPO / "docs" / "benchmarks.md"
GIB = 1024**3
MIB = 1024**2
#: The real article's graph: 7,127 quads.
REAL_DENSITY = 7127


@dataclass(frozen=True, slots=True)
class Profile:
    """A corpus to measure on: so many articles of so many quads each (the mean)."""

    name: str
    articles: int
    mean_triples: float


PROFILES = {
    "dense": Profile("dense", 1000, REAL_DENSITY),
    "sparse-1k": Profile("sparse-1k", 1000, 100),
    "sparse": Profile("sparse", 10_000, 100),
    # Ten times the dense corpus: long (an hour on two cores); for point lookups' flatness.
    "dense-10k": Profile("dense-10k", 10_000, REAL_DENSITY),
}
DEFAULT_PROFILES = ("dense", "sparse-1k", "sparse")
SMOKE = Profile("smoke", 20, 100)
#: Profiles whose point lookups are compared, the second ten times the first.
TENFOLD = (("sparse-1k", "sparse"), ("dense", "dense-10k"))

Numbers = dict[str, Any]


class BenchmarkError(Exception):
    """A measurement's process failed; the message is the end of its standard error."""


@dataclass(frozen=True, slots=True)
class Settings:
    """How many times the cheap measurements repeat, and how long they may take."""

    repeat: int = 5
    query_repeat: int = 20
    budget: float = 30.0
    query_timeout: float = 120.0
    seed: int = 0
    rdflib: bool = False
    only: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Target:
    """One row of the table: a measurement against its baseline and its target.

    ``ratio_kind`` says how the ratio reads: ``x`` (value / baseline), ``faster``
    (baseline / value) or ``%`` (overhead of value over baseline, in percent).
    """

    name: str
    value: float
    unit: str  # "s" or "bytes"
    baseline: float | None
    baseline_name: str
    ratio: float | None
    ratio_kind: str
    target: str
    met: bool
    detail: str = ""


# -- running the measurements ----------------------------------------------------------------


def _command(name: str, arguments: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "benchmarks.measure", name, json.dumps(arguments)]
    return command, {**os.environ, "PYTHONPATH": path}


def measure(name: str, **arguments: Any) -> Numbers:
    """Run one measurement of :mod:`benchmarks.measure` in a fresh Python process."""
    command, env = _command(name, arguments)
    begin = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchmarkError(_failure(name, done.returncode, done.stderr))
    numbers: Numbers = json.loads(done.stdout.strip().splitlines()[-1])
    numbers["wall_seconds"] = time.perf_counter() - begin
    return numbers


def _failure(name: str, code: int, stderr: str) -> str:
    tail = "\n".join(stderr.strip().splitlines()[-15:])
    return f"{name} failed (exit {code}):\n{tail}"


def measure_queries(settings: Settings, **arguments: Any) -> Numbers:
    """The saved queries' latencies, killing any query that runs past the timeout.

    pyoxigraph cannot cancel a query, so the measuring process is killed instead, and a new one
    goes on with the queries after it. The numbers say which queries timed out.
    """
    queries: Numbers = {}
    timed_out: list[str] = []
    peak = 0
    begin = time.perf_counter()
    while "" not in queries:
        skip = [*queries, *timed_out]
        command, env = _command("query_latency", {**arguments, "skip": skip})
        with tempfile.TemporaryFile("w+") as stderr:
            child = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=stderr
            )
            current, killed = _follow(child, settings.query_timeout, queries)
            if killed:
                peak = max(peak, killed)
                timed_out.append(current or "?")
            elif child.wait() != 0:
                stderr.seek(0)
                raise BenchmarkError(_failure("query_latency", child.returncode, stderr.read()))
    final = queries.pop("")
    return {
        **final,
        "queries": queries,
        "timed_out": timed_out,
        "timeout": settings.query_timeout,
        "peak_rss": max(peak, final["peak_rss"]),
        "wall_seconds": time.perf_counter() - begin,
    }


def _follow(
    child: subprocess.Popen[bytes], timeout: float, queries: Numbers
) -> tuple[str | None, int]:
    """Read the child's events into ``queries`` (its last line under ``""``) until it ends.

    Returns the query that was running and, if it ran past ``timeout`` and was killed, the
    child's peak RSS (else 0).
    """
    assert child.stdout is not None
    fd = child.stdout.fileno()
    current: str | None = None
    pending = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            if not selector.select(max(0.0, deadline - time.monotonic())):
                peak = _peak_rss_of(child.pid)
                child.kill()
                child.wait()
                return current, peak or 1
            chunk = os.read(fd, 65536)
            if not chunk:
                return current, 0
            *lines, pending = (pending + chunk).split(b"\n")
            for line in filter(None, lines):
                event = json.loads(line)
                kind = event.pop("event", None)
                if kind in ("start", "run"):
                    current = event.get("query", current)
                    deadline = time.monotonic() + timeout
                elif kind == "done":
                    queries[event.pop("query")] = event
                else:
                    queries[""] = event


def _peak_rss_of(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


#: What each rebuild should be, as ``Build.kind`` says.
EXPECTED_KINDS = {"noop_rebuild": "unchanged", "one_article_rebuild": "incremental"}
#: The export formats, as ``annograph export --format`` names them.
EXPORT_FORMATS = ("nquads", "ntriples", "turtle", "trig", "jsonld", "rdfxml")


def run_size(
    profile: Profile, work: Path, settings: Settings, *, log: Callable[[str], None] = print
) -> Numbers:
    """Every measurement for one profile, in ``work``; the numbers and targets."""
    from annograph import Project

    work.mkdir(parents=True)
    tag = f"[{profile.name}: {profile.articles} articles]"
    log(f"{tag} generating the corpus ...")
    begin = time.perf_counter()
    data, generator = corpus(
        profile.articles, work / "data", seed=settings.seed, mean_triples=profile.mean_triples
    )
    generated = time.perf_counter() - begin
    root = work / "project"
    Project.init(root)
    notes: list[str] = []
    slugs = sorted(p.name for p in (data / "articles").iterdir() if p.is_dir())
    edited = data / "articles" / slugs[len(slugs) // 2] / "annotations.yaml"
    common: dict[str, Any] = {"root": str(root), "data": str(data)}
    repeats = {"times": settings.repeat, "budget": settings.budget}
    store = Project.discover(root, data_path=data).store
    nquads, raw_store, anchor = work / "build.nq", work / "raw-store", work / "anchor-store"
    steps: dict[str, Callable[[], Numbers]] = {
        "full_build": lambda: measure("full_build", **common),
        "dump_nquads": lambda: measure("dump_nquads", store=str(store), output=str(nquads)),
        "bulk_load": lambda: measure("bulk_load", nquads=str(nquads), directory=str(raw_store)),
        "anchor_store": lambda: measure(
            "anchor_store", store=str(store), directory=str(anchor), scratch=str(work / "all.nt")
        ),
        **{
            f"export_{fmt}": partial(_export, common, fmt, work / f"export.{fmt}")
            for fmt in EXPORT_FORMATS
        },
        "query_latency": lambda: measure_queries(
            settings,
            **common,
            anchor=str(anchor),
            times=settings.query_repeat,
            budget=settings.budget,
        ),
        "point_lookups": lambda: measure(
            "point_lookups",
            **common,
            anchor=str(anchor),
            times=settings.query_repeat,
            budget=settings.budget,
        ),
        "noop_rebuild": lambda: measure("noop_rebuild", **common, **repeats),
        "one_article_rebuild": lambda: measure(
            "one_article_rebuild", **common, annotations=str(edited), **repeats
        ),
    }
    if settings.rdflib:
        ontology = root / "ontology" / "annograph.ttl"
        steps["rdflib_pipeline"] = lambda: measure(
            "rdflib_pipeline", data=str(data), ontology=str(ontology), output=str(work / "rdf.nq")
        )
    if settings.only:  # the build is always needed, and what the others compare with
        needs = {
            "bulk_load": ["dump_nquads"],
            "query_latency": ["anchor_store"],
            "point_lookups": ["anchor_store"],
        }
        wanted = {"full_build", *settings.only}
        wanted.update(n for name in settings.only for n in needs.get(name, []))
        if any(name.startswith("export") for name in settings.only):
            wanted.add("dump_nquads")
        steps = {
            name: step
            for name, step in steps.items()
            if name in wanted or (name.startswith("export_") and "export" in settings.only)
        }
    results: Numbers = {"corpus_seconds": generated}
    errors: dict[str, str] = {}
    for name, step in steps.items():
        log(f"{tag} {name.replace('_', ' ')} ...")
        try:
            results[name] = step()
        except BenchmarkError as error:
            errors[name] = str(error)
            log(str(error))
        if name == "bulk_load":
            shutil.rmtree(raw_store, ignore_errors=True)  # its disk, not its numbers, is spent
    for leftover in (nquads, work / "all.nt", *(work / f"export.{f}" for f in EXPORT_FORMATS)):
        leftover.unlink(missing_ok=True)
    for name, expected in EXPECTED_KINDS.items():
        kinds = set(results.get(name, {}).get("kinds", [expected]))
        if kinds != {expected}:
            notes.append(f"{name}: builds of kind {', '.join(sorted(kinds))}, not {expected}")
    return {
        "profile": profile.name,
        "articles": profile.articles,
        "mean_triples": profile.mean_triples,
        "generator": generator,
        "measurements": results,
        "errors": errors,
        "notes": notes,
        "targets": [asdict(t) for t in targets(results)],
    }


def _export(common: dict[str, Any], fmt: str, output: Path) -> Numbers:
    try:
        return measure("export", **common, format=fmt, output=str(output))
    finally:
        output.unlink(missing_ok=True)


# -- the targets -----------------------------------------------------------------------------


def targets(results: Numbers) -> list[Target]:
    """The table's rows from the measurements (rows whose measurements failed are left out)."""
    rows: list[Target] = []
    build, bulk = results.get("full_build", {}), results.get("bulk_load", {})
    if build.get("seconds"):
        rows.append(
            _at_most("full build", build["seconds"], bulk.get("seconds"), "raw bulk_load", limit=2)
        )
        rows.append(
            _at_most(
                "full build, peak RSS",
                build["peak_rss"],
                bulk.get("peak_rss"),
                "raw bulk_load",
                limit=1.5,
                unit="bytes",
            )
        )
    rdflib = results.get("rdflib_pipeline", {}).get("seconds")
    if build.get("seconds") and rdflib:
        rows.append(
            _at_most(
                "full build vs rdflib", build["seconds"], rdflib, "rdflib pipeline", limit=1 / 3
            )
        )
    dump = results.get("dump_nquads", {})
    for fmt in EXPORT_FORMATS:
        done = results.get(f"export_{fmt}")
        if done:
            rows.append(
                _at_most(
                    f"export {fmt}",
                    done["seconds"],
                    dump.get("seconds"),
                    "Store.dump (N-Quads)",
                    limit=1.5,
                )
            )
            rows.append(
                _below(
                    f"export {fmt}, peak RSS",
                    done["peak_rss"],
                    512 * MIB,
                    dump.get("peak_rss"),
                    "Store.dump",
                    unit="bytes",
                )
            )
    rows += _query_rows(results.get("query_latency", {}))
    rows += _lookup_rows(results.get("point_lookups", {}))
    for name, label, limit in (
        ("noop_rebuild", "no-op rebuild", 0.5),
        ("one_article_rebuild", "one-article rebuild", 1.0),
    ):
        seconds = results.get(name, {}).get("seconds")
        if seconds is not None:
            rows.append(_below(label, seconds, limit, build.get("seconds"), "full build"))
    return rows


def _at_most(
    name: str,
    value: float,
    baseline: float | None,
    baseline_name: str,
    *,
    limit: float,
    unit: str = "s",
    detail: str = "",
) -> Target:
    """A target on the ratio value / baseline."""
    ratio = value / baseline if baseline else None
    met = ratio is not None and ratio <= limit
    return Target(
        name, value, unit, baseline, baseline_name, ratio, "x", f"<= {limit:g}x", met, detail
    )


def _below(
    name: str,
    value: float,
    limit: float,
    baseline: float | None,
    baseline_name: str,
    *,
    unit: str = "s",
    detail: str = "",
) -> Target:
    """A target on the value itself; the baseline is shown for scale."""
    ratio = value / baseline if baseline else None
    shown = f"<= {limit / MIB:.0f} MiB" if unit == "bytes" else f"<= {limit:g} s"
    return Target(
        name, value, unit, baseline, baseline_name, ratio, "x", shown, value <= limit, detail
    )


def _query_rows(latency: Numbers) -> list[Target]:
    rows = []
    queries: dict[str, Numbers] = latency.get("queries", {})
    for name, q in sorted(queries.items()):
        ours, anchor = q["annograph"]["median"], q["anchor"]["median"]
        detail = f"{q['rows']} rows; p95 {_seconds(q['annograph']['p95'])}"
        if q["rows"] != q["rows_anchor"]:
            detail += f"; the anchor gives {q['rows_anchor']} rows"
        rows.append(
            _at_most(f"query {name}", ours, anchor, "anchor (one graph)", limit=1.5, detail=detail)
        )
    timeout = latency.get("timeout", 0.0)
    for name in latency.get("timed_out", ()):
        rows.append(
            Target(
                f"query {name}",
                timeout,
                "s",
                None,
                "anchor (one graph)",
                None,
                "x",
                "<= 1.5x",
                False,
                "timed out, killed",
            )
        )
    return rows


#: The point lookups measured, by their key in the numbers, as the table names them.
LOOKUPS = {
    "why": ("why", "why_anchor"),
    "entity query": ("entity_query", "entity_query_anchor"),
    "entity page": ("entity_page", "why_anchor"),
}


def _lookup_rows(lookups: Numbers) -> list[Target]:
    rows = []
    for role, numbers in sorted(lookups.get("lookups", {}).items()):
        for label, (ours, anchor) in LOOKUPS.items():
            detail = f"{numbers['entity']}, its card {numbers['rows']} rows"
            rows.append(
                _below(
                    f"{label} ({role})",
                    numbers[ours]["median"],
                    0.5,
                    numbers[anchor]["median"],
                    "anchor: the whole answer",
                    detail=detail,
                )
            )
    return rows


def tenfold_rows(sizes: list[Numbers]) -> list[Target]:
    """Point lookups at ten times the corpus against the smaller one: at most 1.5x slower."""
    by_profile = {size["profile"]: size for size in sizes}
    rows = []
    for small, large in TENFOLD:
        if small not in by_profile or large not in by_profile:
            continue
        before = by_profile[small]["measurements"].get("point_lookups", {}).get("lookups", {})
        after = by_profile[large]["measurements"].get("point_lookups", {}).get("lookups", {})
        for role in sorted(set(before) & set(after)):
            for label, (key, _) in LOOKUPS.items():
                then, now = before[role][key]["median"], after[role][key]["median"]
                detail = (
                    f"{after[role]['entity']} ({after[role]['rows']} rows) against "
                    f"{before[role]['entity']} ({before[role]['rows']} rows)"
                )
                rows.append(
                    _at_most(
                        f"{label} ({role}), {large} vs {small}",
                        now,
                        then,
                        f"at {small}",
                        limit=1.5,
                        detail=detail,
                    )
                )
    return rows


# -- output ----------------------------------------------------------------------------------


def _seconds(value: float) -> str:
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.001:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "bytes":
        return f"{value / 2**20:.0f} MiB"
    return _seconds(value)


def _ratio(target: Target) -> str:
    if target.ratio is None:
        return "-"
    if target.ratio_kind == "%":
        return f"{target.ratio:+.1f}%"
    if target.ratio_kind == "faster":
        return f"{target.ratio:.2f}x faster"
    return f"{target.ratio:.2f}x"


HEADER = ("measurement", "value", "baseline", "", "ratio", "target", "")


def table_rows(targets: list[Numbers]) -> list[tuple[str, ...]]:
    """Targets as rows of text cells (see :data:`HEADER`)."""
    rows: list[tuple[str, ...]] = []
    for t in (Target(**fields) for fields in targets):
        value = _amount(t.value, t.unit) + (f" ({t.detail})" if t.detail else "")
        baseline = _amount(t.baseline, t.unit)
        met = "met" if t.met else "MISSED"
        rows.append((t.name, value, baseline, t.baseline_name, _ratio(t), t.target, met))
    return rows


def text_table(targets: list[Numbers]) -> str:
    """An aligned plain-text table for the terminal."""
    rows = [HEADER, *table_rows(targets)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(targets: list[Numbers]) -> str:
    header = ("measurement", "value", "baseline", "baseline is", "ratio", "target", "")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(targets)]
    return "\n".join(lines)


def size_summary(size: Numbers) -> str:
    """A line on what was measured: corpus, quads of annograph and of the rdflib pipeline."""
    m = size["measurements"]
    mean = size.get("mean_triples", 100)
    parts = [
        f"{size.get('profile', 'custom')}: {size['articles']:,} articles of {mean:,.0f} "
        f"quads on average ({size['generator']} corpus)"
    ]
    if "full_build" in m:
        build = m["full_build"]
        parts.append(f"annograph {build['quads']:,} quads, {build.get('facts', 0):,} facts")
    if "rdflib_pipeline" in m:
        parts.append(f"rdflib pipeline {m['rdflib_pipeline']['quads']:,} quads")
    return ", ".join(parts)


def machine() -> Numbers:
    """The machine and software the numbers come from."""
    import pyoxigraph
    import rdflib

    import annograph

    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "cpu": cpu,
        "system": platform.platform(),
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "annograph": annograph.__version__,
        "commit": _commit(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def markdown(report: Numbers) -> str:
    """The text of ``docs/benchmarks.md``."""
    m = report["machine"]
    memory = f"{m['memory_bytes'] / GIB:.1f} GiB" if m["memory_bytes"] else "unknown"
    profiles = ",".join(s.get("profile", "custom") for s in report["sizes"])
    out = [
        "# Benchmarks",
        "",
        "Written by `benchmarks/run.py`; do not edit by hand. Benchmarks are not tests: a missed",
        "target is a finding, not a failure (CI runs only `python benchmarks/run.py --smoke`).",
        "",
        "## Machine",
        "",
        f"- {m['cores']} cores ({m['cpu']}), {memory} of memory; {m['system']}",
        f"- Python {m['python']}, pyoxigraph {m['pyoxigraph']}, rdflib {m['rdflib']}, "
        f"annograph {m['annograph']}" + (f" (commit {m['commit']})" if m["commit"] else ""),
        f"- {m['date']}",
        "",
        "## Results",
        "",
    ]
    for size in report["sizes"]:
        title = f"{size.get('profile', 'custom')}: {size['articles']:,} articles"
        out += [f"### {title}", "", size_summary(size) + ".", ""]
        out += [markdown_table(size["targets"]), ""]
        for note in size["notes"]:
            out.append(f"- Note: {note}")
        for name, error in size["errors"].items():
            out.append(f"- **{name} failed**: `{error.splitlines()[-1]}`")
        if size["notes"] or size["errors"]:
            out.append("")
    tenfold = report.get("tenfold", [])
    if tenfold:
        out += ["### Point lookups at ten times the corpus", "", markdown_table(tenfold), ""]
    out += [
        "## What is measured",
        "",
        "Each measurement runs in a fresh Python process; times are `time.perf_counter` around",
        "the operation (start-up and imports left out); repeated measurements give the median.",
        "Peak RSS is the highest total resident memory of the measuring process and all its",
        "children (a build's worker processes), sampled every 50 ms.",
        "",
        "- **Profiles**: `dense` is 1,000 generated articles of the real article's size on",
        "  average (7,127 quads), `sparse` 10,000 short ones (100 quads), `sparse-1k` 1,000 short",
        "  ones; `dense-10k` (not run by default: an hour) 10,000 of the real size.",
        "- **full build**: `Project.build(full=True)` of the whole corpus into a fresh store",
        "  (validation, SHACL shapes and the atomic store write included), its time and peak RSS.",
        "  Baseline: `pyoxigraph.Store.bulk_load` of the N-Quads the build produced (every graph,",
        "  the default graph's facts and the ontology's too) into a fresh directory, then",
        "  `flush()`: the raw lower bound of writing the same data.",
        "- **export FORMAT**: `Project.export_to` of the whole store, the ontology included, into",
        "  a file; baseline `Store.dump` of the store to N-Quads (what the build's N-Quads above",
        "  are). Peak RSS must stay under 512 MiB whatever the corpus.",
        "- **query NAME**: median (and p95) of `Project.run_query(NAME)` against the *anchor*:",
        "  the same SPARQL, its `GRAPH ?g` clauses dropped, on a store of one graph holding every",
        "  triple of the store once (dumped graph by graph, bulk-loaded, compacted). Run in turn",
        "  (ours, anchor, ours, ...); every solution is read. Federated queries and queries with a",
        "  required parameter without a default are left out. A query still running after",
        "  `--query-timeout` seconds (one run) is killed and reported as timed out.",
        "- **why / entity query / entity page (ROLE)**: `Project.why(ENTITY)` (its default limit",
        "  of quotes per fact and of facts per property pointing at the entity), the `entity`",
        "  saved query (every row), and `serve`'s page `/entity?id=ENTITY` (through its WSGI app)",
        "  for the entity most articles mention and for a typical shared one (the median of",
        "  those mentioned by two articles or more). Target 0.5 s; shown beside them, the whole",
        "  answer of the same question on the anchor (every fact and every quote).",
        "- **ten times the corpus**: each point lookup at `sparse` against `sparse-1k` (and at",
        "  `dense-10k` against `dense` when both ran): at most 1.5x slower.",
        "- **no-op rebuild**: `build()` again with nothing changed; **one-article rebuild**:",
        "  `build()` after an edit of one fact of one article (its headline's English text).",
        "",
        "## Reproduce",
        "",
        "```sh",
        f"python benchmarks/run.py --profile {profiles} --json benchmarks.json",
        "python benchmarks/run.py --smoke          # the tiny run CI does (no docs written)",
        "```",
        "",
    ]
    return "\n".join(out)


# -- the command -----------------------------------------------------------------------------


def parse_profiles(text: str) -> list[Profile]:
    """``"dense,sparse"`` -> those profiles."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in PROFILES]
    if not names or unknown:
        known = ", ".join(PROFILES)
        raise argparse.ArgumentTypeError(f"unknown profile {', '.join(unknown)}; known: {known}")
    return [PROFILES[name] for name in names]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description=__doc__.split("\n\n")[2] if __doc__ else None,
    )
    p.add_argument(
        "--profile",
        type=parse_profiles,
        default=None,
        metavar="NAME[,NAME...]",
        help=f"corpora to measure: {', '.join(PROFILES)} (default: {','.join(DEFAULT_PROFILES)})",
    )
    p.add_argument(
        "--articles",
        type=int,
        metavar="N",
        help="instead of the profiles, one corpus of N articles (see --mean-triples)",
    )
    p.add_argument(
        "--mean-triples",
        type=float,
        default=100.0,
        metavar="M",
        help=f"with --articles: their mean size in quads (the real article: {REAL_DENSITY})",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny run (20 articles, few repeats) that checks the harness; writes no docs",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="write every number to FILE")
    p.add_argument(
        "--docs",
        type=Path,
        metavar="FILE",
        help="where to write the Markdown report (default: docs/benchmarks.md; none for --smoke)",
    )
    p.add_argument("--no-docs", action="store_true", help="do not write the Markdown report")
    p.add_argument(
        "--repeat", type=int, default=None, help="runs of each cheap measurement (default 5)"
    )
    p.add_argument(
        "--query-repeat",
        type=int,
        default=None,
        help="runs of each saved query and point lookup (default 10)",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="seconds a repeated measurement may take before it stops repeating (default 30)",
    )
    p.add_argument(
        "--query-timeout",
        type=float,
        default=120.0,
        help="seconds after which one run of a saved query is killed as timed out (default 120)",
    )
    p.add_argument("--seed", type=int, default=0, help="the corpus generator's seed")
    p.add_argument("--rdflib", action="store_true", help="also time the rdflib pipeline")
    p.add_argument(
        "--only",
        metavar="NAME[,NAME...]",
        default="",
        help="only these measurements (and what they need), e.g. query_latency or export",
    )
    p.add_argument("--workdir", type=Path, help="where to generate and build (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work directory afterwards")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.smoke:
        profiles = [SMOKE]
    elif args.articles:
        profiles = [Profile("custom", args.articles, args.mean_triples)]
    else:
        profiles = args.profile or [PROFILES[name] for name in DEFAULT_PROFILES]
    settings = Settings(
        repeat=args.repeat or (2 if args.smoke else 5),
        query_repeat=args.query_repeat or (3 if args.smoke else 10),
        budget=args.budget,
        query_timeout=args.query_timeout,
        seed=args.seed,
        rdflib=args.rdflib,
        only=tuple(filter(None, args.only.split(","))),
    )
    docs = None if args.no_docs else args.docs or (None if args.smoke else DOCS)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="annograph-bench-"))
    log = _logger()
    report: Numbers = {"machine": machine(), "settings": asdict(settings), "sizes": []}
    made: list[Path] = []
    try:
        for profile in profiles:
            made.append(work / f"{profile.name}-{time.strftime('%Y%m%dT%H%M%S')}")
            size = run_size(profile, made[-1], settings, log=log)
            report["sizes"].append(size)
            print(f"\n{size_summary(size)}\n{text_table(size['targets'])}\n", flush=True)
            if not args.keep:  # a corpus and its stores are gigabytes: one at a time
                shutil.rmtree(made[-1], ignore_errors=True)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:  # only what this run made: --workdir may hold other things
            for directory in made if args.workdir else [work]:
                shutil.rmtree(directory, ignore_errors=True)
    report["tenfold"] = [asdict(t) for t in tenfold_rows(report["sizes"])]
    if report["tenfold"]:
        print(f"point lookups at ten times the corpus\n{text_table(report['tenfold'])}\n")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if docs is not None:
        docs.parent.mkdir(parents=True, exist_ok=True)
        docs.write_text(markdown(report), encoding="utf-8")
        log(f"wrote {docs}")
    return 1 if any(size["errors"] for size in report["sizes"]) else 0


def _logger() -> Callable[[str], None]:
    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    return log


if __name__ == "__main__":
    sys.exit(main())
