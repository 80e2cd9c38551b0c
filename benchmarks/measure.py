"""One measurement, run in a fresh process so that its peak RSS is its own.

    python -m benchmarks.measure NAME '{"keyword": "arguments"}'

prints one line of JSON: the measurement's numbers, with ``peak_rss`` (bytes, the process's
high-water mark) added. :mod:`benchmarks.run` starts one of these per measurement. Times are
``time.perf_counter`` around the operation only: interpreter start-up and imports are left out.
"""

from __future__ import annotations

import json
import math
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from annograph import ExportFormat, Project
from annograph.queries import SavedQuery, bind
from annograph.store import open_store

Numbers = dict[str, Any]


def peak_rss() -> int:
    """This process's peak resident set size in bytes (VmHWM; ru_maxrss where /proc is absent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def open_project(root: str, data: str) -> Project:
    """The benchmark's project, reading the generated data folder."""
    return Project.discover(Path(root), data_path=Path(data))


def repeat(
    operation: Callable[[], object],
    *,
    times: int,
    budget: float,
    after: Callable[[], None] | None = None,
) -> list[float]:
    """Run ``operation`` up to ``times`` times (at least once) while within ``budget`` seconds.

    :param after: called after each run, outside the timed span.
    """
    return in_turn([operation], times=times, budget=budget, after=after)[0]


def side_by_side(
    ours: Callable[[], object],
    theirs: Callable[[], object],
    *,
    times: int,
    budget: float,
    after: Callable[[], None] | None = None,
) -> tuple[list[float], list[float]]:
    """Run two operations in turn (ours, theirs, ours, ...): whatever else the machine does
    meanwhile weighs on both alike. See :func:`in_turn`."""
    ours_runs, theirs_runs = in_turn([ours, theirs], times=times, budget=budget, after=after)
    return ours_runs, theirs_runs


def in_turn(
    operations: list[Callable[[], object]],
    *,
    times: int,
    budget: float,
    after: Callable[[], None] | None = None,
) -> list[list[float]]:
    """Run the operations one after the other, round after round, up to ``times`` rounds (at
    least one) while within ``budget`` seconds; each operation's run times.

    :param after: called after each run, outside the timed span.
    """
    timings: list[list[float]] = [[] for _ in operations]
    started = time.perf_counter()
    while len(timings[0]) < times:
        for operation, runs in zip(operations, timings, strict=True):
            begin = time.perf_counter()
            operation()
            runs.append(time.perf_counter() - begin)
            if after is not None:
                after()
        if time.perf_counter() - started > budget:
            break
    return timings


def summary(runs: list[float]) -> Numbers:
    """Median and 95th percentile of the runs (p95 by nearest rank: the runs are few)."""
    ordered = sorted(runs)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
    return {"median": statistics.median(ordered), "p95": p95, "runs": runs}


# -- the measurements ------------------------------------------------------------------------


def full_build(root: str, data: str) -> Numbers:
    """A full build of the whole corpus, from nothing."""
    project = open_project(root, data)
    begin = time.perf_counter()
    build = project.build(full=True)
    seconds = time.perf_counter() - begin
    return {
        "seconds": seconds,
        "quads": build.store.quads,
        "graphs": len(build.store.quads_per_graph),
        "articles": build.validation.articles,
        "kind": build.kind,
    }


def noop_rebuild(root: str, data: str, times: int, budget: float) -> Numbers:
    """``build()`` again with nothing changed."""
    project = open_project(root, data)
    kinds: list[str] = []
    runs = repeat(lambda: kinds.append(project.build().kind), times=times, budget=budget)
    return {"seconds": statistics.median(runs), "kinds": kinds, **summary(runs)}


def one_article_rebuild(
    root: str, data: str, annotations: str, times: int, budget: float
) -> Numbers:
    """``build()`` after one article's annotations.yaml changed (a comment appended each time).

    A comment changes the file but not its graph: the build must still notice, re-read and
    re-check that article, which is the work an edit costs before its new triples are written.
    """
    project = open_project(root, data)
    path = Path(annotations)
    kinds: list[str] = []

    def edit_and_build() -> None:
        with path.open("a", encoding="utf-8") as file:
            file.write(f"# benchmark edit {len(kinds) + 1}\n")
        kinds.append(project.build().kind)

    runs = repeat(edit_and_build, times=times, budget=budget)
    return {"seconds": statistics.median(runs), "kinds": kinds, **summary(runs)}


def dump_nquads(store: str, output: str) -> Numbers:
    """Write what the build produced (every graph, the ontology's too) as N-Quads."""
    begin = time.perf_counter()
    ox.Store.read_only(store).dump(output, format=ox.RdfFormat.N_QUADS)
    return {"seconds": time.perf_counter() - begin, "bytes": Path(output).stat().st_size}


def bulk_load(nquads: str, directory: str) -> Numbers:
    """The raw lower bound: pyoxigraph's ``bulk_load`` of those N-Quads into a fresh store."""
    begin = time.perf_counter()
    store = ox.Store(directory)
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - begin
    return {"seconds": seconds, "quads": len(store)}


