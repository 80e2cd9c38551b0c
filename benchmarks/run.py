"""Benchmarks of annograph against its baselines, side by side, in one run.

    python benchmarks/run.py [--articles 1000,10000] [--json FILE] [--smoke]

For each corpus size it generates a corpus, starts a project on it, and measures, each in a
fresh process (so that each peak RSS is its own): the full build; the raw lower bound
(pyoxigraph's ``bulk_load`` of the N-Quads the build produced); a plain rdflib pipeline over the
same annotations; a no-op rebuild; a one-article rebuild; the Turtle export against pyoxigraph's
serializer; every saved query through annograph against the same SPARQL through
``Store.query``; and peak RSS. It prints a table of measurement, baseline, ratio, target and
met/missed, and (except for ``--smoke``) rewrites ``docs/benchmarks.md``.

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
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make 'benchmarks' importable
    sys.path.insert(0, str(REPO))

from benchmarks.corpus import corpus  # noqa: E402

DOCS = REPO / "docs" / "benchmarks.md"
DEFAULT_SIZES = (1000, 10_000)
SMOKE_SIZES = (20,)
GIB = 1024**3

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
    rdflib: bool = True
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


def run_size(
    n: int, work: Path, settings: Settings, *, log: Callable[[str], None] = print
) -> Numbers:
    """Every measurement for a corpus of ``n`` articles, in ``work``; the numbers and targets."""
    from annograph import Project

    work.mkdir(parents=True)
    log(f"[{n} articles] generating the corpus ...")
    begin = time.perf_counter()
    data, generator = corpus(n, work / "data", seed=settings.seed)
    generated = time.perf_counter() - begin
    root = work / "project"
    Project.init(root)
    notes: list[str] = []
    slugs = sorted(p.name for p in (data / "articles").iterdir() if p.is_dir())
    edited = data / "articles" / slugs[len(slugs) // 2] / "annotations.yaml"
    common: dict[str, Any] = {"root": str(root), "data": str(data)}
    repeats = {"times": settings.repeat, "budget": settings.budget}
    store = Project.discover(root, data_path=data).store
    nquads, raw_store = work / "build.nq", work / "raw-store"
    steps: dict[str, Callable[[], Numbers]] = {
        "full_build": lambda: measure("full_build", **common),
        "noop_rebuild": lambda: measure("noop_rebuild", **common, **repeats),
        "one_article_rebuild": lambda: measure(
            "one_article_rebuild", **common, annotations=str(edited), **repeats
        ),
        "dump_nquads": lambda: measure("dump_nquads", store=str(store), output=str(nquads)),
        "bulk_load": lambda: measure("bulk_load", nquads=str(nquads), directory=str(raw_store)),
        "turtle_export": lambda: measure("turtle_export", **common, **repeats),
        "query_latency": lambda: measure_queries(
            settings, **common, times=settings.query_repeat, budget=settings.budget
        ),
    }
    if settings.rdflib:
        ontology = root / "ontology" / "annograph.ttl"
        steps["rdflib_pipeline"] = lambda: measure(
            "rdflib_pipeline", data=str(data), ontology=str(ontology), output=str(work / "rdf.nq")
        )
    if settings.only:  # the build is always needed; the raw load needs the dump
        wanted = {"full_build", *settings.only, *(["dump_nquads"] * ("bulk_load" in settings.only))}
        steps = {name: step for name, step in steps.items() if name in wanted}
    results: Numbers = {"corpus_seconds": generated}
    errors: dict[str, str] = {}
    for name, step in steps.items():
        log(f"[{n} articles] {name.replace('_', ' ')} ...")
        try:
            results[name] = step()
        except BenchmarkError as error:
            errors[name] = str(error)
            log(str(error))
    for name, expected in EXPECTED_KINDS.items():
        kinds = set(results.get(name, {}).get("kinds", [expected]))
        if kinds != {expected}:
            notes.append(f"{name}: builds of kind {', '.join(sorted(kinds))}, not {expected}")
    return {
        "articles": n,
        "generator": generator,
        "measurements": results,
        "errors": errors,
        "notes": notes,
        "targets": [asdict(t) for t in targets(results)],
    }


# -- the targets -----------------------------------------------------------------------------


def _at_most(
    name: str, value: float, baseline: float | None, baseline_name: str, *, limit: float
) -> Target:
    """A target on the ratio value / baseline."""
    ratio = value / baseline if baseline else None
    met = ratio is not None and ratio <= limit
    return Target(name, value, "s", baseline, baseline_name, ratio, "x", f"<= {limit:g}x", met)


def targets(results: Numbers) -> list[Target]:
    """The table's rows from the measurements (rows whose measurements failed are left out)."""
    rows: list[Target] = []
    build = results.get("full_build", {}).get("seconds")
    bulk = results.get("bulk_load", {}).get("seconds")
    rdflib = results.get("rdflib_pipeline", {}).get("seconds")
    if build:
        rows.append(_at_most("full build", build, bulk, "raw bulk_load", limit=2))
    if build and rdflib:
        speedup = rdflib / build
        rows.append(
            Target(
                "full build vs rdflib",
                build,
                "s",
                rdflib,
                "rdflib pipeline",
                speedup,
                "faster",
                ">= 3x faster",
                speedup >= 3,
            )
        )
    for name, label, limit in (
        ("noop_rebuild", "no-op rebuild", 0.5),
        ("one_article_rebuild", "one-article rebuild", 1.0),
    ):
        seconds = results.get(name, {}).get("seconds")
        if seconds is not None:
            ratio = seconds / build if build else None
            rows.append(
                Target(
                    label,
                    seconds,
                    "s",
                    build,
                    "full build",
                    ratio,
                    "x",
                    f"<= {limit:g} s",
                    seconds <= limit,
                )
            )
    export = results.get("turtle_export")
    if export:
        rows.append(
            _at_most(
                "Turtle export",
                export["seconds"],
                export["baseline_seconds"],
                "pyoxigraph serialize",
                limit=1.5,
            )
        )
    rows += _query_rows(results.get("query_latency", {}))
    rss = [results[name]["peak_rss"] for name in ANNOGRAPH_STEPS if name in results]
    if rss:
        raw = results.get("bulk_load", {}).get("peak_rss")
        ratio = max(rss) / raw if raw else None
        rows.append(
            Target(
                "peak RSS",
                max(rss),
                "bytes",
                raw,
                "raw bulk_load",
                ratio,
                "x",
                "<= 1 GiB",
                max(rss) <= GIB,
            )
        )
    return rows


