"""Project: a thin facade over the stages of the pipeline, most methods one call into a stage.

It knows where a project keeps its files (its root, data folder, store and configuration) and
hands them to the stage that does the work: reading and checking in :mod:`annograph.annotations`,
builds in :mod:`annograph.build`, and so on. What it takes and returns is in :mod:`annograph`.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import IO, Any, cast

import httpx
import pyoxigraph as ox

from annograph._languages import Language
from annograph._progress import Progress, Steps
from annograph.annotations._corpus import Corpus, load_corpus
from annograph.annotations._layout import (
    ANNOTATIONS_FILE,
    ARTICLES,
    DATA_DIR,
    article_directories,
    shared_entity_files,
)
from annograph.annotations._model import Article
from annograph.annotations._ontology import (
    ONTOLOGY_IRI,
    PREFIXES,
    Ontology,
    load_ontology,
    parse_turtle,
)
from annograph.annotations._summaries import Index
from annograph.annotations._terms import Term, Vocabulary, read_vocabulary
from annograph.annotations._usage import first_use
from annograph.build._engine import (
    BUILD_STEPS,
    Build,
    Sources,
    Validation,
    build_project,
    dataset_quads,
    reason_over,
    validate_sources,
)
from annograph.build._graph import DEFAULT_BASE_IRI, Minter
from annograph.build._shapes import Shapes, load_shapes
from annograph.build._store import (
    OpenedStore,
    current_release,
    recorded_quads,
)
from annograph.errors import (
    ProjectError,
    SourceLocation,
    StoreError,
)
from annograph.linking._accepted import linked_articles
from annograph.linking._review import pending_links, record_verdicts
from annograph.linking._sources import Source, open_source
from annograph.linking._sssom import (
    LINKS,
    MappingRow,
    MappingSet,
    read_mapping_sets,
)
from annograph.linking._suggest import Suggested, suggest_links
from annograph.project._config import Config, Endpoint, check_base_iri, load_config
from annograph.project._scaffold import NewArticle, article_language, init_project, new_article
from annograph.publish._export import ExportFormat, export_graph, export_store
from annograph.publish._push import Pushed, PushedGraph, Target, push_store
from annograph.publish._stats import Stats, collect_stats
from annograph.publish._void import VOID_PREFIXES, describe_dataset, recorded_triples
from annograph.query._binding import Built, bind_for_project
from annograph.query._evidence import (
    DEFAULT_LIMIT,
    Explanation,
    annotated_entity,
    explain,
)
from annograph.query._remote import query_endpoint
from annograph.query._rows import Rows, parameter_values, rows_of
from annograph.query._saved import (
    BoundQuery,
    QueryResult,
    SavedQuery,
    find_query,
    redirect_services,
    run_query,
    saved_queries,
)
from annograph.reference._diagram import Diagram, article_diagram, entity_diagram
from annograph.reference._docs import DOCS_DIR, Articles, Docs, write_docs

ONTOLOGY_FILE = Path("ontology") / "annograph.ttl"
SHAPES_FILE = Path("ontology") / "shapes.ttl"
QUERIES_DIR = Path("queries")
DEFAULT_STORE = Path(".annograph") / "store"


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
    _opened: OpenedStore = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A user writes Project("."): paths given as strings are taken as paths.
        for name in ("root", "store_path", "data_path"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _path(value, name))
        check_base_iri(self.base_iri)
        object.__setattr__(self, "_minter", Minter(self.base_iri))
        opened = OpenedStore(
            self.store, articles=self.data / ARTICLES, annotations_file=ANNOTATIONS_FILE
        )
        object.__setattr__(self, "_opened", opened)

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

        :raises StoreError: if there is no store.
        """
        return self._opened.store()

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
        reason_over(self._sources())

    def quads(self) -> list[ox.Quad]:
        """The whole validated dataset, in memory, as a build writes it: the ontology's graph,
        one graph per article, the shared entities' graph, and their facts once in the default
        graph. For small projects and tests; a build streams it instead."""
        return dataset_quads(self._sources())

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
        return build_project(
            self._sources(),
            self.store,
            opened=self.open_store,
            wait=wait,
            progress=progress,
            full=full,
        )

    def _sources(self) -> Sources:
        return Sources(
            data=self.data,
            ontology=self.root / ONTOLOGY_FILE,
            shapes=self.root / SHAPES_FILE,
            mapping_sets=self.mapping_sets(),
            minter=self._minter,
            prefixes=self.prefixes(),
        )

    @property
    def links_dir(self) -> Path:
        return self.data / LINKS

    def mapping_sets(self) -> list[MappingSet]:
        """The SSSOM mapping files of ``data/links/``, by file name."""
        return read_mapping_sets(self.data)

    def suggest_links(
        self,
        source: Source | str,
        *,
        output: Path | str | None = None,
        today: date | None = None,
    ) -> Suggested:
        """Reconcile the entities against ``source``; add new candidates to an SSSOM file.

        Entities already linked to one of their candidates are left alone; rows already in the
        file (pending, accepted or rejected) are kept as they are, so a rejected candidate is
        never suggested again.

        :param source: where candidates come from: a :class:`Source` or what
            :func:`open_source` takes (``"geonames"``, an RDF file, an endpoint's URL).
        :param output: the mapping file; ``data/links/SOURCE-NAME.sssom.tsv`` by default.
        """
        source = _source(source)
        ontology = self.load_ontology()
        articles = linked_articles(
            self.load_articles(ontology), self.mapping_sets(), self._minter.prefixes()["id"]
        )
        return suggest_links(
            articles,
            ontology,
            source,
            path=_path(output, "output") if output else self.links_dir / f"{source.name}.sssom.tsv",
            iris={e.id: self._minter.entity(e.id).value for a in articles for e in a.entities},
            prefixes=self.prefixes(),
            base_iri=self.base_iri,
            today=today,
        )

    def pending_links(self) -> list[tuple[MappingSet, MappingRow]]:
        """Rows of the mapping files that no one has reviewed yet."""
        return pending_links(self.mapping_sets())

    def entity_iri(self, entity: str) -> str:
        """The IRI of the annotated entity an id, CURIE, IRI or name stands for, as for :meth:`why`.

        Read from the annotations rather than a build, so it works before the first build.

        :raises EntityNotFound: if nothing (or more than one thing) goes by that name.
        """
        return annotated_entity(
            entity,
            self.load_articles(),
            prefixes=self.prefixes(),
            id_namespace=self._minter.prefixes()["id"],
        ).value

    def review_links(
        self, verdicts: Mapping[tuple[Path, tuple[str, str]], bool], *, reviewer: str
    ) -> int:
        """Record verdicts (mapping file, (subject_id, object_id)) -> accepted?; the count."""
        return record_verdicts(self.mapping_sets(), verdicts, reviewer=reviewer)

    def new_article(
        self,
        slug: str,
        text: bytes | str,
        *,
        language: str | None = None,
        title: str | None = None,
        url: str | None = None,
        published: str | None = None,
        source: str = "the source",
    ) -> NewArticle:
        """Create ``data/articles/SLUG/`` with the text and an annotation skeleton.

        :param text: the article's text (bytes as read from a file, or a string).
        :param language: the article's language; by default the one all articles here are in.
        :raises AnnographError: see :func:`annograph.project._scaffold.new_article`, or when no
            language is given and the project's articles do not agree on one.
        """
        return new_article(
            self.data,
            slug,
            text.encode("utf-8") if isinstance(text, str) else text,
            language=article_language(self.data, language),
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
        return describe_dataset(
            self.open_store(),
            dataset=self.base_iri + "dataset",
            entity_space=self._minter.prefixes()["id"],
            license=license,
            endpoint=endpoint,
            triples=recorded_triples(recorded_quads(self.store)),
        )

    def stats(self) -> Stats:
        """Counts of the built store: triples per graph, entities per class, evidence, links."""
        return collect_stats(self.open_store(), quads_per_graph=recorded_quads(self.store))

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
        return self._opened.names()

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

    def write_docs(self, output: Path | str | None = None, *, lang: Language = "en") -> Docs:
        """Write the ontology's and saved queries' reference pages and a data-model diagram,
        and, if the project has a built store, a page of each article with its evidence marked.

        :param output: the directory; ``docs/reference`` in the project by default.
        """
        try:
            articles = Articles(self.open_store(), self.data / ARTICLES)
        except StoreError:
            articles = None  # not built yet: the reference pages alone
        return write_docs(
            self.load_ontology(),
            self.saved_queries(),
            _path(output, "output") if output else self.root / DOCS_DIR,
            prefixes=self.prefixes(),
            lang=lang,
            articles=articles,
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
        default_graph: str | None = None,
    ) -> QueryResult:
        """Run a saved query, binding ``params`` (name -> values), as pyoxigraph's result.

        The result is what the command line renders in the SPARQL results formats;
        :meth:`query` gives the same answer as Python values.

        :param services: SERVICE endpoint IRI or alias (``wikidata``) -> the URL to query
            instead, e.g. a local mirror.
        :param endpoint: a SPARQL endpoint to run it on instead of the built store: its URL,
            or its name in the configuration (whose ``default_graph`` then applies).
        :param auth: credentials for ``endpoint``.
        :param default_graph: the named graph that holds the facts on ``endpoint`` (an engine
            whose default graph is the union of its graphs, such as Virtuoso).
        """
        saved = self.find_query(name_or_path)
        bound = redirect_services(self.bind(saved, params or {}), services or {})
        if endpoint is not None:
            configured = self.endpoint(endpoint)
            default_graph = default_graph or configured.default_graph
            return query_endpoint(
                configured.url,
                bound,
                auth=auth,
                default_graph=default_graph,
                named_graphs=self._pushed_graphs() if default_graph is not None else None,
            )
        return run_query(self.open_store(), bound)

    def _pushed_graphs(self) -> list[str] | None:
        """The named graphs of the build, which ``push`` gives an endpoint; None unbuilt."""
        if not self.store.is_dir():
            return None
        return sorted(
            g.value for g in self.open_store().named_graphs() if isinstance(g, ox.NamedNode)
        )

    def bind(self, saved: SavedQuery, params: Mapping[str, Sequence[str]]) -> BoundQuery:
        """Bind a saved query's parameters (name -> values; see
        :func:`annograph.query._saved.bind`).

        An IRI parameter also takes an entity's id or name, as ``why`` does (``entity=МОМ``,
        ``entity=iom``): looked up in the built store's index, not scanned for.

        :raises QueryError: for an unknown parameter, a value of the wrong type, or a name that
            names no entity (or several).
        """
        built = None
        if current_release(self.store) is not None:
            built = Built(self.open_store, self.names)
        return bind_for_project(
            saved,
            params,
            prefixes=self.prefixes(),
            id_namespace=self._minter.prefixes()["id"],
            built=built,
        )

    def _target(self, value: object) -> Target:
        """Where to push: a :class:`Target`, or an endpoint's configured name or query URL (the
        Graph Store beside it as configured, else Oxigraph's ``/store``)."""
        if isinstance(value, Target):
            return value
        if not isinstance(value, str):
            raise TypeError(f"target must be a Target or a string, not {type(value).__name__}")
        endpoint = self.endpoint(value)
        return Target(
            endpoint=endpoint.url,
            graph_store=endpoint.store_url,
            default_graph=endpoint.default_graph,
        )

    def push(
        self,
        target: Target | str,
        *,
        keep_extra: bool = False,
        progress: Callable[[PushedGraph], None] | None = None,
    ) -> Pushed:
        """Make another triple store hold the built graphs (see :mod:`annograph.publish._push`):
        each written, and the project's graphs the build no longer has deleted (or
        ``keep_extra``)."""
        target = self._target(target)  # a wrong type fails before anything is opened
        return push_store(
            self.open_store(),
            target,
            namespaces=(self.base_iri, ONTOLOGY_IRI),
            keep_extra=keep_extra,
            progress=progress,
        )


def _source(value: object) -> Source:
    """A source of candidates: a :class:`Source`, or the spec :func:`open_source` takes."""
    if isinstance(value, str):
        return open_source(value)
    if callable(getattr(value, "candidates", None)):
        return cast(Source, value)
    raise TypeError(f"source must be a Source or a string, not {type(value).__name__}")


def _path(value: object, name: str) -> Path:
    """``value`` as a path: a :class:`~pathlib.Path`, or a string or path-like a user wrote."""
    if isinstance(value, Path):
        return value
    if isinstance(value, str | os.PathLike):
        return Path(value)
    raise TypeError(f"{name} must be a path or a string, not {type(value).__name__}")
