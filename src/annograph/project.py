"""A project directory and the pipeline over it: annotations -> graph -> store -> export/query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from annograph.annotations import load_articles
from annograph.errors import ProjectError, SourceLocation
from annograph.export import ExportFormat, export_graph, select_quads
from annograph.graph import DEFAULT_BASE_IRI, Minter, build_graph
from annograph.model import Article
from annograph.ontology import ONTOLOGY_IRI, PREFIXES, Ontology, load_ontology
from annograph.queries import QueryResult, SavedQuery, bind, find_query, run_query, saved_queries
from annograph.store import StoreInfo, build_store, open_store

ONTOLOGY_FILE = Path("ontology") / "annograph.ttl"
QUERIES_DIR = Path("queries")
DEFAULT_STORE = Path(".annograph") / "store"


@dataclass(frozen=True)
class Project:
    """An annograph project: ``ontology/``, ``data/articles/``, ``queries/`` and a store.

    :param root: the project directory.
    :param base_iri: the namespace under which entity, article and evidence IRIs are minted.
    :param store_path: where the store is; ``.annograph/store`` in the project by default.
    """

    root: Path
    base_iri: str = DEFAULT_BASE_IRI
    store_path: Path | None = None
    _minter: Minter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_base_iri(self.base_iri)
        object.__setattr__(self, "_minter", Minter(self.base_iri))

    @classmethod
    def discover(
        cls, start: Path, *, base_iri: str | None = None, store_path: Path | None = None
    ) -> Project:
        """The project containing ``start`` (the nearest directory with ``ontology/annograph.ttl``).

        :raises ProjectError: if neither ``start`` nor a parent is a project.
        """
        start = start.absolute()
        for directory in (start, *start.parents):
            if (directory / ONTOLOGY_FILE).is_file():
                return cls(directory, base_iri or DEFAULT_BASE_IRI, store_path)
        raise ProjectError(
            f"not an annograph project (no {ONTOLOGY_FILE} here or in a parent directory)",
            location=SourceLocation(start),
            hint="run annograph inside the project, or pass --project DIR",
        )

    @property
    def store(self) -> Path:
        """The store's path (a link to the current release)."""
        return self.store_path or self.root / DEFAULT_STORE

    @property
    def queries_dir(self) -> Path:
        return self.root / QUERIES_DIR

    def prefixes(self) -> dict[str, str]:
        """Vocabulary prefixes plus this project's own (``id:``, ``ev:`` ...)."""
        return {**PREFIXES, **self._minter.prefixes()}

    def load_ontology(self) -> Ontology:
        """Parse ``ontology/annograph.ttl``."""
        return load_ontology(self.root / ONTOLOGY_FILE)

    def load_articles(self, ontology: Ontology | None = None) -> list[Article]:
        """Load and check every article's annotations against the ontology."""
        return load_articles(self.root, ontology or self.load_ontology())

    def quads(self) -> list[ox.Quad]:
        """The whole dataset: the ontology's graph and one graph per article."""
        ontology = self.load_ontology()
        articles = self.load_articles(ontology)
        graph = ox.NamedNode(ONTOLOGY_IRI)
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in ontology.triples]
        for article in articles:
            quads.extend(build_graph(article, minter=self._minter))
        return quads

    def build(self) -> StoreInfo:
        """Check all annotations, then replace the store with the new graph atomically.

        :raises AnnotationErrors: if any annotation is invalid (the store is left untouched).
        """
        return build_store(self.quads(), path=self.store)

    def article_graph(self, slug: str) -> str:
        """The IRI of an article's named graph."""
        return self._minter.graph(slug).value

    def export(
        self, format: ExportFormat, *, graph: str | None = None, with_ontology: bool = False
    ) -> str:
        """Serialize the built store (all article graphs, or one graph)."""
        store = open_store(self.store)
        quads = select_quads(store, graph=graph, with_ontology=with_ontology)
        return export_graph(quads, format=format, prefixes=self.prefixes())

    def saved_queries(self) -> list[SavedQuery]:
        """The project's saved queries (``queries/*.rq``), by name."""
        return saved_queries(self.queries_dir)

    def find_query(self, name_or_path: str) -> SavedQuery:
        """A saved query by name, a path to a ``.rq`` file, or ``-`` for standard input."""
        return find_query(name_or_path, directory=self.queries_dir)

    def query(
        self, name_or_path: str, params: Mapping[str, Sequence[str]] | None = None
    ) -> QueryResult:
        """Run a saved query against the built store, binding ``params`` (name -> values)."""
        saved = self.find_query(name_or_path)
        bound = bind(saved, params or {}, prefixes=self.prefixes())
        return run_query(open_store(self.store), bound)


def _check_base_iri(base: str) -> None:
    try:
        ox.NamedNode(base)
    except ValueError as error:
        raise ProjectError(f"invalid base IRI '{base}': {error}") from error
    if not base.endswith(("/", "#")):
        raise ProjectError(f"base IRI '{base}' must end with '/' or '#'", hint=f"try '{base}/'")
