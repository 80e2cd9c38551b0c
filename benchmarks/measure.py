"""One measurement, run in a fresh process so that its peak RSS is its own.

    python -m benchmarks.measure NAME '{"keyword": "arguments"}'

prints one line of JSON: the measurement's numbers, with ``peak_rss`` added: the highest total
resident set of the process *and its children* (a build's worker processes count), sampled
every 50 ms. :mod:`benchmarks.run` starts one of these per measurement. Times are
``time.perf_counter`` around the operation only: interpreter start-up and imports are left out.
"""

from __future__ import annotations

import json
import math
import os
import re
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from annograph import ExportFormat, Project
from annograph.build._store import open_store
from annograph.query._saved import SavedQuery, bind

Numbers = dict[str, Any]
DEFAULT_GRAPH = ox.DefaultGraph()
MENTIONS = ox.NamedNode("https://w3id.org/annograph/ontology#mentions")


# -- memory -----------------------------------------------------------------------------------


class TreePeak:
    """The peak, over time, of the resident memory of this process and all its descendants."""

    def __init__(self, interval: float = 0.05) -> None:
        self.peak = 0
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss(os.getpid()), peak_rss())

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, _tree_rss(os.getpid()))


def _tree_rss(root: int) -> int:
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _status(pid, "VmRSS:")
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except OSError:
            pass
    return total


