"""The corpus: every article read (in worker processes when there are many), the shared
entities, and the checks across articles over the articles' summaries."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from annograph.annotations._layout import (
    ANNOTATIONS_FILE,
    article_directories,
)
from annograph.annotations._model import (
    Article,
    Entity,
)
from annograph.annotations._ontology import Ontology
from annograph.annotations._reader import (
    load_article,
    shared_entities,
)
from annograph.annotations._summaries import Summary, create_index, summarize
from annograph.errors import (
    AnnographError,
    AnnotationErrors,
)


@dataclass(frozen=True, slots=True)
class Corpus:
    """All articles, the shared entities they mention, and the warnings loading them raised."""

    articles: list[Article]
    shared: dict[str, Entity]
    warnings: tuple[AnnographError, ...] = ()
    #: What the checks across articles read of each article, in the order of ``articles``.
    summaries: tuple[Summary, ...] = ()


def load_corpus(
    data: Path, ontology: Ontology, *, progress: Callable[[int, int], None] | None = None
) -> Corpus:
    """Load ``entities/`` and every article of a data folder, reporting all errors at once.

    :param data: the data folder (``data/`` in a project).
    :param ontology: the terms annotations may use.
    :param progress: called with (articles read, articles) after each article.
    :raises AnnotationErrors: listing every error found, each with its file, line and column.
    """
    # Entities with a mistake are still known, so the articles that mention them do not fail too.
    shared, errors = shared_entities(data, ontology)
    articles = []
    directories = article_directories(data)
    for done, read in enumerate(_read_all(directories, ontology, shared), start=1):
        if isinstance(read, AnnotationErrors):
            errors.extend(read.errors)
        else:
            articles.append(read)
        if progress is not None:
            progress(done, len(directories))
    summaries = tuple(summarize(article) for article in articles)
    across, warnings = corpus_problems(shared, summaries)
    errors.extend(across)
    if errors:
        raise AnnotationErrors(errors)
    return Corpus(articles, shared, tuple(warnings), summaries)


#: Below this many articles, starting worker processes costs more than it saves.
PARALLEL_FROM = 64
#: Articles a worker reads per batch: enough to make sending them back cheap.
BATCH = 32


def _read_all(
    directories: list[Path], ontology: Ontology, shared: Mapping[str, Entity]
) -> Iterator[Article | AnnotationErrors]:
    """Each article read (or its errors), in order; on all cores for a large corpus."""
    workers = min(len(os.sched_getaffinity(0)), len(directories) // BATCH + 1)
    if len(directories) < PARALLEL_FROM or workers < 2:
        yield from (_read(directory, ontology, shared) for directory in directories)
        return
    # Forked workers inherit the ontology and shared entities instead of unpickling them.
    context = multiprocessing.get_context("fork")
    setup = (ontology, shared)
    with ProcessPoolExecutor(workers, context, _start_worker, setup) as pool:
        yield from pool.map(_read_in_worker, directories, chunksize=BATCH)


_worker: tuple[Ontology, Mapping[str, Entity]] | None = None


def _start_worker(ontology: Ontology, shared: Mapping[str, Entity]) -> None:
    global _worker
    _worker = (ontology, shared)


def _read_in_worker(directory: Path) -> Article | AnnotationErrors:
    assert _worker is not None, "not started by _start_worker"
    return _read(directory, *_worker)


def _read(
    directory: Path, ontology: Ontology, shared: Mapping[str, Entity]
) -> Article | AnnotationErrors:
    try:
        return load_article(directory, ontology, shared=shared)
    except AnnotationErrors as errors:
        return errors


def load_articles(data: Path, ontology: Ontology) -> list[Article]:
    """The articles of :func:`load_corpus`."""
    return load_corpus(data, ontology).articles


def load_shared_entities(data: Path, ontology: Ontology) -> dict[str, Entity]:
    """The entities defined once in ``entities/*.yaml`` of a data folder, by id.

    :raises AnnotationErrors: listing every problem in those files.
    """
    shared, errors = shared_entities(data, ontology)
    if errors:
        raise AnnotationErrors(errors)
    return shared


def corpus_problems(
    shared: Mapping[str, Entity], summaries: Sequence[Summary]
) -> tuple[list[AnnographError], list[AnnographError]]:
    """The errors and the warnings of the checks across articles, over their summaries (in an
    index in memory: the same queries a build runs, see
    :class:`annograph.annotations._summaries.Index`)."""
    # Every summary's file is ARTICLES/slug/ANNOTATIONS_FILE of one data folder.
    articles = Path(summaries[0].path).parent.parent if summaries else Path()
    index = create_index(None, articles, ANNOTATIONS_FILE)
    try:
        index.add(summaries)
        return index.problems(shared)
    finally:
        index.close()
