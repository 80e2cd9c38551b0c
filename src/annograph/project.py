"""A project directory and the pipeline over it: annotations -> graph -> store -> export/query."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from annograph.annotations import load_articles
from annograph.errors import AnnographError, AnnotationErrors, ProjectError, SourceLocation
from annograph.evidence import Explanation, explain
from annograph.export import ExportFormat, export_graph, select_quads
from annograph.graph import DEFAULT_BASE_IRI, Minter, origins
from annograph.model import Article
from annograph.ontology import (
    ONTOLOGY_IRI,
    PREFIXES,
    RDF_TYPE,
    Ontology,
    load_ontology,
    short_iri,
)
from annograph.queries import QueryResult, SavedQuery, bind, find_query, run_query, saved_queries
from annograph.reasoning import Inconsistency, find_conflict
from annograph.shapes import Shapes, check_shapes, load_shapes
from annograph.store import StoreInfo, build_store, open_store
from annograph.void import VOID_PREFIXES, describe_dataset

ONTOLOGY_FILE = Path("ontology") / "annograph.ttl"
SHAPES_FILE = Path("ontology") / "shapes.ttl"
QUERIES_DIR = Path("queries")
DEFAULT_STORE = Path(".annograph") / "store"


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
    """A finished build: the store written and the validation it passed."""

    store: StoreInfo
    validation: Validation


@dataclass(frozen=True, slots=True)
class _Checked:
    """Validated articles as triples with their origins, one mapping per named graph."""

    ontology: Ontology
    graphs: dict[str, dict[ox.Triple, SourceLocation]]
    validation: Validation

    def union(self) -> dict[ox.Triple, SourceLocation]:
        """All article triples with their origins."""
        return _union(self.graphs)

    def quads(self) -> list[ox.Quad]:
        ontology = ox.NamedNode(ONTOLOGY_IRI)
        quads = [ox.Quad(t.subject, t.predicate, t.object, ontology) for t in self.ontology.triples]
        for name, triples in self.graphs.items():
            graph = ox.NamedNode(name)
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        return quads


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
        return self._check().quads()

    def build(self, *, wait: float = 0) -> Build:
        """Validate, then replace the store with the new graph atomically.

        :param wait: seconds to wait for another build of the same store (0: refuse at once).
        :raises AnnotationErrors: if anything is invalid (the store is left untouched).
        :raises StoreError: if another build of the same store is still running.
        """
        checked = self._check()
        store = build_store(checked.quads(), path=self.store, wait=wait)
        return Build(store, checked.validation)

    def _check(self) -> _Checked:
        ontology = self.load_ontology()
        articles = self.load_articles(ontology)
        graphs = {self.article_graph(a.slug): origins(a, minter=self._minter) for a in articles}
        problems = check_shapes(
            _union(graphs),
            ontology=ontology,
            shapes=self.load_shapes(ontology),
            prefixes=self.prefixes(),
        )
        if any(problem.severity == "error" for problem in problems):
            raise AnnotationErrors(problems)
        return _Checked(ontology, graphs, _validation(articles, tuple(problems)))

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
            open_store(self.store),
            dataset=self.base_iri + "dataset",
            entity_space=self._minter.prefixes()["id"],
            license=license,
            endpoint=endpoint,
        )

    def why(self, entity: str) -> Explanation:
        """Every fact the built graph holds about an entity, with the quotes that support it.

        :param entity: an id (``bishkek``), a CURIE (``id:bishkek``), an IRI, or a name.
        :raises EntityNotFound: if nothing (or more than one thing) goes by that name.
        """
        return explain(
            open_store(self.store),
            entity,
            prefixes=self.prefixes(),
            id_namespace=self._minter.prefixes()["id"],
        )

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


def _union(
    graphs: Mapping[str, dict[ox.Triple, SourceLocation]],
) -> dict[ox.Triple, SourceLocation]:
    """The triples of all graphs; where two articles say the same triple, the first one's origin."""
    union: dict[ox.Triple, SourceLocation] = {}
    for triples in graphs.values():
        for triple, location in triples.items():
            union.setdefault(triple, location)
    return union


def _entities_in(triples: tuple[ox.Triple, ...]) -> Iterator[ox.NamedNode]:
    """The things the triples are about: subjects, and objects other than classes and values."""
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode):
            yield triple.subject
        if isinstance(triple.object, ox.NamedNode) and triple.predicate.value != RDF_TYPE:
            yield triple.object


def _validation(articles: list[Article], warnings: tuple[AnnographError, ...]) -> Validation:
    entities = [entity for article in articles for entity in article.entities]
    facts = [
        *(fact for article in articles for fact in article.facts),
        *(fact for entity in entities for fact in entity.facts),
    ]
    return Validation(
        articles=len(articles),
        entities=len(entities),
        facts=sum(len(fact.values) for fact in facts),
        quotes=sum(len(fact.evidence) for fact in facts)
        + sum(len(entity.mentions) for entity in entities),
        links=sum(len(entity.links) for entity in entities),
        warnings=warnings,
    )


def _check_base_iri(base: str) -> None:
    try:
        ox.NamedNode(base)
    except ValueError as error:
        raise ProjectError(f"invalid base IRI '{base}': {error}") from error
    if not base.endswith(("/", "#")):
        raise ProjectError(f"base IRI '{base}' must end with '/' or '#'", hint=f"try '{base}/'")
