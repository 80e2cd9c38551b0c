"""A project directory and the pipeline over it: annotations -> graph -> store -> export/query."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Literal

import httpx
import pyoxigraph as ox

from annograph import __version__
from annograph.annotations import (
    ANNOTATIONS_FILE,
    ARTICLES,
    DATA_DIR,
    ENTITIES,
    Corpus,
    article_directories,
    corpus_problems,
    load_article,
    load_corpus,
    load_shared_entities,
)
from annograph.config import Config, Endpoint, check_base_iri, load_config
from annograph.diagram import Diagram, Language, article_diagram, entity_diagram
from annograph.docs import DOCS_DIR, Docs, write_docs
from annograph.errors import AnnographError, AnnotationErrors, ProjectError, SourceLocation
from annograph.evidence import Explanation, explain
from annograph.export import ExportFormat, export_graph, select_quads
from annograph.graph import DEFAULT_BASE_IRI, Minter, origins, shared_origins
from annograph.index import Summary, counts, read_index, relinked, summarize, write_index
from annograph.linking import (
    Reconciliation,
    Suggestion,
    apply_mappings,
    check_link_kinds,
    reconcile,
    subjects,
)
from annograph.manifest import (
    Inputs,
    Manifest,
    digest_triples,
    fingerprint,
    read_manifest,
    write_manifest,
)
from annograph.model import Article, Entity
from annograph.ontology import (
    ONTOLOGY_IRI,
    PREFIXES,
    RDF_TYPE,
    Ontology,
    load_ontology,
    short_iri,
)
from annograph.progress import Progress, Steps
from annograph.push import PushedGraph, Target, push_store
from annograph.queries import (
    QueryResult,
    SavedQuery,
    bind,
    find_query,
    redirect_services,
    run_query,
    saved_queries,
)
from annograph.reasoning import Inconsistency, find_conflict
from annograph.remote import query_endpoint
from annograph.rows import Rows, parameter_values, rows_of
from annograph.scaffold import NewArticle, articles_language, init_project, new_article
from annograph.shapes import Shapes, check_shapes, load_shapes, shapes_hold_near, union_of
from annograph.sources import Source
from annograph.sssom import (
    SSSOM_PREFIXES,
    UNSPECIFIED_LICENSE,
    MappingRow,
    MappingSet,
    Review,
    curie,
    merge,
    read_mapping_set,
    write_mapping_set,
)
from annograph.stats import Stats, collect_stats
from annograph.store import (
    StoreInfo,
    current_release,
    index_path,
    manifest_path,
    open_store,
    replace_graphs,
    store_lock,
    write_release,
)
from annograph.void import VOID_PREFIXES, describe_dataset

ONTOLOGY_FILE = Path("ontology") / "annograph.ttl"
SHAPES_FILE = Path("ontology") / "shapes.ttl"
QUERIES_DIR = Path("queries")
DEFAULT_STORE = Path(".annograph") / "store"
LINKS = "links"
#: Candidates written per entity: beyond a handful a reviewer learns nothing more.
CANDIDATES_PER_ENTITY = 5
BuildKind = Literal["full", "incremental", "unchanged"]
#: The stages of a build, in order, as its progress callback names them.
BUILD_STEPS = ("ontology", "annotations", "graph", "shapes", "store")


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


@dataclass(frozen=True, slots=True)
class Suggested:
    """What ``link suggest`` found and where it wrote it."""

    path: Path
    added: int
    reconciliation: Reconciliation


@dataclass(frozen=True, slots=True)
class _Checked:
    """Validated articles as triples with their origins, one mapping per named graph."""

    ontology: Ontology
    graphs: dict[str, dict[ox.Triple, SourceLocation]]
    validation: Validation
    #: Every article's summary, for the checks across articles of later builds.
    summaries: tuple[Summary, ...]

    def union(self) -> dict[ox.Triple, SourceLocation]:
        """All article triples with their origins."""
        return union_of(self.graphs.values())

    def quads(self) -> Iterator[ox.Quad]:
        """The ontology's graph and every article's, one quad at a time (not all at once: at a
        million quads a list of them is a few hundred megabytes more at the build's peak)."""
        ontology = ox.NamedNode(ONTOLOGY_IRI)
        yield from (
            ox.Quad(t.subject, t.predicate, t.object, ontology) for t in self.ontology.triples
        )
        for name, triples in self.graphs.items():
            graph = ox.NamedNode(name)
            yield from (ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)


@dataclass(frozen=True)
class Project:
    """An annograph project: ``ontology/``, ``data/articles/``, ``queries/`` and a store.

    :param root: the project directory.
    :param base_iri: the namespace under which entity, article and evidence IRIs are minted.
    :param store_path: where the store is; ``.annograph/store`` in the project by default.
    :param data_path: the data folder (``articles/``, ``entities/``, ``links/``); ``data/`` in
        the project by default.
    :param config: what the project's configuration file says (see :mod:`annograph.config`).
    """

    root: Path
    base_iri: str = DEFAULT_BASE_IRI
    store_path: Path | None = None
    data_path: Path | None = None
    config: Config = field(default_factory=Config, repr=False)
    _minter: Minter = field(init=False, repr=False)
    #: The store opened last, with what identifies its content (see :meth:`open_store`).
    _opened: dict[str, tuple[object, ox.Store]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        check_base_iri(self.base_iri)
        object.__setattr__(self, "_minter", Minter(self.base_iri))

    @classmethod
    def discover(
        cls,
        start: Path,
        *,
        base_iri: str | None = None,
        store_path: Path | None = None,
        data_path: Path | None = None,
    ) -> Project:
        """The project containing ``start`` (the nearest directory with ``ontology/annograph.ttl``).

        ``base_iri``, ``store_path`` and ``data_path`` win over the project's configuration
        file, which wins over the defaults.

        :raises ProjectError: if neither ``start`` nor a parent is a project.
        :raises ConfigError: if the project's configuration file is invalid.
        """
        start = start.absolute()
        for directory in (start, *start.parents):
            if (directory / ONTOLOGY_FILE).is_file():
                config = load_config(directory)
                base = base_iri or config.base_iri or DEFAULT_BASE_IRI
                return cls(
                    directory,
                    base,
                    store_path=store_path or config.store,
                    data_path=data_path or config.data,
                    config=config,
                )
        raise ProjectError(
            f"not an annograph project (no {ONTOLOGY_FILE} here or in a parent directory)",
            location=SourceLocation(start),
            hint="run annograph inside the project, or pass --project DIR",
        )

    @classmethod
    def init(cls, directory: Path, *, base_iri: str | None = None) -> Project:
        """Start a new project in ``directory`` (see :func:`annograph.scaffold.init_project`)."""
        init_project(directory)
        return cls.discover(directory, base_iri=base_iri)

    @property
    def data(self) -> Path:
        """The data folder: the articles, the shared entities and the reviewed links."""
        return self.data_path or self.root / DATA_DIR

    @property
    def store(self) -> Path:
        """The store's path (a link to the current release)."""
        return self.store_path or self.root / DEFAULT_STORE

    def open_store(self) -> ox.Store:
        """The built store, opened read-only; the same open store until a build changes it.

        Opening takes tens of milliseconds, far more than a typical saved query, so a project
        keeps its store open and reopens it only when the current release or its manifest (which
        every build, full or incremental, rewrites) has changed.

        :raises StoreError: if there is no store.
        """
        release = current_release(self.store)
        manifest = manifest_path(release) if release is not None else None
        version = (release, _modified(manifest)) if manifest is not None else None
        cached = self._opened.get("store")
        if version is not None and cached is not None and cached[0] == version:
            return cached[1]
        store = open_store(self.store)
        if version is not None:
            self._opened["store"] = (version, store)
        return store

    @property
    def queries_dir(self) -> Path:
        return self.root / QUERIES_DIR

    def prefixes(self) -> dict[str, str]:
        """Vocabulary prefixes, this project's own (``id:``, ``ev:`` ...) and configured ones."""
        return {**PREFIXES, **self._minter.prefixes(), **self.config.prefixes}

    def endpoint(self, name_or_url: str) -> Endpoint:
        """A SPARQL endpoint configured under ``name_or_url``, or that URL.

        :raises ConfigError: if it is neither a configured name nor a URL.
        """
        return self.config.endpoint(name_or_url)

    def article_slugs(self) -> list[str]:
        """The slugs of the articles in ``data/articles/``, from their folders (nothing is read)."""
        return [directory.name for directory in article_directories(self.data)]

    def load_ontology(self) -> Ontology:
        """Parse ``ontology/annograph.ttl``."""
        return load_ontology(self.root / ONTOLOGY_FILE)

    def load_articles(self, ontology: Ontology | None = None) -> list[Article]:
        """Load and check every article's annotations against the ontology."""
        return self.load_corpus(ontology).articles

    def load_corpus(self, ontology: Ontology | None = None) -> Corpus:
        """The articles, the shared entities of ``data/entities/`` and the warnings of both."""
        return load_corpus(self.data, ontology or self.load_ontology())

    def load_shapes(self, ontology: Ontology | None = None) -> Shapes:
        """Parse ``ontology/shapes.ttl`` and derive the ontology's domain and range shapes."""
        return load_shapes(self.root / SHAPES_FILE, ontology or self.load_ontology())

    def validate(self) -> Validation:
        """Check everything a build checks, without writing anything.

        Annotations against the ontology (syntax, keys, classes, properties, references, values,
        quotes), then the graph they make against the SHACL shapes.

        :raises AnnotationErrors: listing every error (and warning), each with file, line, column.
        """
        return self._check().validation

    def reason(self) -> None:
        """Check with the OWL reasoner (HermiT) that the ontology allows what the data says.

        Run after :meth:`validate`: SHACL already catches references to the wrong kind of thing;
        the reasoner adds what only OWL axioms say, such as one entity typed both Person and NGO.

        :raises AnnotationErrors: one located error per statement of a conflict found.
        :raises ReasonerUnavailable: if there is no Java to run HermiT on.
        """
        checked = self._check()
        located = checked.union()
        conflict = find_conflict(checked.ontology.triples, list(located))
        if conflict is not None:
            raise AnnotationErrors(self._inconsistency(conflict, located))

    def _inconsistency(
        self, conflict: tuple[ox.Triple, ...], located: dict[ox.Triple, SourceLocation]
    ) -> list[AnnographError]:
        prefixes = self.prefixes()
        entities = sorted({short_iri(term, prefixes) for term in _entities_in(conflict)})
        hint = f"entities involved: {', '.join(entities)}; check their 'type:' and these facts"
        return [
            Inconsistency(
                f"the ontology rules out these {len(conflict)} statements together "
                f"({n}/{len(conflict)}): " + " ".join(short_iri(term, prefixes) for term in t),
                location=located.get(t),
                hint=hint,
            )
            for n, t in enumerate(conflict, start=1)
        ]

    def quads(self) -> list[ox.Quad]:
        """The whole validated dataset: the ontology's graph and one graph per article."""
        return list(self._check().quads())

    def build(
        self, *, wait: float = 0, progress: Progress | None = None, full: bool = False
    ) -> Build:
        """Validate, then bring the store up to date with the annotations, atomically.

        A manifest beside the store records the hash of every input. With nothing changed
        there is nothing to do; with only articles changed, added or removed, their named
        graphs are replaced in the current store in one transaction; otherwise (ontology,
        shapes, shared entities, links, base IRI or annograph's version changed, or no usable
        manifest) a new store is written beside the old one and swapped in.

        :param wait: seconds to wait for another build of the same store (0: refuse at once).
        :param progress: called at the start and end of each of the :data:`BUILD_STEPS`.
        :param full: rebuild everything, whatever the manifest says.
        :raises AnnotationErrors: if anything is invalid (the store is left untouched).
        :raises StoreError: if another build of the same store is still running.
        """
        steps = Steps(BUILD_STEPS, progress)
        with store_lock(self.store, wait=wait):
            release = current_release(self.store)
            manifest = None
            if not full and release is not None:
                manifest = read_manifest(manifest_path(release))
            inputs = self._inputs(manifest.inputs if manifest is not None else None)
            if (
                release is not None
                and manifest is not None
                and manifest.inputs.shared == inputs.shared
            ):
                return self._update(release, manifest, inputs, steps)
            checked = self._check(steps)
            with steps.step("store"):
                store = write_release(checked.quads(), path=self.store)
            derived = _derived(checked.graphs, self._minter.shared_graph().value)
            manifest = Manifest(
                inputs, store.quads_per_graph, _counts(checked.validation), (), derived
            )
            write_index(index_path(store.release), checked.summaries)
            write_manifest(manifest_path(store.release), manifest)
            return Build(store, checked.validation)

    def _inputs(self, known: Inputs | None = None) -> Inputs:
        return fingerprint(
            known=known,
            shared_files={
                "ontology": self.root / ONTOLOGY_FILE,
                "shapes": self.root / SHAPES_FILE,
                "entities": self.data / ENTITIES,
                "links": self.links_dir,
            },
            article_directories=article_directories(self.data),
            settings={"base_iri": self.base_iri, "annograph": __version__},
        )

    def _update(self, release: Path, manifest: Manifest, inputs: Inputs, steps: Steps) -> Build:
        """Replace the graphs of the articles that changed (hold the store's lock)."""
        written, removed = manifest.changed_articles(inputs)
        info = StoreInfo(self.store.absolute(), release, dict(manifest.quads_per_graph))
        if not written and not removed:
            if inputs.signatures != manifest.inputs.signatures:
                # Remembered, so that the next build need not hash these folders again.
                write_manifest(manifest_path(release), replace(manifest, inputs=inputs))
            return Build(info, Validation(**manifest.counts, warnings=()), "unchanged")
        shared_graph = self._minter.shared_graph().value
        gone = {self.article_graph(slug) for slug in removed}
        changed = self._check_changed(release, manifest, inputs, written, removed, steps)
        if changed is not None:
            checked, derived = changed, dict(manifest.derived)  # the shared graph is as it was
        else:
            # Everything is validated: cross-article checks and shapes see the whole corpus.
            checked = self._check(steps)
            derived = _derived(checked.graphs, shared_graph)
        graphs = {
            self.article_graph(slug): checked.graphs[self.article_graph(slug)] for slug in written
        }
        if shared_graph not in derived:
            gone.add(shared_graph)
        elif manifest.derived.get(shared_graph) != derived[shared_graph]:
            graphs[shared_graph] = checked.graphs[shared_graph]
        path = manifest_path(release)
        # Marked before the store changes: if the update is interrupted, the next build redoes it.
        write_manifest(path, replace(manifest, pending=tuple(sorted(written | removed))))
        with steps.step("store"):
            counts = replace_graphs(release, {g: list(t) for g, t in graphs.items()}, remove=gone)
        quads = {g: n for g, n in manifest.quads_per_graph.items() if g not in gone}
        quads = dict(sorted({**quads, **{g: n for g, n in counts.items() if n}}.items()))
        write_index(index_path(release), checked.summaries)
        write_manifest(path, Manifest(inputs, quads, _counts(checked.validation), (), derived))
        store = StoreInfo(self.store.absolute(), release, quads)
        replaced = tuple(sorted(graphs))
        return Build(store, checked.validation, "incremental", replaced, tuple(sorted(gone)))

    def _check_changed(
        self,
        release: Path,
        manifest: Manifest,
        inputs: Inputs,
        written: set[str],
        removed: set[str],
        steps: Steps,
    ) -> _Checked | None:
        """Check only the articles that changed, with the kept summaries of the others.

        The result holds the graphs of the changed articles only. ``None`` means that this
        cannot settle it and everything must be checked: no usable summaries; a change in which
        shared entities are mentioned (the shared graph changes); or a shape broken near the
        change (the full check then locates every problem exactly). Errors in the changed
        articles, and between them and the others, are raised as a full check raises them.
        """
        kept = read_index(index_path(release), self.data / ARTICLES, ANNOTATIONS_FILE)
        if kept is None or set(kept) != set(manifest.inputs.articles):
            return None
        with steps.step("ontology"):
            ontology = self.load_ontology()
        with steps.step("annotations"):
            shared = load_shared_entities(self.data, ontology)
            unchanged = [kept[slug] for slug in inputs.articles if slug not in written]
            articles = self._read_changed(sorted(written), ontology, shared, unchanged)
            fresh = {article.slug: summarize(article) for article in articles}
            summaries = tuple(fresh.get(slug) or kept[slug] for slug in inputs.articles)
            errors, warnings = corpus_problems(shared, summaries)
            if errors:
                raise AnnotationErrors(errors)
        if _shared_ids_mentioned(summaries) != _shared_ids_mentioned(kept.values()):
            return None
        with steps.step("graph"):
            graphs = {self.article_graph(a.slug): origins(a, minter=self._minter) for a in articles}
        with steps.step("shapes"):
            holds = shapes_hold_near(
                graphs,
                store=self.open_store(),
                replaced={self.article_graph(slug) for slug in written | removed},
                ontology=ontology,
                shapes=self.load_shapes(ontology),
            )
        if not holds:
            return None
        validation = Validation(**counts(summaries), warnings=tuple(warnings))
        return _Checked(ontology, graphs, validation, summaries)

    def _read_changed(
        self,
        slugs: Sequence[str],
        ontology: Ontology,
        shared: Mapping[str, Entity],
        others: Sequence[Summary],
    ) -> list[Article]:
        """The changed articles, read and linked as a full check reads them (same errors).

        :param others: the summaries of the articles that did not change.
        """
        articles: list[Article] = []
        errors: list[AnnographError] = []
        for slug in slugs:
            try:
                articles.append(load_article(self.data / ARTICLES / slug, ontology, shared=shared))
            except AnnotationErrors as error:
                errors.extend(error.errors)
        if errors:
            raise AnnotationErrors(errors)
        known = {entity.id for summary in others for entity in summary.entities}
        known.update(entity.id for article in articles for entity in article.entities)
        return self._with_links(articles, ontology, entity_ids=known)

    def _with_links(
        self, articles: list[Article], ontology: Ontology, *, entity_ids: set[str] | None = None
    ) -> list[Article]:
        """The articles with the links accepted in ``data/links/*.sssom.tsv`` added.

        :param entity_ids: the corpus's ids, when ``articles`` are only some of it.
        :raises AnnotationErrors: for a mapping row or a link that cannot be applied.
        """
        linked, problems = apply_mappings(
            articles, self.mapping_sets(), self._minter.prefixes()["id"], entity_ids=entity_ids
        )
        problems += check_link_kinds(linked, ontology)
        if problems:
            raise AnnotationErrors(problems)
        return linked

    def _check(self, steps: Steps | None = None) -> _Checked:
        steps = steps or Steps(BUILD_STEPS)
        with steps.step("ontology"):
            ontology = self.load_ontology()
        with steps.step("annotations"):
            corpus = self._linked_corpus(ontology, steps)
        with steps.step("graph"):
            graphs = {
                self.article_graph(a.slug): origins(a, minter=self._minter) for a in corpus.articles
            }
            shared = _mentioned_shared(corpus)
            if shared:
                graphs[self._minter.shared_graph().value] = shared_origins(
                    shared, minter=self._minter
                )
        # The articles are in the graphs now: free them (at 10,000 articles, hundreds of MB).
        corpus = replace(corpus, articles=[])
        with steps.step("shapes"):
            violations = check_shapes(
                graphs.values(),
                ontology=ontology,
                shapes=self.load_shapes(ontology),
                prefixes=self.prefixes(),
            )
        problems = [*corpus.warnings, *violations]
        if any(problem.severity == "error" for problem in problems):
            raise AnnotationErrors(problems)
        validation = Validation(**counts(corpus.summaries), warnings=tuple(problems))
        return _Checked(ontology, graphs, validation, corpus.summaries)

    def _linked_articles(self, ontology: Ontology) -> list[Article]:
        return self._linked_corpus(ontology).articles

    def _linked_corpus(self, ontology: Ontology, steps: Steps | None = None) -> Corpus:
        """The corpus, with the links accepted in ``data/links/*.sssom.tsv`` added."""
        report = None if steps is None else partial(steps.advance, "annotations")
        corpus = load_corpus(self.data, ontology, progress=report)
        articles = self._with_links(corpus.articles, ontology)
        summaries = tuple(map(relinked, corpus.summaries, articles))
        return replace(corpus, articles=articles, summaries=summaries)

    @property
    def links_dir(self) -> Path:
        return self.data / LINKS

    def mapping_sets(self) -> list[MappingSet]:
        """The SSSOM mapping files of ``data/links/``, by file name."""
        return [read_mapping_set(path) for path in sorted(self.links_dir.glob("*.sssom.tsv"))]

    def suggest_links(
        self, source: Source, *, output: Path | None = None, today: date | None = None
    ) -> Suggested:
        """Reconcile the entities against ``source``; add new candidates to an SSSOM file.

        Entities already linked to one of their candidates are left alone; rows already in the
        file (pending, accepted or rejected) are kept as they are, so a rejected candidate is
        never suggested again.

        :param output: the mapping file; ``data/links/SOURCE-NAME.sssom.tsv`` by default.
        """
        ontology = self.load_ontology()
        articles = self._linked_articles(ontology)
        iris = {e.id: self._minter.entity(e.id).value for a in articles for e in a.entities}
        found = subjects(articles, ontology, iris)
        names = {label.text for s in found for label in (*s.labels, *s.abbreviations)}
        result = reconcile(found, source.candidates(names))
        path = output or self.links_dir / f"{source.name}.sssom.tsv"
        existing = read_mapping_set(path) if path.exists() else None
        prefixes = {**SSSOM_PREFIXES, **self.prefixes(), **(existing.prefixes if existing else {})}
        prefixes.update(_namespaces_for(result.suggestions, prefixes, source.name))
        day = (today or date.today()).isoformat()
        rows, added = merge(
            existing.mappings if existing else (),
            (_row(s, prefixes, day) for s in _best(result.suggestions)),
        )
        write_mapping_set(
            MappingSet(path, self._mapping_metadata(source, existing, rows, prefixes), tuple(rows))
        )
        return Suggested(path, added, result)

    def _mapping_metadata(
        self,
        source: Source,
        existing: MappingSet | None,
        rows: Sequence[MappingRow],
        prefixes: Mapping[str, str],
    ) -> dict[str, object]:
        used = {r.split(":", 1)[0] for row in rows for r in _curies(row)}
        metadata: dict[str, object] = {
            "curie_map": {p: ns for p, ns in sorted(prefixes.items()) if p in used},
            "mapping_set_id": f"{self.base_iri}links/{source.name}",
            "mapping_set_description": (
                f"Candidate identity links from annograph entities to {source.iri}; "
                "rows with a reviewer_label are reviewed (predicate_modifier Not: rejected)."
            ),
            "license": source.license or UNSPECIFIED_LICENSE,
            "subject_source": f"{self.base_iri}dataset",
            "object_source": source.iri,
            "mapping_tool": "annograph",
        }
        if existing is not None:
            metadata = {**existing.metadata, "curie_map": metadata["curie_map"]}
        return metadata

    def pending_links(self) -> list[tuple[MappingSet, MappingRow]]:
        """Rows of the mapping files that no one has reviewed yet."""
        return [
            (mapping_set, row)
            for mapping_set in self.mapping_sets()
            for row in mapping_set.mappings
            if row.review is Review.PENDING
        ]

    def review_links(
        self, verdicts: Mapping[tuple[Path, tuple[str, str]], bool], *, reviewer: str
    ) -> int:
        """Record verdicts (mapping file, (subject_id, object_id)) -> accepted?; the count."""
        changed = 0
        for mapping_set in self.mapping_sets():
            rows = []
            for row in mapping_set.mappings:
                verdict = verdicts.get((mapping_set.path, row.key))
                if verdict is not None and row.review is Review.PENDING:
                    row = row.reviewed(verdict, reviewer)
                    changed += 1
                rows.append(row)
            if rows != list(mapping_set.mappings):
                write_mapping_set(replace(mapping_set, mappings=tuple(rows)))
        return changed

    def new_article(
        self,
        slug: str,
        text: bytes,
        *,
        language: str | None = None,
        title: str | None = None,
        url: str | None = None,
        published: str | None = None,
        source: str = "the source",
    ) -> NewArticle:
        """Create ``data/articles/SLUG/`` with the text and an annotation skeleton.

        :param language: the article's language; by default the one all articles here are in.
        :raises AnnographError: see :func:`annograph.scaffold.new_article`, or when no
            language is given and the project's articles do not agree on one.
        """
        language = language or articles_language(self.data)
        if language is None:
            raise AnnographError(
                "which language is the article in?",
                location=SourceLocation(self.data / ARTICLES),
                hint="pass --language (a BCP 47 tag such as ru or en); the articles here are "
                "in several languages, or there are none",
            )
        return new_article(
            self.data,
            slug,
            text,
            language=language,
            title=title,
            url=url,
            published=published,
            source=source,
        )

    def article_graph(self, slug: str) -> str:
        """The IRI of an article's named graph."""
        return self._minter.graph(slug).value

    def export(
        self, format: ExportFormat, *, graph: str | None = None, with_ontology: bool = False
    ) -> str:
        """Serialize the built store (all article graphs, or one graph)."""
        store = self.open_store()
        quads = select_quads(store, graph=graph, with_ontology=with_ontology)
        return export_graph(quads, format=format, prefixes=self.prefixes())

    def export_void(
        self, format: ExportFormat, *, license: str | None = None, endpoint: str | None = None
    ) -> str:
        """The VoID description of :meth:`void`, serialized."""
        triples = self.void(license=license, endpoint=endpoint)
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        return export_graph(quads, format=format, prefixes={**self.prefixes(), **VOID_PREFIXES})

    def void(self, *, license: str | None = None, endpoint: str | None = None) -> list[ox.Triple]:
        """A VoID description of the built dataset, with one linkset per external target.

        :param license: a licence IRI for ``dcterms:license`` (left out if None).
        :param endpoint: a public SPARQL endpoint for ``void:sparqlEndpoint`` (left out if None).
        """
        return describe_dataset(
            self.open_store(),
            dataset=self.base_iri + "dataset",
            entity_space=self._minter.prefixes()["id"],
            license=license,
            endpoint=endpoint,
        )

    def stats(self) -> Stats:
        """Counts of the built store: triples per graph, entities per class, evidence, links."""
        return collect_stats(self.open_store())

    def why(self, entity: str) -> Explanation:
        """Every fact the built graph holds about an entity, with the quotes that support it.

        :param entity: an id (``bishkek``), a CURIE (``id:bishkek``), an IRI, or a name.
        :raises EntityNotFound: if nothing (or more than one thing) goes by that name.
        """
        return explain(
            self.open_store(),
            entity,
            prefixes=self.prefixes(),
            id_namespace=self._minter.prefixes()["id"],
        )

    def entity_diagram(self, entity: str, *, lang: Language = "en", depth: int = 1) -> Diagram:
        """A picture of an entity and what the built graph links it to (:mod:`annograph.diagram`).

        :param entity: an id (``iom``), a CURIE, an IRI, or a name, as for :meth:`why`.
        :param lang: the language of the labels (``en`` or ``ru``).
        :param depth: how many links away from the entity to go.
        :raises EntityNotFound: if nothing (or more than one thing) goes by that name.
        """
        prefixes = self.prefixes()
        return entity_diagram(
            self.open_store(),
            entity,
            ontology=self.load_ontology(),
            prefixes=prefixes,
            lang=lang,
            depth=depth,
        )

    def article_diagram(self, slug: str, *, lang: Language = "en") -> Diagram:
        """A picture of every entity of one article and the facts it states about them.

        :raises ArticleNotFound: if the built store has no graph for ``slug``.
        """
        return article_diagram(
            self.open_store(),
            slug,
            graph_namespace=self.article_graph(""),
            ontology=self.load_ontology(),
            prefixes=self.prefixes(),
            lang=lang,
        )

    def write_docs(self, output: Path | None = None, *, lang: Language = "en") -> Docs:
        """Write the ontology's and saved queries' reference pages and a data-model diagram.

        :param output: the directory; ``docs/reference`` in the project by default.
        """
        return write_docs(
            self.load_ontology(),
            self.saved_queries(),
            output or self.root / DOCS_DIR,
            prefixes=self.prefixes(),
            lang=lang,
        )

    def saved_queries(self) -> list[SavedQuery]:
        """The project's saved queries (``queries/*.rq``), by name."""
        return saved_queries(self.queries_dir)

    def find_query(self, name_or_path: str) -> SavedQuery:
        """A saved query by name, a path to a ``.rq`` file, or ``-`` for standard input."""
        return find_query(name_or_path, directory=self.queries_dir)

    def query(
        self,
        name_or_path: str,
        /,
        *,
        services: Mapping[str, str] | None = None,
        endpoint: str | None = None,
        auth: httpx.Auth | None = None,
        **params: Any,
    ) -> Rows:
        """Run a saved query and return its rows as Python values (see :class:`Rows`).

        :param name_or_path: a saved query's name, or a path to a ``.rq`` file.
        :param params: the query's parameters by name; a list binds several values.
        :param services: SERVICE endpoint IRI or alias -> the URL to query instead.
        :param endpoint: a SPARQL endpoint to run it on instead of the built store.
        :param auth: credentials for ``endpoint``.
        :raises QueryError: for an unknown query or parameter, or a value of the wrong type.

        See the example in :mod:`annograph`.
        """
        bindings = parameter_values(params)
        result = self.run_query(
            name_or_path, bindings, services=services, endpoint=endpoint, auth=auth
        )
        return rows_of(result)

    def run_query(
        self,
        name_or_path: str,
        params: Mapping[str, Sequence[str]] | None = None,
        *,
        services: Mapping[str, str] | None = None,
        endpoint: str | None = None,
        auth: httpx.Auth | None = None,
    ) -> QueryResult:
        """Run a saved query, binding ``params`` (name -> values), as pyoxigraph's result.

        The result is what the command line renders in the SPARQL results formats;
        :meth:`query` gives the same answer as Python values.

        :param services: SERVICE endpoint IRI or alias (``wikidata``) -> the URL to query
            instead, e.g. a local mirror.
        :param endpoint: a SPARQL endpoint to run it on instead of the built store.
        :param auth: credentials for ``endpoint``.
        """
        saved = self.find_query(name_or_path)
        bound = redirect_services(
            bind(saved, params or {}, prefixes=self.prefixes()), services or {}
        )
        if endpoint is not None:
            return query_endpoint(endpoint, bound, auth=auth)
        return run_query(self.open_store(), bound)

    def push(
        self, target: Target, *, progress: Callable[[PushedGraph], None] | None = None
    ) -> list[PushedGraph]:
        """Upload the built store's graphs to another triple store (see :mod:`annograph.push`)."""
        return push_store(self.open_store(), target, progress=progress)


def _best(suggestions: Sequence[Suggestion]) -> Iterator[Suggestion]:
    """The best few candidates of each entity (suggestions come best first per entity)."""
    per_entity: dict[str, int] = {}
    for suggestion in suggestions:
        count = per_entity.get(suggestion.subject.id, 0)
        if count < CANDIDATES_PER_ENTITY:
            per_entity[suggestion.subject.id] = count + 1
            yield suggestion


def _row(suggestion: Suggestion, prefixes: Mapping[str, str], day: str) -> MappingRow:
    record = suggestion.record
    return MappingRow(
        subject_id=curie(suggestion.subject.iri, prefixes),
        subject_label=suggestion.subject_label.text,
        subject_category=f"ag:{suggestion.subject.types[0]}",
        predicate_id="owl:sameAs",
        object_id=curie(record.iri, prefixes),
        object_label=suggestion.record_label.text,
        object_category=curie(record.types[0], prefixes) if record.types else "",
        mapping_justification="semapv:LexicalMatching",
        confidence=f"{suggestion.confidence:.3f}",
        match_string=suggestion.record_label.text,
        mapping_date=day,
        comment="; ".join(suggestion.reasons),
    )


def _curies(row: MappingRow) -> Iterator[str]:
    yield from (row.subject_id, row.predicate_id, row.object_id, row.mapping_justification)
    yield from filter(None, (row.subject_category, row.object_category))


def _namespaces_for(
    suggestions: Sequence[Suggestion], prefixes: Mapping[str, str], name: str
) -> dict[str, str]:
    """Prefixes for candidate IRIs no known prefix covers (SSSOM ids must be CURIEs)."""
    extra: dict[str, str] = {}
    iris = {s.record.iri for s in suggestions} | {t for s in suggestions for t in s.record.types}
    for iri in sorted(iris):
        known = {**prefixes, **extra}.values()
        if any(iri.startswith(ns) and iri != ns for ns in known):
            continue
        namespace = iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]
        base = re.sub(r"[^a-z]", "", name.lower()) or "ext"
        prefix = base if base not in prefixes and base not in extra else f"{base}{len(extra) + 1}"
        extra[prefix] = namespace
    return extra


def _entities_in(triples: tuple[ox.Triple, ...]) -> Iterator[ox.NamedNode]:
    """The things the triples are about: subjects, and objects other than classes and values."""
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode):
            yield triple.subject
        if isinstance(triple.object, ox.NamedNode) and triple.predicate.value != RDF_TYPE:
            yield triple.object


def _mentioned_shared(corpus: Corpus) -> list[Entity]:
    """The shared entities the articles mention, with their accepted links and own note."""
    mentioned = {e.id: e for article in corpus.articles for e in article.entities if e.shared}
    return [
        replace(entity, note=corpus.shared[id_].note, location=corpus.shared[id_].location)
        for id_, entity in sorted(mentioned.items())
    ]


def _shared_ids_mentioned(summaries: Iterable[Summary]) -> set[str]:
    """The shared entities some article mentions: what the shared graph is made of."""
    return {entity.id for summary in summaries for entity in summary.entities if entity.shared}


def _counts(validation: Validation) -> dict[str, int]:
    """The numbers of a validation, as a manifest keeps them."""
    return {
        "articles": validation.articles,
        "entities": validation.entities,
        "facts": validation.facts,
        "quotes": validation.quotes,
        "links": validation.links,
    }


def _derived(
    graphs: Mapping[str, Mapping[ox.Triple, SourceLocation]], shared: str
) -> dict[str, str]:
    """The hashes a manifest keeps of the graphs made from several articles."""
    return {shared: digest_triples(graphs[shared])} if shared in graphs else {}


def _modified(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None
