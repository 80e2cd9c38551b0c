"""Builds: a full build streamed into a new release, an update of the articles that changed, and
validation (a full build's checks, into a store that is thrown away).

A full build (:func:`build_release`) checks and loads the articles as a stream
(:mod:`annograph.build._stream`), then runs the checks across articles and the shared entities'
shapes, and publishes the release only if all pass. An incremental build
(:func:`update_release`) reads only the articles whose folders changed, checks them with the
index of the others and the shapes near the change, and replaces their graphs in place, in one
transaction; whatever it cannot settle that way falls back to a full build. Both report the
same problems and counts for the same annotations (``tests/build/test_incremental.py``).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import partial
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from annograph._progress import Progress, Steps
from annograph._version import __version__
from annograph.annotations._corpus import load_corpus
from annograph.annotations._layout import ANNOTATIONS_FILE, ARTICLES, ENTITIES, article_directories
from annograph.annotations._model import Article, Entity, Link
from annograph.annotations._ontology import ONTOLOGY_IRI, Ontology, load_ontology
from annograph.annotations._reader import load_article, shared_entities
from annograph.annotations._summaries import (
    Counts,
    Index,
    create_index,
    finish_index,
    open_index,
    summarize,
)
from annograph.build._graph import Minter, origins, shared_origins
from annograph.build._manifest import (
    Inputs,
    Manifest,
    fingerprint,
    read_manifest,
    write_manifest,
)
from annograph.build._reasoning import find_conflict, inconsistency
from annograph.build._shapes import Term, load_shapes, ontology_data, shapes_hold_near, union_of
from annograph.build._store import (
    StoreInfo,
    current_release,
    disk_error,
    finish_store,
    graph_triples,
    index_path,
    is_out_of_space,
    manifest_path,
    new_release,
    replace_graphs,
    store_lock,
    stored_form,
)
from annograph.build._stream import (
    Outcome,
    Setting,
    check_shared_shapes,
    origins_around,
    stream_articles,
)
from annograph.errors import AnnographError, AnnotationErrors, SourceLocation
from annograph.linking._accepted import (
    accepted_links,
    check_link_kinds,
    linked,
    mapped_ids,
    with_links,
)
from annograph.linking._sssom import LINKS, MappingSet

BuildKind = Literal["full", "incremental", "unchanged"]
#: The stages of a build, in order, as its progress callback names them. Articles are read,
#: checked and loaded in one pass; the checks across articles follow; then the store is
#: compacted and published.
BUILD_STEPS = ("ontology", "articles", "across", "store")


@dataclass(frozen=True, slots=True)
class Validation:
    """What a successful validation checked, and the warnings it found on the way."""

    articles: int
    entities: int
    facts: int
    quotes: int
    links: int
    warnings: tuple[AnnographError, ...]

    def summary(self) -> str:
        """One line for the terminal: 'valid: 1 article, 77 entities, ...'."""
        counts = (
            f"{self.articles} article(s), {self.entities} entities, {self.facts} facts, "
            f"{self.quotes} quotes, {self.links} identity links"
        )
        return f"valid: {counts}, {len(self.warnings)} warning(s)"

    def counts(self) -> dict[str, int]:
        """The numbers, as a manifest keeps them (the fields of :class:`Counts`)."""
        return {field.name: getattr(self, field.name) for field in fields(Counts)}


@dataclass(frozen=True, slots=True)
class Build:
    """A finished build: the store written and the validation it passed.

    ``kind`` says what was done: ``full`` (a new store), ``incremental`` (only the graphs of
    the articles that changed were replaced) or ``unchanged`` (nothing changed: no work).
    """

    store: StoreInfo
    validation: Validation
    kind: BuildKind = "full"
    #: For an incremental build: the named graphs replaced and the ones removed.
    replaced: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    #: Seconds the build took.
    seconds: float = 0.0
    #: For an incremental build: the facts the default graph gained and lost.
    facts_added: int = 0
    facts_removed: int = 0


@dataclass(frozen=True, slots=True)
class Sources:
    """Where a build reads from, and how it names what it makes."""

    data: Path
    ontology: Path
    shapes: Path
    mapping_sets: Sequence[MappingSet]
    minter: Minter
    prefixes: Mapping[str, str]

    def inputs(self, known: Inputs | None = None) -> Inputs:
        """What the build's result depends on, fingerprinted (see :func:`fingerprint`)."""
        return fingerprint(
            known=known,
            shared_files={
                "ontology": self.ontology,
                "shapes": self.shapes,
                "entities": self.data / ENTITIES,
                "links": self.data / LINKS,
            },
            article_directories=article_directories(self.data),
            settings={"base_iri": self.minter.base, "annograph": __version__},
        )

    @property
    def articles(self) -> Path:
        return self.data / ARTICLES

    @property
    def id_namespace(self) -> str:
        return self.minter.prefixes()["id"]


