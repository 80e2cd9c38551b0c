"""The full build as a stream: each article read, checked and turned into quads on its own.

Nothing holds the corpus in memory. Worker processes (forked, so they inherit the ontology,
the shapes and the shared entities) take the articles a few at a time: each is read, linked,
summarized, turned into triples, checked against the shapes of its own nodes and serialized as
N-Quads, its graph and its facts in the default graph. The parent process adds each summary to
the build's index (SQLite) and streams the N-Quads into Oxigraph's bulk loader, which sorts and
writes them in bounded memory. Only a few articles are in flight at any moment: a worker waits
while the loader is behind.

Once every article is in: the checks across articles run as queries over the index, the shared
entities' shapes are checked with the triples around them in the default graph (every article's
facts about them, once), and the mapping rows are checked against the ids the index knows.
Errors are reported by stage, as a check of the whole corpus reports them: reading errors first
(with the errors across articles), then links, then shapes.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from annograph.annotations._model import Entity, Link
from annograph.annotations._ontology import ONTOLOGY_IRI, Ontology
from annograph.annotations._reader import load_article
from annograph.annotations._summaries import Index, Summary, summarize
from annograph.build._graph import Minter, origins, shared_origins
from annograph.build._manifest import digest_triples
from annograph.build._shapes import Shapes, Term, article_shape_problems, store_shape_problems
from annograph.errors import AnnographError, AnnotationErrors, SourceLocation
from annograph.linking._accepted import check_link_kinds, linked, with_links

#: Below this many articles, starting worker processes costs more than it saves.
PARALLEL_FROM = 64
#: Articles a worker takes at a time: enough to make sending them back cheap.
BATCH = 8
#: Batches in flight per worker: the parent's memory holds at most this many finished ones.
AHEAD = 2


@dataclass(frozen=True, slots=True)
class Setting:
    """What checking an article needs; forked workers inherit it."""

    ontology: Ontology
    shapes: Shapes
    shared: Mapping[str, Entity]
    #: The links accepted in the mapping files, by entity id.
    links: Mapping[str, Sequence[Link]]
    minter: Minter
    prefixes: Mapping[str, str]
    #: The ontology as the shapes engine reads it (:func:`annograph.build._shapes.ontology_data`).
    ontology_text: bytes
    #: Whether the store gets each article's whole graph (a build) or only the facts (a
    #: validation, which needs the facts for the shared entities' shapes).
    graphs: bool = True
    shared_iris: frozenset[ox.NamedNode] = field(default=frozenset())

    def __post_init__(self) -> None:
        iris = frozenset(self.minter.entity(entity_id) for entity_id in self.shared)
        object.__setattr__(self, "shared_iris", iris)


@dataclass(frozen=True, slots=True)
class CheckedArticle:
    """One article, read and checked: what a worker sends back."""

    slug: str
    summary: Summary | None
    #: Its graph and its facts as N-Quads (nothing if it has errors).
    data: bytes = b""
    #: The quads of its named graph.
    quads: int = 0
    #: Problems by stage: reading (the article is then not checked further), links, shapes.
    errors: tuple[AnnographError, ...] = ()
    link_problems: tuple[AnnographError, ...] = ()
    shape_problems: tuple[AnnographError, ...] = ()


@dataclass(slots=True)
class Outcome:
    """What streaming every article into a store found: counts and problems by stage."""

    quads_per_graph: dict[str, int] = field(default_factory=dict)
    errors: list[AnnographError] = field(default_factory=list)
    link_problems: list[AnnographError] = field(default_factory=list)
    shape_problems: list[AnnographError] = field(default_factory=list)
    #: Shared entities some article mentions, by id (the shared graph is made of them).
    mentioned: list[str] = field(default_factory=list)
    #: A hash of the shared graph (None if there is none), for the manifest.
    shared_digest: str | None = None


def check_article(directory: Path, setting: Setting) -> CheckedArticle:
    """Read one article folder and check it; its graph serialized if it has no error."""
    slug = directory.name
    try:
        article = load_article(directory, setting.ontology, shared=setting.shared)
    except AnnotationErrors as failure:
        return CheckedArticle(slug, None, errors=tuple(failure.errors))
    article = with_links(article, setting.links)
    summary = summarize(article)
    link_problems = tuple(check_link_kinds([article], setting.ontology))
    located = origins(article, minter=setting.minter)
    read = [t for t in located if setting.shapes.relevant(t)]
    unread = (
        [t for t in located if not setting.shapes.relevant(t)] if len(read) < len(located) else []
    )
    text = ox.serialize(read, format=ox.RdfFormat.N_TRIPLES) or b""
    shape_problems = tuple(
        article_shape_problems(
            located,
            text,
            ontology_text=setting.ontology_text,
            shapes=setting.shapes,
            prefixes=setting.prefixes,
            leave=setting.shared_iris,
        )
    )
    failed = link_problems or any(p.severity == "error" for p in shape_problems)
    graph = setting.minter.graph(slug)
    if failed:
        data = b""
    else:
        # Each triple serialized once: those the shapes read, then the others.
        text += ox.serialize(unread, format=ox.RdfFormat.N_TRIPLES) or b""
        data = _nquads(located, text, graph, setting)
    return CheckedArticle(slug, summary, data, len(located), (), link_problems, shape_problems)


def _nquads(
    triples: Iterable[ox.Triple], text: bytes, graph: ox.NamedNode, setting: Setting
) -> bytes:
    """The article's graph (from its N-Triples ``text``) and its facts in the default graph."""
    facts = [t for t in triples if not setting.minter.is_evidence(t)]
    in_default = ox.serialize(facts, format=ox.RdfFormat.N_TRIPLES) or b""
    if not setting.graphs:
        return in_default
    # An N-Triples line ends in " .\n" and nowhere else (a literal's line breaks are escaped).
    return text.replace(b" .\n", b" " + str(graph).encode() + b" .\n") + in_default