def rdflib_pipeline(data: str, ontology: str, output: str) -> Numbers:
    """The rdflib script of :mod:`benchmarks.rdflib_pipeline`, start to finish."""
    from benchmarks.rdflib_pipeline import run

    begin = time.perf_counter()
    quads = run(Path(data), Path(ontology), Path(output))
    return {"seconds": time.perf_counter() - begin, "quads": quads}


def turtle_export(root: str, data: str, times: int, budget: float) -> Numbers:
    """``Project.export(TURTLE)`` against pyoxigraph's serializer over the same triples."""
    project = open_project(root, data)
    sizes: dict[str, int] = {}

    def annograph() -> None:
        sizes["annograph"] = len(project.export(ExportFormat.TURTLE).encode())

    def pyoxigraph() -> None:
        store = ox.Store.read_only(str(project.store))
        ontology = "https://w3id.org/annograph/ontology"
        graphs = [g for g in store.named_graphs() if getattr(g, "value", None) != ontology]
        triples = dict.fromkeys(
            q.triple for g in graphs for q in store.quads_for_pattern(None, None, None, g)
        )
        text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=project.prefixes())
        sizes["pyoxigraph"] = len(text or b"")

    ours, theirs = side_by_side(annograph, pyoxigraph, times=times, budget=budget)
    return {
        "seconds": statistics.median(ours),
        "baseline_seconds": statistics.median(theirs),
        "annograph": summary(ours),
        "pyoxigraph": summary(theirs),
        "bytes": sizes,
    }


def _runnable(query: SavedQuery) -> bool:
    """Saved queries the benchmark runs: local ones whose parameters all have defaults."""
    federated = "SERVICE" in query.text.upper()
    return not federated and all(p.default is not None or not p.required for p in query.parameters)


def _consume(result: object) -> int:
    if isinstance(result, ox.QueryBoolean):
        return int(bool(result))
    return sum(1 for _ in cast(Iterable[object], result))


def query_latency(
    root: str, data: str, times: int, budget: float, skip: list[str] | None = None
) -> Numbers:
    """Each saved query through ``Project.run_query`` and as raw ``Store.query`` text.

    The raw side runs the identical bound text and substitutions on one store opened once; the
    annograph side is what a user calls, store opening and binding included. Both read every
    solution. A line of JSON announces each query before it runs and another gives its numbers,
    so that the parent can kill a query that runs too long (pyoxigraph cannot cancel one) and
    know which it was.
    """
    project = open_project(root, data)
    store = ox.Store.read_only(str(project.store))
    for saved in project.saved_queries():
        if _runnable(saved) and saved.name not in (skip or ()):
            _announce({"event": "start", "query": saved.name})
            numbers = _query_numbers(project, store, saved, times=times, budget=budget)
            _announce({"event": "done", "query": saved.name, **numbers})
    # Where annograph's constant overhead per call goes: opening the store, finding and binding.
    opening = repeat(lambda: open_store(project.store), times=times, budget=budget)
    names = [q.name for q in project.saved_queries() if _runnable(q)]

    def find_and_bind() -> None:
        for name in names:
            bind(project.find_query(name), {}, prefixes=project.prefixes())

    binding = repeat(find_and_bind, times=times, budget=budget)
    return {"open_store": summary(opening), "find_and_bind_all": summary(binding)}


def _announce(event: Numbers) -> None:
    print(json.dumps(event), flush=True)


def _query_numbers(
    project: Project, store: ox.Store, saved: SavedQuery, *, times: int, budget: float
) -> Numbers:
    bound = bind(saved, {}, prefixes=project.prefixes())
    substitutions = dict(bound.substitutions)
    rows: dict[str, int] = {}

    def ours() -> None:
        rows["annograph"] = _consume(project.run_query(saved.name))

    def raw() -> None:
        rows["raw"] = _consume(store.query(bound.text, substitutions=substitutions))

    # One untimed run of each first, so that both sides find the caches alike. Each run is
    # announced, so that the parent's timeout applies to one run, not to all of them.
    tick = partial(_announce, {"event": "run"})
    for warm_up in (ours, raw):
        warm_up()
        tick()
    annograph_runs, raw_runs = side_by_side(ours, raw, times=times, budget=budget, after=tick)
    return {
        "annograph": summary(annograph_runs),
        "raw": summary(raw_runs),
        "rows": rows["annograph"],
        "rows_raw": rows["raw"],
    }


MEASUREMENTS: dict[str, Callable[..., Numbers]] = {
    "full_build": full_build,
    "noop_rebuild": noop_rebuild,
    "one_article_rebuild": one_article_rebuild,
    "dump_nquads": dump_nquads,
    "bulk_load": bulk_load,
    "rdflib_pipeline": rdflib_pipeline,
    "turtle_export": turtle_export,
    "query_latency": query_latency,
}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in MEASUREMENTS:
        sys.exit(f"usage: python -m benchmarks.measure {{{','.join(MEASUREMENTS)}}} JSON")
    numbers = MEASUREMENTS[args[0]](**json.loads(args[1]))
    numbers["peak_rss"] = peak_rss()
    print(json.dumps(numbers))


if __name__ == "__main__":
    main()