# -- a project's build: full, incremental, or nothing to do --------------------------------------


def build_project(
    sources: Sources,
    store: Path,
    *,
    opened: Callable[[], ox.Store],
    wait: float = 0,
    progress: Progress | None = None,
    full: bool = False,
) -> Build:
    """Validate, then bring the store up to date with the annotations, atomically.

    A manifest beside the store records the hash of every input. With nothing changed there is
    nothing to do; with only articles changed, added or removed, their named graphs are replaced
    in the current store in one transaction; otherwise (ontology, shapes, shared entities,
    links, base IRI or annograph's version changed, or no usable manifest) a new store is
    written beside the old one and swapped in.

    :param opened: the current release, opened (for an incremental build to read).
    :raises AnnotationErrors: if anything is invalid (the store is left untouched).
    :raises StoreError: if another build of the same store is still running, or the disk is
        full (the previous store is left as it was).
    """
    try:
        return _build_project(sources, store, opened, wait=wait, progress=progress, full=full)
    except (OSError, sqlite3.OperationalError) as error:
        if is_out_of_space(error):
            raise disk_error(store, error) from error
        raise


def _build_project(
    sources: Sources,
    store: Path,
    opened: Callable[[], ox.Store],
    *,
    wait: float,
    progress: Progress | None,
    full: bool,
) -> Build:
    started = time.perf_counter()
    steps = Steps(BUILD_STEPS, progress)
    with store_lock(store, wait=wait):
        release = current_release(store)
        manifest = None
        if not full and release is not None:
            manifest = read_manifest(manifest_path(release))
        inputs = sources.inputs(manifest.inputs if manifest is not None else None)
        built: Build | None = None
        if release is not None and manifest is not None:
            if manifest.inputs.shared == inputs.shared:
                built = _update(sources, store, release, manifest, inputs, steps, opened)
        if built is None:
            info, validation = build_release(sources, store, steps=steps, inputs=inputs)
            built = Build(info, validation)
    return replace(built, seconds=time.perf_counter() - started)


def _update(
    sources: Sources,
    store: Path,
    release: Path,
    manifest: Manifest,
    inputs: Inputs,
    steps: Steps,
    opened: Callable[[], ox.Store],
) -> Build | None:
    """Bring the current release up to date in place (hold the store's lock); None if only
    a full build can (see :func:`update_release`)."""
    written, removed = manifest.changed_articles(inputs)
    if not written and not removed:
        if inputs.signatures != manifest.inputs.signatures:
            # Remembered, so that the next build need not hash these folders again.
            write_manifest(manifest_path(release), replace(manifest, inputs=inputs))
        info = StoreInfo(store.absolute(), release, dict(manifest.quads_per_graph))
        return Build(info, Validation(**manifest.counts, warnings=()), "unchanged")
    update = update_release(sources, store, release, manifest, inputs, steps=steps, opened=opened())
    if update is None:
        return None
    return Build(
        update.store,
        update.validation,
        "incremental",
        update.replaced,
        update.removed,
        facts_added=update.facts_added,
        facts_removed=update.facts_removed,
    )


# -- the dataset in memory, and the reasoner over it ------------------------------------------


def dataset_quads(sources: Sources) -> list[ox.Quad]:
    """The whole validated dataset, in memory, as a build writes it: the ontology's graph,
    one graph per article, the shared entities' graph, and their facts once in the default
    graph. For small projects and tests; a build streams it instead."""
    ontology, located = _validated_graphs(sources)
    graphs: dict[str, Iterable[ox.Triple]] = {ONTOLOGY_IRI: ontology.triples, **located}
    named = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
        for name, triples in graphs.items()
        for t in triples
    ]
    minter = sources.minter
    facts = dict.fromkeys(q.triple for q in named if not minter.is_evidence(q.triple))
    return [*named, *(ox.Quad(t.subject, t.predicate, t.object) for t in facts)]


