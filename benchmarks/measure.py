"""One measurement, run in a fresh process so that its peak RSS is its own.

    python -m benchmarks.measure NAME '{"keyword": "arguments"}'

prints one line of JSON: the measurement's numbers, with ``peak_rss`` (bytes, the process's
high-water mark) added. :mod:`benchmarks.run` starts one of these per measurement. Times are
``time.perf_counter`` around the operation only: interpreter start-up and imports are left out.
"""

from __future__ import annotations

import inspect
import json
import math
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from annograph import ExportFormat, Project
from annograph.queries import SavedQuery, bind

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


def supports_data_path() -> bool:
    """Whether ``Project`` takes a data folder outside the project (``data_path=``)."""
    return "data_path" in inspect.signature(Project).parameters


def open_project(root: str, data: str | None) -> Project:
    """The benchmark's project, pointed at the generated data when the API allows it."""
    if data is not None and supports_data_path():
        return Project(Path(root), data_path=Path(data))  # type: ignore[call-arg]
    # TODO(issue 8): without data_path the corpus was copied over the project's data/.
    return Project.discover(Path(root))


def repeat(operation: Callable[[], object], *, times: int, budget: float) -> list[float]:
    """Run ``operation`` up to ``times`` times (at least once) while within ``budget`` seconds."""
    runs: list[float] = []
    started = time.perf_counter()
    while len(runs) < times:
        begin = time.perf_counter()
        operation()
        runs.append(time.perf_counter() - begin)
        if time.perf_counter() - started > budget:
            break
    return runs


def summary(runs: list[float]) -> Numbers:
    """Median and 95th percentile of the runs (p95 by nearest rank: the runs are few)."""
    ordered = sorted(runs)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
    return {"median": statistics.median(ordered), "p95": p95, "runs": runs}


def _build(project: Project, *, full: bool) -> tuple[Any, str | None]:
    """``project.build(full=...)``; the note says when the API does not take ``full`` yet."""
    try:
        return project.build(full=full), None  # type: ignore[call-arg]
    except TypeError as error:
        if "full" not in str(error):
            raise
        return project.build(), "build() takes no full= yet: every build is a full build"


# -- the measurements ------------------------------------------------------------------------


def full_build(root: str, data: str | None) -> Numbers:
    """A full build of the whole corpus, from nothing."""
    project = open_project(root, data)
    begin = time.perf_counter()
    build, note = _build(project, full=True)
    seconds = time.perf_counter() - begin
    return {
        "seconds": seconds,
        "quads": build.store.quads,
        "graphs": len(build.store.quads_per_graph),
        "articles": build.validation.articles,
        "note": note,
    }


def noop_rebuild(root: str, data: str | None, times: int, budget: float) -> Numbers:
    """``build()`` again with nothing changed."""
    project = open_project(root, data)
    runs = repeat(lambda: _build(project, full=False), times=times, budget=budget)
    return {"seconds": statistics.median(runs), **summary(runs)}


def one_article_rebuild(
    root: str, data: str | None, annotations: str, times: int, budget: float
) -> Numbers:
    """``build()`` after one article's annotations.yaml changed (a comment appended each time).

    A comment changes the file but not its graph: the build must still notice, re-read and
    re-check that article, which is the work an edit costs before its new triples are written.
    """
    project = open_project(root, data)
    path = Path(annotations)
    edits = iter(range(1, 1_000_000))

    def edit_and_build() -> None:
        with path.open("a", encoding="utf-8") as file:
            file.write(f"# benchmark edit {next(edits)}\n")
        _build(project, full=False)

    runs = repeat(edit_and_build, times=times, budget=budget)
    return {"seconds": statistics.median(runs), **summary(runs)}


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


def turtle_export(root: str, data: str | None, times: int, budget: float) -> Numbers:
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

    ours = repeat(annograph, times=times, budget=budget)
    theirs = repeat(pyoxigraph, times=times, budget=budget)
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
    return sum(1 for _ in result)  # type: ignore[attr-defined]


def query_latency(root: str, data: str | None, times: int, budget: float) -> Numbers:
    """Each saved query through ``Project.run_query`` and as raw ``Store.query`` text.

    The raw side runs the identical bound text and substitutions on one store opened once; the
    annograph side is what a user calls, store opening and binding included. Both read every
    solution.
    """
    project = open_project(root, data)
    store = ox.Store.read_only(str(project.store))
    queries: dict[str, Numbers] = {}
    for saved in project.saved_queries():
        if not _runnable(saved):
            continue
        bound = bind(saved, {}, prefixes=project.prefixes())
        substitutions = dict(bound.substitutions)
        rows: dict[str, int] = {}

        def ours(name: str = saved.name) -> None:
            rows["annograph"] = _consume(project.run_query(name))

        def raw(text: str = bound.text, subs: dict[Any, Any] = substitutions) -> None:
            result = store.query(text, use_default_graph_as_union=True, substitutions=subs)
            rows["raw"] = _consume(result)

        # Interleave the two so that caches warm alike: one untimed run of each first.
        ours()
        raw()
        annograph_runs = repeat(ours, times=times, budget=budget)
        raw_runs = repeat(raw, times=times, budget=budget)
        queries[saved.name] = {
            "annograph": summary(annograph_runs),
            "raw": summary(raw_runs),
            "rows": rows["annograph"],
            "rows_raw": rows["raw"],
        }
    return {"queries": queries}


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
