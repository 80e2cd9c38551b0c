"""A project directory and the pipeline over it: annotations -> graph -> store -> export/query."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import IO, Any

import httpx
import pyoxigraph as ox

from annograph._languages import Language
from annograph._lexical import closest
from annograph._progress import Progress, Steps
from annograph._version import __version__
from annograph.annotations._model import Article
from annograph.annotations._ontology import (
    ONTOLOGY_IRI,
    PREFIXES,
    RDF_TYPE,
    Ontology,
    load_ontology,
    parse_turtle,
    short_iri,
)
from annograph.annotations._reader import (
    ANNOTATIONS_FILE,
    ARTICLES,
    DATA_DIR,
    ENTITIES,
    Corpus,
    article_directories,
    load_corpus,
    shared_entity_files,
)
from annograph.annotations._summaries import Index, name_table, read_only_index
from annograph.annotations._terms import Term, Vocabulary, read_vocabulary
from annograph.annotations._usage import first_use
from annograph.build._engine import (
    BUILD_STEPS,
    Build,
    BuildKind,
    Sources,
    Validation,
    build_release,
    update_release,
    validate_sources,
)
from annograph.build._graph import DEFAULT_BASE_IRI, Minter, origins, shared_origins
from annograph.build._manifest import Inputs, Manifest, fingerprint, read_manifest, write_manifest
from annograph.build._reasoning import Inconsistency, find_conflict
from annograph.build._shapes import Shapes, load_shapes, union_of
from annograph.build._store import (
    StoreInfo,
    current_release,
    disk_error,
    index_path,
    is_out_of_space,
    manifest_path,
    open_store,
    store_lock,
)
from annograph.errors import (
    AnnographError,
    AnnotationErrors,
    ProjectError,
    QueryError,
    SourceLocation,
    UnknownEntity,
)
from annograph.linking._matching import (
    Reconciliation,
    Suggestion,
    accepted_links,
    linked,
    reconcile,
    subjects,
    with_links,
)
from annograph.linking._sources import Source
from annograph.linking._sssom import (
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
from annograph.project._config import Config, Endpoint, check_base_iri, load_config
from annograph.project._scaffold import NewArticle, articles_language, init_project, new_article
from annograph.publish._export import ExportFormat, export_graph, export_store
from annograph.publish._push import Pushed, PushedGraph, Target, push_store
from annograph.publish._stats import Stats, collect_stats
from annograph.publish._void import VOID_PREFIXES, describe_dataset
from annograph.query._evidence import (
    DEFAULT_LIMIT,
    AmbiguousName,
    EntityNotFound,
    Explanation,
    as_iri,
    explain,
    named,
    resolve_entity,
)
from annograph.query._remote import query_endpoint
from annograph.query._rows import Rows, parameter_values, rows_of
from annograph.query._saved import (
    IRI_HINT,
    BoundQuery,
    Parameter,
    QueryResult,
    SavedQuery,
    bind,
    find_query,
    is_iri_value,
    redirect_services,
    run_query,
    saved_queries,
)
from annograph.reference._diagram import Diagram, article_diagram, entity_diagram
from annograph.reference._docs import DOCS_DIR, Docs, write_docs

__all__ = ["BUILD_STEPS", "Build", "BuildKind", "Project", "Suggested", "Validation"]

ONTOLOGY_FILE = Path("ontology") / "annograph.ttl"
SHAPES_FILE = Path("ontology") / "shapes.ttl"
QUERIES_DIR = Path("queries")
DEFAULT_STORE = Path(".annograph") / "store"
LINKS = "links"
#: Candidates written per entity: beyond a handful a reviewer learns nothing more.
CANDIDATES_PER_ENTITY = 5


@dataclass(frozen=True, slots=True)
class Suggested:
    """What ``link suggest`` found and where it wrote it."""

    path: Path
    added: int
    reconciliation: Reconciliation


@dataclass(frozen=True)
class Project:
    """An annograph project: ``ontology/``, ``data/articles/``, ``queries/`` and a store.

    :param root: the project directory.
    :param base_iri: the namespace under which entity, article and evidence IRIs are minted.
    :param store_path: where the store is; ``.annograph/store`` in the project by default.
    :param data_path: the data folder (``articles/``, ``entities/``, ``links/``); ``data/`` in
        the project by default.
    :param config: what the project's configuration file says (see
        :mod:`annograph.project._config`).
    """

    root: Path
    base_iri: str = DEFAULT_BASE_IRI
    store_path: Path | None = None
    data_path: Path | None = None
    config: Config = field(default_factory=Config, repr=False)
    _minter: Minter = field(init=False, repr=False)
    #: The store opened last and its index, with what identifies their content (see
    #: :meth:`open_store`).
    _opened: dict[str, tuple[object, ox.Store | Index | None]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        # A user writes Project("."): paths given as strings are taken as paths.
        for name in ("root", "store_path", "data_path"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _path(value, name))
        check_base_iri(self.base_iri)
        object.__setattr__(self, "_minter", Minter(self.base_iri))

    @classmethod
    def discover(
        cls,
        start: Path | str,
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
        start = _path(start, "start").absolute()
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
    def init(cls, directory: Path | str, *, base_iri: str | None = None) -> Project:
        """Start a new project in ``directory``.

        See :func:`annograph.project._scaffold.init_project`.
        """
        directory = _path(directory, "directory")
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
            assert isinstance(cached[1], ox.Store)
            return cached[1]
        store = open_store(self.store)
        if version is not None and release is not None:
            self._opened["store"] = (version, store)
            names = read_only_index(index_path(release), self.data / ARTICLES, ANNOTATIONS_FILE)
            self._opened["names"] = (version, names)
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

    def validate(self, *, progress: Progress | None = None) -> Validation:
        """Check everything a build checks, without writing anything into the project.

        Annotations against the ontology (syntax, keys, classes, properties, references, values,
        quotes), the checks across articles, then the graph they make against the SHACL shapes.
        The graph's facts go into a temporary store (the shared entities' shapes need them all).

        :raises AnnotationErrors: listing every error (and warning), each with file, line, column.
        """
        return validate_sources(self._sources(), steps=Steps(BUILD_STEPS, progress))

    def reason(self) -> None:
        """Check with the OWL reasoner (HermiT) that the ontology allows what the data says.

        Runs :meth:`validate` first: SHACL already catches references to the wrong kind of
        thing; the reasoner adds what only OWL axioms say, such as one entity typed both Person
        and NGO. HermiT reasons over the whole graph at once, in memory.

        :raises AnnotationErrors: one located error per statement of a conflict found.
        :raises ReasonerUnavailable: if there is no Java to run HermiT on.
        """
        self.validate()
        ontology = self.load_ontology()
        located = union_of(self._graphs(ontology).values())
        conflict = find_conflict(ontology.triples, list(located))
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
        """The whole validated dataset, in memory, as a build writes it: the ontology's graph,
        one graph per article, the shared entities' graph, and their facts once in the default
        graph. For small projects and tests; a build streams it instead."""
        self.validate()
        ontology = self.load_ontology()
        graphs: dict[str, Iterable[ox.Triple]] = {ONTOLOGY_IRI: ontology.triples}
        graphs.update(self._graphs(ontology))
        named = [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
            for name, triples in graphs.items()
            for t in triples
        ]
        facts = dict.fromkeys(q.triple for q in named if not self._minter.is_evidence(q.triple))
        return [*named, *(ox.Quad(t.subject, t.predicate, t.object) for t in facts)]

    def _graphs(self, ontology: Ontology) -> dict[str, dict[ox.Triple, SourceLocation]]:
        """Each article's triples and the shared graph's, with their origins, in memory."""
        corpus = self.load_corpus(ontology)
        links, _ = accepted_links(self.mapping_sets(), self._minter.prefixes()["id"])
        articles = [with_links(article, links) for article in corpus.articles]
        graphs = {self.article_graph(a.slug): origins(a, minter=self._minter) for a in articles}
        mentioned = sorted({e.id for a in articles for e in a.entities if e.shared})
        shared = shared_origins(
            [linked(corpus.shared[i], links.get(i, ())) for i in mentioned], minter=self._minter
        )
        if shared:
            graphs[self._minter.shared_graph().value] = shared
        return graphs

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
        :raises StoreError: if another build of the same store is still running, or the disk
            is full (the previous store is left as it was).
        """
        try:
            return self._build(wait=wait, progress=progress, full=full)
        except (OSError, sqlite3.OperationalError) as error:
            if is_out_of_space(error):
                raise disk_error(self.store, error) from error
            raise

    def _build(self, *, wait: float, progress: Progress | None, full: bool) -> Build:
        started = time.perf_counter()
        steps = Steps(BUILD_STEPS, progress)
        with store_lock(self.store, wait=wait):
            release = current_release(self.store)
            manifest = None
            if not full and release is not None:
                manifest = read_manifest(manifest_path(release))
            inputs = self._inputs(manifest.inputs if manifest is not None else None)
            built: Build | None = None
            if release is not None and manifest is not None:
                if manifest.inputs.shared == inputs.shared:
                    built = self._update(release, manifest, inputs, steps)
            if built is None:
                store, validation = build_release(
                    self._sources(), self.store, steps=steps, inputs=inputs
                )
                built = Build(store, validation)
        return replace(built, seconds=time.perf_counter() - started)

    def _sources(self) -> Sources:
        return Sources(
            data=self.data,
            ontology=self.root / ONTOLOGY_FILE,
            shapes=self.root / SHAPES_FILE,
            mapping_sets=self.mapping_sets(),
            minter=self._minter,
            prefixes=self.prefixes(),
        )

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

    def _update(
        self, release: Path, manifest: Manifest, inputs: Inputs, steps: Steps
    ) -> Build | None:
        """Bring the current release up to date in place (hold the store's lock); None if only
        a full build can (see :func:`annograph.build._engine.update_release`)."""
        written, removed = manifest.changed_articles(inputs)
        if not written and not removed:
            if inputs.signatures != manifest.inputs.signatures:
                # Remembered, so that the next build need not hash these folders again.
                write_manifest(manifest_path(release), replace(manifest, inputs=inputs))
            info = StoreInfo(self.store.absolute(), release, dict(manifest.quads_per_graph))
            return Build(info, Validation(**manifest.counts, warnings=()), "unchanged")
        update = update_release(
            self._sources(),
            self.store,
            release,
            manifest,
            inputs,
            steps=steps,
            opened=self.open_store(),
        )
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

    def _linked_articles(self, ontology: Ontology) -> list[Article]:
        links, _ = accepted_links(self.mapping_sets(), self._minter.prefixes()["id"])
        return [with_links(article, links) for article in self.load_articles(ontology)]

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

    def entity_iri(self, entity: str) -> str:
        """The IRI of the annotated entity an id, CURIE, IRI or name stands for, as for :meth:`why`.

        Read from the annotations rather than a build, so it works before the first build.

        :raises EntityNotFound: if nothing (or more than one thing) goes by that name.
        """
        articles = self.load_articles()
        id_namespace = self._minter.prefixes()["id"]
        text = entity.strip()
        iri = as_iri(text, prefixes=self.prefixes(), id_namespace=id_namespace)
        ids = {id_namespace + e.id for article in articles for e in article.entities}
        if iri is not None and iri.value in ids:
            return iri.value
        return named(text, name_table(articles), id_namespace=id_namespace).value

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
        :raises AnnographError: see :func:`annograph.project._scaffold.new_article`, or when no
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
        self, format: ExportFormat | str, *, graph: str | None = None, with_ontology: bool = False
    ) -> str:
        """The built store (or one named graph) serialized, as text: for small graphs; a large
        one streams with :meth:`export_to`. See :mod:`annograph.publish._export` for what is
        written.
        """
        buffer = io.BytesIO()
        self.export_to(buffer, format, graph=graph, with_ontology=with_ontology)
        return buffer.getvalue().decode("utf-8")

    def export_to(
        self,
        output: IO[bytes],
        format: ExportFormat | str,
        *,
        graph: str | None = None,
        with_ontology: bool = False,
    ) -> None:
        """Write the built store (or one named graph) to ``output``, a section at a time.

        :param format: an :class:`ExportFormat` or its name, such as ``"nquads"``.
        :raises AnnographError: for an unknown graph.
        :raises ValueError: for an unknown format name.
        """
        export_store(
            self.open_store(),
            output,
            format=ExportFormat.of(format),
            prefixes=self.prefixes(),
            minter=self._minter,
            graph=graph,
            with_ontology=with_ontology,
        )

    def export_void(
        self,
        format: ExportFormat | str,
        *,
        license: str | None = None,
        endpoint: str | None = None,
    ) -> str:
        """The VoID description of :meth:`void`, serialized."""
        triples = self.void(license=license, endpoint=endpoint)
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        prefixes = {**self.prefixes(), **VOID_PREFIXES}
        return export_graph(quads, format=ExportFormat.of(format), prefixes=prefixes)

    def void(self, *, license: str | None = None, endpoint: str | None = None) -> list[ox.Triple]:
        """A VoID description of the built dataset, with one linkset per external target.

        :param license: a licence IRI for ``dcterms:license`` (left out if None).
        :param endpoint: a public SPARQL endpoint for ``void:sparqlEndpoint`` (left out if None).
        """
        store = self.open_store()
        recorded = self._recorded_quads()
        triples = None
        if recorded is not None:
            ontology = recorded.get(ONTOLOGY_IRI, 0)
            triples = sum(recorded.values()) - 2 * ontology  # in its graph and in the default
        return describe_dataset(
            store,
            dataset=self.base_iri + "dataset",
            entity_space=self._minter.prefixes()["id"],
            license=license,
            endpoint=endpoint,
            triples=triples,
        )

    def stats(self) -> Stats:
        """Counts of the built store: triples per graph, entities per class, evidence, links."""
        store = self.open_store()
        return collect_stats(store, quads_per_graph=self._recorded_quads())

    def _recorded_quads(self) -> dict[str, int] | None:
        """The triples of each graph of the current release, as its build recorded them."""
        release = current_release(self.store)
        manifest = read_manifest(manifest_path(release)) if release is not None else None
        return dict(manifest.quads_per_graph) if manifest is not None else None

    def why(self, entity: str, *, limit: int | None = DEFAULT_LIMIT) -> Explanation:
        """Every fact the built graph holds about an entity, with the quotes that support it.

        :param entity: an id (``bishkek``), a CURIE (``id:bishkek``), an IRI, or a name.
        :param limit: the most quotes shown per fact, and facts per property pointing at the
            entity (the explanation counts the others); None shows all.
        :raises EntityNotFound: if nothing (or more than one thing) goes by that name.
        """
        return explain(
            self.open_store(),
            entity,
            prefixes=self.prefixes(),
            id_namespace=self._minter.prefixes()["id"],
            statement=self._minter.statement,
            names=self.names(),
            limit=limit,
        )

    def names(self) -> Index | None:
        """The built store's index of entity names (None for a store built without one).

        :raises StoreError: if there is no store.
        """
        self.open_store()  # (re)opens both when a build has changed them
        cached = self._opened.get("names")
        names = cached[1] if cached is not None else None
        return names if isinstance(names, Index) else None

    def entity_diagram(self, entity: str, *, lang: Language = "en", depth: int = 1) -> Diagram:
        """A picture of an entity and what the built graph links it to
        (:mod:`annograph.reference._diagram`).

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

    def vocabulary(self) -> Vocabulary:
        """Every class, property and concept annotations may use, by the names they take.

        Read from the ontology and the shapes alone: no store, no validation.
        """
        return read_vocabulary(self.load_ontology(), parse_turtle(self.root / SHAPES_FILE))

    def lookup_term(self, name: str, vocabulary: Vocabulary | None = None) -> Term:
        """One term of the vocabulary, in full, with an example of its use.

        The example is the ontology's ``skos:example`` of the term, else its first use in the
        annotations (the articles in order, then ``data/entities/``), else none.

        :param name: its YAML name (any case), ``ag:Name``, its IRI, or one of its labels.
        :raises AnnographError: if no term, or several, have that name.
        """
        term = (vocabulary or self.vocabulary()).lookup(name)
        if term.example is not None:
            return term
        return replace(term, example=first_use(term, self._annotation_files(), root=self.root))

    def _annotation_files(self) -> list[Path]:
        """The articles' annotation files by slug, then the shared entities' files."""
        articles = [directory / ANNOTATIONS_FILE for directory in article_directories(self.data)]
        return [*articles, *shared_entity_files(self.data)]

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
        bound = redirect_services(self.bind(saved, params or {}), services or {})
        if endpoint is not None:
            return query_endpoint(endpoint, bound, auth=auth)
        return run_query(self.open_store(), bound)

    def bind(self, saved: SavedQuery, params: Mapping[str, Sequence[str]]) -> BoundQuery:
        """Bind a saved query's parameters (name -> values; see
        :func:`annograph.query._saved.bind`).

        An IRI parameter also takes an entity's id or name, as ``why`` does (``entity=МОМ``,
        ``entity=iom``): looked up in the built store's index, not scanned for.

        :raises QueryError: for an unknown parameter, a value of the wrong type, or a name that
            names no entity (or several).
        """
        values = {name: list(given) for name, given in params.items()}
        for parameter in saved.parameters:
            if parameter.kind != "iri":
                continue
            given = values.get(parameter.name) or (
                [parameter.default] if parameter.default is not None else []
            )
            values[parameter.name] = [self._reference(parameter, value) for value in given]
        return bind(saved, values, prefixes=self.prefixes())

    def _reference(self, parameter: Parameter, value: str) -> str:
        """An IRI parameter's value: as given if it is an IRI or a CURIE, else the IRI of the
        entity with that id or name (when there is a built store to look in)."""
        prefixes, id_namespace = self.prefixes(), self._minter.prefixes()["id"]
        if current_release(self.store) is None:
            return value
        if is_iri_value(value, prefixes):
            given = as_iri(value.strip(), prefixes=prefixes, id_namespace=id_namespace)
            # Any IRI is a value (a class, a place elsewhere); one of the data's ids must name
            # an entity, as for 'why', or a mistyped id would answer with nothing.
            if given is None or not given.value.startswith(id_namespace):
                return value
            if not self._is_entity(given):
                raise UnknownEntity(
                    f"parameter '{parameter.name}': no entity <{given.value}> in the graph",
                    location=parameter.location,
                    hint=closest(given.value.removeprefix(id_namespace), self._entity_ids())
                    or IRI_HINT,
                )
            return value
        try:
            iri = resolve_entity(
                self.open_store(),
                value,
                prefixes=prefixes,
                id_namespace=id_namespace,
                names=self.names(),
            )
        except AmbiguousName as error:
            raise QueryError(
                f"parameter '{parameter.name}': {error.message}",
                location=parameter.location,
                hint=error.hint,
            ) from error
        except EntityNotFound as error:
            raise UnknownEntity(
                f"parameter '{parameter.name}' needs an IRI, not '{value}'",
                location=parameter.location,
                hint=error.hint
                if error.hint and error.hint.startswith("did you mean")
                else IRI_HINT,
            ) from error
        return iri.value

    def _is_entity(self, iri: ox.NamedNode) -> bool:
        """Whether the built graph has facts about ``iri``."""
        found = self.open_store().quads_for_pattern(iri, None, None, ox.DefaultGraph())
        return next(iter(found), None) is not None

    def _entity_ids(self) -> list[str]:
        """Every entity id of the build's index (for a 'did you mean' hint: a scan)."""
        names = self.names()
        return names.all_ids() if names is not None else []

    def push(
        self,
        target: Target,
        *,
        keep_extra: bool = False,
        progress: Callable[[PushedGraph], None] | None = None,
    ) -> Pushed:
        """Make another triple store hold the built graphs (see :mod:`annograph.publish._push`):
        each written, and the project's graphs the build no longer has deleted (or
        ``keep_extra``)."""
        namespaces = (self.base_iri, ONTOLOGY_IRI)
        store = self.open_store()
        return push_store(
            store, target, namespaces=namespaces, keep_extra=keep_extra, progress=progress
        )


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
        if isinstance(triple.object, ox.NamedNode) and triple.predicate != RDF_TYPE:
            yield triple.object


def _modified(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _path(value: object, name: str) -> Path:
    """``value`` as a path: a :class:`~pathlib.Path`, or a string or path-like a user wrote."""
    if isinstance(value, Path):
        return value
    if isinstance(value, str | os.PathLike):
        return Path(value)
    raise TypeError(f"{name} must be a path or a string, not {type(value).__name__}")