def reason_over(sources: Sources) -> None:
    """Check with the OWL reasoner (HermiT) that the ontology allows what the data says.

    Validates first: SHACL already catches references to the wrong kind of thing; the reasoner
    adds what only OWL axioms say, such as one entity typed both Person and NGO. HermiT
    reasons over the whole graph at once, in memory.

    :raises AnnotationErrors: one located error per statement of a conflict found.
    :raises ReasonerUnavailable: if there is no Java to run HermiT on.
    """
    ontology, graphs = _validated_graphs(sources)
    located = union_of(graphs.values())
    conflict = find_conflict(ontology.triples, list(located))
    if conflict is not None:
        raise AnnotationErrors(inconsistency(conflict, located, sources.prefixes))


def _validated_graphs(
    sources: Sources,
) -> tuple[Ontology, dict[str, dict[ox.Triple, SourceLocation]]]:
    """Validate (raising every problem), then the ontology and the located graphs in memory."""
    validate_sources(sources, steps=Steps(BUILD_STEPS, None))
    ontology = load_ontology(sources.ontology)
    return ontology, located_graphs(sources, ontology)


def located_graphs(
    sources: Sources, ontology: Ontology
) -> dict[str, dict[ox.Triple, SourceLocation]]:
    """Each article's triples and the shared graph's, with their origins, in memory."""
    minter = sources.minter
    corpus = load_corpus(sources.data, ontology)
    links, _ = accepted_links(sources.mapping_sets, sources.id_namespace)
    articles = [with_links(article, links) for article in corpus.articles]
    graphs = {minter.graph(a.slug).value: origins(a, minter=minter) for a in articles}
    mentioned = sorted({e.id for a in articles for e in a.entities if e.shared})
    shared = shared_origins(
        [linked(corpus.shared[i], links.get(i, ())) for i in mentioned], minter=minter
    )
    if shared:
        graphs[minter.shared_graph().value] = shared
    return graphs


# -- full builds ------------------------------------------------------------------------------


def build_release(
    sources: Sources, store: Path, *, steps: Steps, inputs: Inputs
) -> tuple[StoreInfo, Validation]:
    """Check everything and write it into a new release of ``store`` (hold its lock); the
    release is published only if every check passes.

    :raises AnnotationErrors: listing the problems, by stage.
    """
    with new_release(store) as release:
        index_file = index_path(release.release)
        staging_index = index_file.with_name(index_file.name + ".tmp")
        try:
            index = create_index(staging_index, sources.articles, ANNOTATIONS_FILE)
        except BaseException:
            staging_index.unlink(missing_ok=True)  # a disk too full to start it
            raise
        try:
            opened, validation, outcome = _check_into(
                sources, release.staging, index, steps=steps, graphs=True
            )
            with steps.step("store"):
                named = sum(outcome.quads_per_graph.values())
                quads = {"": len(opened) - named, **outcome.quads_per_graph}
                finish_store(opened)
                del opened
                finish_index(index)
                os.replace(staging_index, index_file)
        except BaseException:
            index.close()
            staging_index.unlink(missing_ok=True)
            raise
        shared = sources.minter.shared_graph().value
        derived = _derived(outcome, shared)
        manifest = Manifest(inputs, dict(sorted(quads.items())), validation.counts(), (), derived)
        write_manifest(manifest_path(release.release), manifest)
    return StoreInfo(store.absolute(), release.release, dict(manifest.quads_per_graph)), validation


def validate_sources(sources: Sources, *, steps: Steps) -> Validation:
    """Every check of a full build, into a temporary store of the facts that is thrown away.

    :raises AnnotationErrors: listing the problems, by stage.
    """
    with tempfile.TemporaryDirectory(prefix="annograph-validate-") as scratch:
        index = create_index(Path(scratch) / "index.sqlite", sources.articles, ANNOTATIONS_FILE)
        try:
            opened, validation, _ = _check_into(
                sources, Path(scratch) / "store", index, steps=steps, graphs=False
            )
            del opened
        except BaseException as error:
            # The scratch store is still open in the failed frames' locals, and RocksDB's
            # background threads may write into it while the directory is removed ("Directory
            # not empty"): free it before the cleanup, as the successful path does.
            traceback.clear_frames(error.__traceback__)
            raise
        finally:
            index.close()
    return validation


def _check_into(
    sources: Sources, directory: Path, index: Index, *, steps: Steps, graphs: bool
) -> tuple[ox.Store, Validation, Outcome]:
    with steps.step("ontology"):
        setting, shared_problems = _setting(sources, graphs=graphs)
    directories = article_directories(sources.data)
    with steps.step("articles"):
        opened, outcome = stream_articles(
            directories,
            setting,
            store=lambda: ox.Store(str(directory)),
            index=index,
            progress=partial(steps.advance, "articles"),
        )
    with steps.step("across"):
        validation = _settle(sources, setting, index, opened, outcome, shared_problems)
    return opened, validation, outcome