def _status(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def peak_rss() -> int:
    """This process's own peak resident set size in bytes (VmHWM; ru_maxrss without /proc)."""
    found = _status("self", "VmHWM:")
    return found or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# -- timing -----------------------------------------------------------------------------------


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


def in_turn(
    operations: list[Callable[[], object]],
    *,
    times: int,
    budget: float,
    after: Callable[[], None] | None = None,
) -> list[list[float]]:
    """Run the operations one after the other, round after round, up to ``times`` rounds (at
    least one) while within ``budget`` seconds; each operation's run times. In turn (ours,
    theirs, ours, ...): whatever else the machine does meanwhile weighs on both alike.

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


# -- builds -----------------------------------------------------------------------------------


def full_build(root: str, data: str) -> Numbers:
    """A full build of the whole corpus, from nothing."""
    project = open_project(root, data)
    begin = time.perf_counter()
    build = project.build(full=True)
    seconds = time.perf_counter() - begin
    return {
        "seconds": seconds,
        "quads": build.store.quads,
        "facts": build.store.quads_per_graph.get("", 0),
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


_HEADLINE_EN = re.compile(r'(headline: \{[^\n]*?en: ")')


def one_article_rebuild(
    root: str, data: str, annotations: str, times: int, budget: float
) -> Numbers:
    """``build()`` after an edit of one fact of one article: its headline's English text.

    The fact, its statement and its annotation change, so the build reads and checks that
    article (the shapes near the change included) and writes the triples that changed.
    """
    project = open_project(root, data)
    path = Path(annotations)
    kinds: list[str] = []
    changed: list[int] = []

    def edit_and_build() -> None:
        text = path.read_text(encoding="utf-8")
        edited, count = _HEADLINE_EN.subn(rf"\1edit {len(kinds) + 1}: ", text, count=1)
        assert count == 1, f"no headline in English to edit in {path}"
        path.write_text(edited, encoding="utf-8")
        build = project.build()
        kinds.append(build.kind)
        changed.append(build.facts_added + build.facts_removed)

    runs = repeat(edit_and_build, times=times, budget=budget)
    numbers = {"seconds": statistics.median(runs), "kinds": kinds, "facts_changed": changed}
    return {**numbers, **summary(runs)}


def dump_nquads(store: str, output: str) -> Numbers:
    """``Store.dump`` of the whole store as N-Quads: the baseline of every export."""
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


def anchor_store(store: str, directory: str, scratch: str) -> Numbers:
    """The anchor of the queries: one graph holding every triple of the store once.

    Every graph is dumped as N-Triples into one file, which is bulk-loaded into the default
    graph of a fresh store (a triple that several graphs hold is stored once), then flushed
    and compacted as a build does.
    """
    source = ox.Store.read_only(store)
    begin = time.perf_counter()
    with open(scratch, "wb") as lines:
        for graph in [DEFAULT_GRAPH, *source.named_graphs()]:
            lines.write(source.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"")
    anchor = ox.Store(directory)
    anchor.bulk_load(path=scratch, format=ox.RdfFormat.N_TRIPLES)
    anchor.flush()
    anchor.optimize()
    return {"seconds": time.perf_counter() - begin, "triples": len(anchor)}


def rdflib_pipeline(data: str, ontology: str, output: str) -> Numbers:
    """The rdflib script of :mod:`benchmarks.rdflib_pipeline`, start to finish."""
    from benchmarks.rdflib_pipeline import run

    begin = time.perf_counter()
    quads = run(Path(data), Path(ontology), Path(output))
    return {"seconds": time.perf_counter() - begin, "quads": quads}


def export(root: str, data: str, format: str, output: str) -> Numbers:
    """``Project.export_to`` of the whole store (the ontology included) into a file."""
    project = open_project(root, data)
    begin = time.perf_counter()
    with open(output, "wb") as stream:
        project.export_to(stream, ExportFormat(format), with_ontology=True)
    seconds = time.perf_counter() - begin
    return {"seconds": seconds, "bytes": Path(output).stat().st_size}


# -- queries ----------------------------------------------------------------------------------


def _runnable(query: SavedQuery) -> bool:
    """Saved queries the benchmark runs: local ones whose parameters all have defaults."""
    federated = "SERVICE" in query.text.upper()
    return not federated and all(p.default is not None or not p.required for p in query.parameters)


def _consume(result: object) -> int:
    if isinstance(result, ox.QueryBoolean):
        return int(bool(result))
    return sum(1 for _ in cast(Iterable[object], result))


_GRAPH = re.compile(r"\bGRAPH\s+\?\w+\s*(?=\{)", re.IGNORECASE)


def without_graphs(text: str) -> str:
    """The same question for a store of one graph: ``GRAPH ?g { P }`` becomes ``{ P }``.

    >>> without_graphs("SELECT * { GRAPH ?g { ?s ?p ?o } }")
    'SELECT * { { ?s ?p ?o } }'
    """
    return _GRAPH.sub("", text)


def query_latency(
    root: str, data: str, anchor: str, times: int, budget: float, skip: list[str] | None = None
) -> Numbers:
    """Each saved query through ``Project.run_query``, against the same question on the anchor
    (:func:`anchor_store`, with ``GRAPH`` clauses dropped).

    The anchor side runs the bound text and substitutions on a store opened once; the
    annograph side is what a user calls, binding included. Both read every solution. A line of
    JSON announces each query before it runs and another gives its numbers, so that the parent
    can kill a query that runs too long (pyoxigraph cannot cancel one) and know which it was.
    """
    project = open_project(root, data)
    single = ox.Store.read_only(anchor)
    for saved in project.saved_queries():
        if _runnable(saved) and saved.name not in (skip or ()):
            _announce({"event": "start", "query": saved.name})
            numbers = _query_numbers(project, single, saved, times=times, budget=budget)
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
    project: Project, anchor: ox.Store, saved: SavedQuery, *, times: int, budget: float
) -> Numbers:
    bound = project.bind(saved, {})
    text, substitutions = without_graphs(bound.text), dict(bound.substitutions)
    rows: dict[str, int] = {}

    def ours() -> None:
        rows["annograph"] = _consume(project.run_query(saved.name))

    def theirs() -> None:
        rows["anchor"] = _consume(anchor.query(text, substitutions=substitutions))

    # One untimed run of each first, so that both sides find the caches alike. Each run is
    # announced, so that the parent's timeout applies to one run, not to all of them.
    tick = partial(_announce, {"event": "run"})
    for warm_up in (ours, theirs):
        warm_up()
        tick()
    ours_runs, theirs_runs = in_turn([ours, theirs], times=times, budget=budget, after=tick)
    return {
        "annograph": summary(ours_runs),
        "anchor": summary(theirs_runs),
        "rows": rows["annograph"],
        "rows_anchor": rows["anchor"],
    }


# -- point lookups ----------------------------------------------------------------------------

# What ``why`` answers, as one SPARQL query on the anchor: every fact about the entity and
# pointing at it, each with every quote (the old ``why``, before it was bounded).
_WHY_ANCHOR = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?entity ?subject ?predicate ?object ?exact ?start ?end ?source WHERE {
  { ?entity ?predicate ?object BIND(?entity AS ?subject) }
  UNION
  { ?subject ?predicate ?entity BIND(?entity AS ?object)
    FILTER NOT EXISTS { ?subject a rdf:Statement } }
  OPTIONAL {
    ?statement rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object .
    ?annotation oa:hasBody ?statement ; oa:hasTarget ?target .
    ?target oa:hasSource ?source ; oa:hasSelector ?by_quote, ?by_position .
    ?by_quote oa:exact ?exact .
    ?by_position oa:start ?start ; oa:end ?end .
  }
}"""


def entities(store: ox.Store, id_namespace: str) -> dict[str, str]:
    """The entities the point lookups ask about: the one most articles mention, and a typical
    shared one (the median of those mentioned by two articles or more)."""
    counts = store.query(f"SELECT ?e (COUNT(*) AS ?n) WHERE {{ ?a {MENTIONS} ?e }} GROUP BY ?e")
    assert isinstance(counts, ox.QuerySolutions)
    found = sorted(
        (int(row["n"].value), row["e"].value)
        for row in counts
        if row["e"].value.startswith(id_namespace) and int(row["n"].value) > 1
    )
    if not found:
        return {}
    top, typical = found[-1], found[len(found) // 2]
    return {
        "most mentioned": top[1].removeprefix(id_namespace),
        "typical": typical[1].removeprefix(id_namespace),
    }


def point_lookups(root: str, data: str, anchor: str, times: int, budget: float) -> Numbers:
    """``why``, the ``entity`` query and ``serve``'s entity page for a popular and a typical
    entity, against the whole answer of the same question on the anchor."""
    from werkzeug.test import Client

    from annograph.annotations._layout import ANNOTATIONS_FILE, ARTICLES
    from annograph.annotations._summaries import read_only_index
    from annograph.build._store import current_release, index_path
    from annograph.serve._app import Site

    project = open_project(root, data)
    store = project.open_store()
    single = ox.Store.read_only(anchor)
    namespace = project.prefixes()["id"]
    release = current_release(project.store)
    assert release is not None
    names = read_only_index(index_path(release), project.data / ARTICLES, ANNOTATIONS_FILE)
    # The web front's entity page, without HTTP around it (its backend is not asked).
    site = Client(Site(project, store, "http://127.0.0.1:9", 30, names))
    results = {
        role: _lookups(project, single, site, entity, times=times, budget=budget)
        for role, entity in entities(store, namespace).items()
    }
    return {"lookups": results}


def _lookups(
    project: Project, single: ox.Store, site: Any, entity: str, *, times: int, budget: float
) -> Numbers:
    """The point lookups of one entity, each against the whole answer on the anchor."""
    iri = ox.NamedNode(project.prefixes()["id"] + entity)
    card_text = without_graphs(
        project.bind(project.find_query("entity"), {"entity": [entity]}).text
    )

    def why() -> None:
        project.why(entity)

    def why_anchor() -> None:
        _consume(single.query(_WHY_ANCHOR, substitutions={ox.Variable("entity"): iri}))

    def card() -> None:
        _consume(project.run_query("entity", {"entity": [entity]}))

    def card_anchor() -> None:
        _consume(single.query(card_text, substitutions={ox.Variable("_entity_iri"): iri}))

    def page() -> None:
        assert site.get("/entity", query_string={"id": entity}).status_code == 200

    runs = in_turn([why, why_anchor, card, card_anchor, page], times=times, budget=budget)
    return {
        "entity": entity,
        "rows": _consume(project.run_query("entity", {"entity": [entity]})),
        "why": summary(runs[0]),
        "why_anchor": summary(runs[1]),
        "entity_query": summary(runs[2]),
        "entity_query_anchor": summary(runs[3]),
        "entity_page": summary(runs[4]),
    }


MEASUREMENTS: dict[str, Callable[..., Numbers]] = {
    "full_build": full_build,
    "noop_rebuild": noop_rebuild,
    "one_article_rebuild": one_article_rebuild,
    "dump_nquads": dump_nquads,
    "bulk_load": bulk_load,
    "anchor_store": anchor_store,
    "rdflib_pipeline": rdflib_pipeline,
    "export": export,
    "query_latency": query_latency,
    "point_lookups": point_lookups,
}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in MEASUREMENTS:
        sys.exit(f"usage: python -m benchmarks.measure {{{','.join(MEASUREMENTS)}}} JSON")
    with TreePeak() as memory:
        numbers = MEASUREMENTS[args[0]](**json.loads(args[1]))
    numbers["peak_rss"] = memory.peak
    numbers["peak_rss_self"] = peak_rss()
    print(json.dumps(numbers))


if __name__ == "__main__":
    main()