def graph_nquads(triples: Iterable[ox.Triple], graph: ox.NamedNode, setting: Setting) -> bytes:
    """A graph made of several articles' inputs (the ontology's, the shared entities'), as
    N-Quads: in its named graph and, all of it being facts, in the default graph."""
    triples = list(triples)
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    if not setting.graphs:
        return text
    return text.replace(b" .\n", b" " + str(graph).encode() + b" .\n") + text


def stream_articles(
    directories: Sequence[Path],
    setting: Setting,
    *,
    store: Callable[[], ox.Store],
    index: Index,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ox.Store, Outcome]:
    """Check every article and stream them, with the ontology and the shared entities, into
    the store that ``store`` opens (called once the workers have started, so that they fork
    from a process that holds no open store).

    :param index: the build's index, to which each article's summary is added.
    :param progress: called with (articles done, articles) after each article.
    """
    outcome = Outcome()
    with _checked(directories, setting) as checked:
        opened = store()
        # As terms, not text: a loader parsing text would give its blank nodes new labels in
        # every build, and the same ontology would make another store each time.
        opened.bulk_extend(_ontology_quads(setting))
        outcome.quads_per_graph[ONTOLOGY_IRI] = len(setting.ontology.triples)

        def chunks() -> Iterator[bytes]:
            for done, article in enumerate(checked, start=1):
                yield _taken(article, index, outcome, setting)
                if progress is not None:
                    progress(done, len(directories))
            outcome.mentioned = sorted(index.shared_mentioned())
            shared = shared_graph(outcome.mentioned, setting)
            if shared:
                graph = setting.minter.shared_graph()
                yield graph_nquads(shared, graph, setting)
                outcome.quads_per_graph[graph.value] = len(shared)
                outcome.shared_digest = digest_triples(shared)

        feed = _Feed(chunks())
        opened.bulk_load(io.BufferedReader(feed, 1 << 20), format=ox.RdfFormat.N_QUADS)
        feed.raise_failure()
    return opened, outcome


def _ontology_quads(setting: Setting) -> Iterator[ox.Quad]:
    """The ontology in its named graph and, being facts, in the default graph."""
    graph = ox.NamedNode(ONTOLOGY_IRI)
    for triple in setting.ontology.triples:
        if setting.graphs:
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
        yield ox.Quad(triple.subject, triple.predicate, triple.object)


def _taken(article: CheckedArticle, index: Index, outcome: Outcome, setting: Setting) -> bytes:
    """Record a checked article (its summary, counts and problems); the bytes to load."""
    outcome.errors.extend(article.errors)
    outcome.link_problems.extend(article.link_problems)
    outcome.shape_problems.extend(article.shape_problems)
    if article.summary is not None:
        index.add([article.summary])
    if article.data:
        outcome.quads_per_graph[setting.minter.graph(article.slug).value] = article.quads
    return article.data