#: The measurements of annograph alone, whose peak RSS the target is about (the queries'
#: process runs the raw queries too: its RSS is in the numbers, not in the target).
ANNOGRAPH_STEPS = ("full_build", "noop_rebuild", "one_article_rebuild", "turtle_export")


def _query_rows(latency: Numbers) -> list[Target]:
    rows = []
    queries: dict[str, Numbers] = latency.get("queries", {})
    for name, q in sorted(queries.items()):
        ours, raw = q["annograph"]["median"], q["raw"]["median"]
        detail = f"p95 {_seconds(q['annograph']['p95'])} vs {_seconds(q['raw']['p95'])}"
        rows.append(_overhead(f"query {name}", ours, raw, detail))
    timeout = latency.get("timeout", 0.0)
    for name in latency.get("timed_out", ()):
        detail = "timed out, killed"
        rows.append(
            Target(
                f"query {name}",
                timeout,
                "s",
                None,
                "Store.query",
                None,
                "%",
                "<= 5%",
                False,
                detail,
            )
        )
    if queries:
        ours = sum(q["annograph"]["median"] for q in queries.values())
        raw = sum(q["raw"]["median"] for q in queries.values())
        rows.append(_overhead("saved queries, all (sum of medians)", ours, raw, ""))
    return rows


def _overhead(name: str, ours: float, raw: float, detail: str) -> Target:
    overhead = (ours / raw - 1) * 100
    return Target(
        name, ours, "s", raw, "Store.query", overhead, "%", "<= 5%", overhead <= 5, detail
    )


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


def table_rows(size: Numbers) -> list[tuple[str, ...]]:
    """One size's targets as rows of text cells (see :data:`HEADER`)."""
    rows: list[tuple[str, ...]] = []
    for t in (Target(**fields) for fields in size["targets"]):
        value = _amount(t.value, t.unit) + (f" ({t.detail})" if t.detail else "")
        baseline = _amount(t.baseline, t.unit)
        met = "met" if t.met else "MISSED"
        rows.append((t.name, value, baseline, t.baseline_name, _ratio(t), t.target, met))
    return rows


def text_table(size: Numbers) -> str:
    """An aligned plain-text table for the terminal."""
    rows = [HEADER, *table_rows(size)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(size: Numbers) -> str:
    header = ("measurement", "value", "baseline", "baseline is", "ratio", "target", "")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(size)]
    return "\n".join(lines)