def _setting(sources: Sources, *, graphs: bool) -> tuple[Setting, list[AnnographError]]:
    ontology = load_ontology(sources.ontology)
    shapes = load_shapes(sources.shapes, ontology)
    # Entities with a mistake are still known, so the articles that mention them do not fail too.
    shared, problems = shared_entities(sources.data, ontology)
    links, _ = accepted_links(sources.mapping_sets, sources.id_namespace)
    setting = Setting(
        ontology,
        shapes,
        shared,
        links,
        sources.minter,
        sources.prefixes,
        ontology_data(ontology, shapes),
        graphs=graphs,
    )
    return setting, problems


def _settle(
    sources: Sources,
    setting: Setting,
    index: Index,
    store: ox.Store,
    outcome: Outcome,
    shared_problems: list[AnnographError],
) -> Validation:
    """The checks that need every article: across articles, mapping rows, shared shapes.

    :raises AnnotationErrors: for the first stage with an error, as a whole-corpus check
        reports it: reading (and across articles), then links, then shapes.
    """
    across, warnings = index.problems(setting.shared)
    if shared_problems or outcome.errors or across:
        raise AnnotationErrors([*shared_problems, *outcome.errors, *across])
    link_problems = [*_mapping_problems(sources, index), *outcome.link_problems]
    if link_problems:
        raise AnnotationErrors(link_problems)
    locate = partial(_origins_of, sources=sources, setting=setting, index=index, outcome=outcome)
    shapes = check_shared_shapes(store, outcome.mentioned, setting, locate=locate)
    problems = [*warnings, *sorted([*outcome.shape_problems, *shapes], key=_place)]
    if any(problem.severity == "error" for problem in problems):
        raise AnnotationErrors(problems)
    return Validation(**index.counts().as_dict(), warnings=tuple(problems))


def _mapping_problems(sources: Sources, index: Index) -> list[AnnographError]:
    """The accepted mapping rows that cannot be links (one about an unknown entity, say)."""
    known = _KnownIds(index, mapped_ids(sources.mapping_sets, sources.id_namespace))
    return accepted_links(sources.mapping_sets, sources.id_namespace, entity_ids=known)[1]


class _KnownIds(Collection[str]):
    """The corpus's entity ids as the mapping check asks for them: membership from a lookup of
    the ids the rows name; every id (a scan of the index) only for a 'did you mean' hint."""

    def __init__(self, index: Index, asked: Iterable[str]) -> None:
        self._index = index
        self._found = index.mentioned(asked)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._found

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.all_ids())

    def __len__(self) -> int:
        return len(self._index.all_ids())


def _origins_of(
    nodes: Collection[Term],
    *,
    sources: Sources,
    setting: Setting,
    index: Index,
    outcome: Outcome,
) -> dict[ox.Triple, SourceLocation]:
    """Where the triples about some shared entities were said (read again, only on need)."""
    ids = [
        node.value.removeprefix(sources.id_namespace)
        for node in nodes
        if isinstance(node, ox.NamedNode) and node.value.startswith(sources.id_namespace)
    ]
    slugs = index.articles_mentioning(ids)
    return origins_around(nodes, slugs, sources.articles, setting, outcome.mentioned)


def _place(problem: AnnographError) -> tuple[str, int, int]:
    where = problem.location
    if where is None:
        return ("", 0, 0)
    return (str(where.path), where.line or 0, where.column or 0)


def _derived(outcome: Outcome, shared: str) -> dict[str, str]:
    """The hashes a manifest keeps of the graphs made from several articles."""
    return {shared: outcome.shared_digest} if outcome.shared_digest is not None else {}


# -- incremental builds -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Update:
    """An incremental build's outcome: what it replaced and removed, and what it checked."""

    store: StoreInfo
    validation: Validation
    replaced: tuple[str, ...]
    removed: tuple[str, ...]
    facts_added: int
    facts_removed: int