def shared_graph(mentioned: Iterable[str], setting: Setting) -> dict[ox.Triple, SourceLocation]:
    """The shared graph: the identity links and notes of the shared entities articles mention.

    Their links include those the mapping files accept, as each article's mention has them.
    """
    entities = [
        linked(setting.shared[entity_id], setting.links.get(entity_id, ()))
        for entity_id in mentioned
        if entity_id in setting.shared
    ]
    return shared_origins(entities, minter=setting.minter)


def check_shared_shapes(
    store: ox.Store,
    mentioned: Collection[str],
    setting: Setting,
    *,
    locate: Callable[[Collection[Term]], Mapping[ox.Triple, SourceLocation]],
) -> list[AnnographError]:
    """The shapes of the shared entities the articles mention, over the default graph."""
    focus = [setting.minter.entity(entity_id) for entity_id in sorted(mentioned)]
    return store_shape_problems(
        store,
        focus,
        ontology_text=setting.ontology_text,
        shapes=setting.shapes,
        prefixes=setting.prefixes,
        locate=locate,
    )


def origins_around(
    nodes: Collection[Term],
    slugs: Iterable[str],
    articles: Path,
    setting: Setting,
    mentioned: Iterable[str],
) -> dict[ox.Triple, SourceLocation]:
    """Where the triples about ``nodes`` (or pointing at them) were said: the articles
    ``slugs`` read again, in order, and the shared graph. The first place that says a triple
    wins, as in a check of the whole corpus."""
    located: dict[ox.Triple, SourceLocation] = {}
    for slug in slugs:
        article = with_links(
            load_article(articles / slug, setting.ontology, shared=setting.shared), setting.links
        )
        for triple, where in origins(article, minter=setting.minter).items():
            if triple.subject in nodes or triple.object in nodes:
                located.setdefault(triple, where)
    for triple, where in shared_graph(mentioned, setting).items():
        located.setdefault(triple, where)
    return located


# -- the workers ------------------------------------------------------------------------------


class _checked:  # noqa: N801 - a context manager used like a function
    """The articles checked in order: by worker processes for a large corpus, else here."""

    def __init__(self, directories: Sequence[Path], setting: Setting) -> None:
        self._directories = directories
        self._setting = setting
        self._pool: Any = None

    def __enter__(self) -> Iterator[CheckedArticle]:
        workers = min(len(os.sched_getaffinity(0)), len(self._directories) // BATCH + 1)
        if len(self._directories) < PARALLEL_FROM or workers < 2:
            return (check_article(d, self._setting) for d in self._directories)
        # Forked workers inherit the setting instead of unpickling it.
        context = multiprocessing.get_context("fork")
        self._pool = context.Pool(workers, _start_worker, (self._setting,))
        return _in_order(self._pool, self._directories, ahead=workers * AHEAD)

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def _in_order(pool: Any, directories: Sequence[Path], *, ahead: int) -> Iterator[CheckedArticle]:
    """The workers' results in article order, with at most ``ahead`` batches in flight."""
    batches = iter([directories[i : i + BATCH] for i in range(0, len(directories), BATCH)])
    pending = deque(pool.apply_async(_check_batch, (batch,)) for batch in islice(batches, ahead))
    while pending:
        done = pending.popleft().get()
        following = next(batches, None)
        if following is not None:
            pending.append(pool.apply_async(_check_batch, (following,)))
        yield from done


_setting: Setting | None = None


def _start_worker(setting: Setting) -> None:
    global _setting
    _setting = setting


def _check_batch(directories: Sequence[Path]) -> list[CheckedArticle]:
    assert _setting is not None, "not started by _start_worker"
    return [check_article(directory, _setting) for directory in directories]


class _Feed(io.RawIOBase):
    """Bytes from an iterator of chunks, as the file the bulk loader reads.

    A failure while making the chunks (or an interrupt) ends the stream early and is kept, to
    be raised once the loader has returned: raised inside ``read``, it would reach the caller
    only as the loader's I/O error.
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._current = memoryview(b"")
        self._failure: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._current:
            if self._failure is not None:
                return 0
            try:
                self._current = memoryview(next(self._chunks))
            except StopIteration:
                return 0
            except BaseException as failure:  # noqa: BLE001 - re-raised by raise_failure
                self._failure = failure
                return 0
        size = min(len(buffer), len(self._current))
        buffer[:size] = self._current[:size]
        self._current = self._current[size:]
        return size

    def raise_failure(self) -> None:
        """Raise what stopped the stream, if anything did."""
        if self._failure is not None:
            raise self._failure