def size_summary(size: Numbers) -> str:
    """A line on what was measured: corpus, quads of annograph and of the rdflib pipeline."""
    m = size["measurements"]
    parts = [f"{size['articles']:,} articles ({size['generator']} corpus)"]
    if "full_build" in m:
        parts.append(f"annograph {m['full_build']['quads']:,} quads")
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
    sizes = ",".join(str(s["articles"]) for s in report["sizes"])
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
        out += [f"### {size['articles']:,} articles", "", size_summary(size) + ".", ""]
        out += [markdown_table(size), ""]
        for note in size["notes"]:
            out.append(f"- Note: {note}")
        for name, error in size["errors"].items():
            out.append(f"- **{name} failed**: `{error.splitlines()[-1]}`")
        if size["notes"] or size["errors"]:
            out.append("")
    out += [
        "## What is measured",
        "",
        "Each measurement runs in a fresh Python process; times are `time.perf_counter` around",
        "the operation (start-up and imports left out); repeated measurements give the median.",
        "",
        "- **full build**: `Project.build(full=True)` of the whole corpus into a fresh store",
        "  (validation, SHACL shapes and the atomic store write included). Baseline:",
        "  `pyoxigraph.Store.bulk_load` of the N-Quads the build produced (every graph, the",
        "  ontology's too) into a fresh directory, then `flush()`: the raw lower bound of writing",
        "  the same data.",
        "- **full build vs rdflib**: `benchmarks/rdflib_pipeline.py`, what a user would write",
        "  without annograph: PyYAML (its C loader) and rdflib, one `Dataset` graph per article,",
        "  the same kinds of triples (types, names, references, values, a reified statement and a",
        "  Web Annotation with quote and position selectors per fact), serialized as N-Quads. It",
        "  checks nothing; the quad counts of both are given above.",
        "- **no-op rebuild**: `build()` again with nothing changed; **one-article rebuild**:",
        "  `build()` after one article's `annotations.yaml` changed (a comment appended).",
        "- **Turtle export**: `Project.export(ExportFormat.TURTLE)` (deterministic: sorted,",
        "  canonical) against `pyoxigraph.serialize` of the same triples to Turtle, both from",
        "  opening the store to the finished text, run in turn (ours, theirs, ours, ...).",
        "- **query NAME**: median (and p95) of `Project.run_query(NAME)` against the same bound",
        "  SPARQL through `Store.query(..., use_default_graph_as_union=True)` on a store opened",
        "  once, run in turn; every solution is read. Federated queries and queries with a",
        "  required parameter without a default are left out. The ratio is annograph's overhead.",
        "- **peak RSS**: the highest resident-set high-water mark (`VmHWM`) of the processes",
        "  measuring annograph alone (builds and export); the baseline is that of the raw",
        "  `bulk_load`. A saved query still running after `--query-timeout` seconds (one run) is",
        "  killed (pyoxigraph cannot cancel a query) and reported as timed out.",
        "",
        "## Reproduce",
        "",
        "```sh",
        f"python benchmarks/run.py --articles {sizes} --json benchmarks.json",
        "python benchmarks/run.py --smoke          # the tiny run CI does (no docs written)",
        "```",
        "",
    ]
    return "\n".join(out)


# -- the command -----------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    """``"1000,10000"`` -> ``[1000, 10000]``."""
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        message = f"not a comma-separated list of numbers: {text}"
        raise argparse.ArgumentTypeError(message) from error
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"need one or more positive numbers: {text}")
    return sizes


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description=__doc__.split("\n\n")[2] if __doc__ else None,
    )
    p.add_argument(
        "--articles",
        type=parse_sizes,
        default=None,
        metavar="N[,N...]",
        help="corpus sizes, comma-separated (default: 1000,10000)",
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
        "--query-repeat", type=int, default=None, help="runs of each saved query (default 20)"
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
    p.add_argument("--no-rdflib", action="store_true", help="skip the rdflib pipeline")
    p.add_argument(
        "--only",
        metavar="NAME[,NAME...]",
        default="",
        help="only these measurements (and the full build they need), e.g. query_latency",
    )
    p.add_argument("--workdir", type=Path, help="where to generate and build (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work directory afterwards")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    sizes = args.articles or (list(SMOKE_SIZES) if args.smoke else list(DEFAULT_SIZES))
    settings = Settings(
        repeat=args.repeat or (2 if args.smoke else 5),
        query_repeat=args.query_repeat or (3 if args.smoke else 20),
        budget=args.budget,
        query_timeout=args.query_timeout,
        seed=args.seed,
        rdflib=not args.no_rdflib,
        only=tuple(filter(None, args.only.split(","))),
    )
    docs = None if args.no_docs else args.docs or (None if args.smoke else DOCS)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="annograph-bench-"))
    log = _logger()
    report: Numbers = {"machine": machine(), "settings": asdict(settings), "sizes": []}
    made: list[Path] = []
    try:
        for n in sizes:
            made.append(work / f"n{n}-{time.strftime('%Y%m%dT%H%M%S')}")
            size = run_size(n, made[-1], settings, log=log)
            report["sizes"].append(size)
            print(f"\n{size_summary(size)}\n{text_table(size)}\n", flush=True)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:  # only what this run made: --workdir may hold other things
            for directory in made if args.workdir else [work]:
                shutil.rmtree(directory, ignore_errors=True)
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