def update_release(
    sources: Sources,
    store: Path,
    release: Path,
    manifest: Manifest,
    inputs: Inputs,
    *,
    steps: Steps,
    opened: ox.Store,
) -> Update | None:
    """Replace, in place, the graphs of the articles that changed (hold the store's lock).

    ``None`` says that this cannot settle it and a full build must: no usable index, a change
    in which shared entities are mentioned (the shared graph changes), or a shape broken near
    the change (the full build then locates every problem exactly). Errors in the changed
    articles, and between them and the others, are raised as a full build raises them.

    :param opened: the store as it is, read-only, for the shapes near the change.
    """
    written, removed = manifest.changed_articles(inputs)
    index = open_index(index_path(release), sources.articles, ANNOTATIONS_FILE)
    if index is None:
        return None
    try:
        checked = _check_changed(sources, index, manifest, written, removed, steps, opened)
        if checked is None:
            index.rollback()
            return None
        graphs, old, validation = checked
        minter = sources.minter
        gone = {minter.graph(slug).value for slug in removed}
        path = manifest_path(release)
        # Marked before the store changes: if the update is interrupted, the next build redoes it.
        write_manifest(path, replace(manifest, pending=tuple(sorted(written | removed))))
        with steps.step("store"):
            done = replace_graphs(
                release,
                graphs,
                old=old,
                remove=gone,
                is_fact=lambda t: not minter.is_evidence(t),
            )
            index.commit()
    except BaseException:
        index.rollback()
        raise
    finally:
        index.close()
    quads = {g: n for g, n in manifest.quads_per_graph.items() if g not in gone}
    quads.update({g: n for g, n in done.quads_per_graph.items() if n})
    quads[""] = quads.get("", 0) + done.facts_added - done.facts_removed
    quads = dict(sorted(quads.items()))
    counts = validation.counts()
    write_manifest(path, Manifest(inputs, quads, counts, (), dict(manifest.derived)))
    info = StoreInfo(store.absolute(), release, quads)
    return Update(
        info,
        validation,
        tuple(sorted(graphs)),
        tuple(sorted(gone)),
        done.facts_added,
        done.facts_removed,
    )


def _check_changed(
    sources: Sources,
    index: Index,
    manifest: Manifest,
    written: set[str],
    removed: set[str],
    steps: Steps,
    opened: ox.Store,
) -> tuple[dict[str, list[ox.Triple]], dict[str, set[ox.Triple]], Validation] | None:
    """Check only the articles that changed, with the index of the others (see
    :func:`update_release`): their new graphs, the graphs as they are now, and the validation;
    or None."""
    if index.slugs() != set(manifest.inputs.articles):
        return None
    with steps.step("ontology"):
        ontology = load_ontology(sources.ontology)
        shared, problems = shared_entities(sources.data, ontology)
        if problems:
            raise AnnotationErrors(problems)
    with steps.step("articles"):
        links, _ = accepted_links(sources.mapping_sets, sources.id_namespace)
        articles = _read_changed(sources, sorted(written), ontology, shared, links)
    with steps.step("across"):
        mentioned = index.shared_mentioned()
        index.remove(removed)
        index.add(summarize(article) for article in articles)
        errors, warnings = index.problems(shared, among=written)
        if errors:
            raise AnnotationErrors(errors)
        if index.shared_mentioned() != mentioned:
            return None
        link_problems = [*_mapping_problems(sources, index), *check_link_kinds(articles, ontology)]
        if link_problems:
            raise AnnotationErrors(link_problems)
        minter = sources.minter
        graphs = {minter.graph(a.slug).value: list(origins(a, minter=minter)) for a in articles}
        replaced = {minter.graph(slug).value for slug in written | removed}
        old = {name: graph_triples(opened, name) for name in replaced}
        stored = {name: stored_form(triples) for name, triples in graphs.items()}
        # Where no triple changed (an edit of a comment, a file touched), the shapes hold as
        # they did: there is nothing new for them to see.
        unchanged = not removed and all(old[g] == stored[g] for g in graphs)
        if not unchanged and not shapes_hold_near(
            stored,
            store=opened,
            old=old,
            ontology=ontology,
            shapes=load_shapes(sources.shapes, ontology),
        ):
            return None
    validation = Validation(**index.counts().as_dict(), warnings=tuple(warnings))
    return {name: list(triples) for name, triples in stored.items()}, old, validation


def _read_changed(
    sources: Sources,
    slugs: Sequence[str],
    ontology: Ontology,
    shared: Mapping[str, Entity],
    links: Mapping[str, Sequence[Link]],
) -> list[Article]:
    """The changed articles, read and linked as a full build reads them (same errors)."""
    articles: list[Article] = []
    errors: list[AnnographError] = []
    for slug in slugs:
        try:
            article = load_article(sources.articles / slug, ontology, shared=shared)
        except AnnotationErrors as error:
            errors.extend(error.errors)
            continue
        articles.append(with_links(article, links))
    if errors:
        raise AnnotationErrors(errors)
    return articles
