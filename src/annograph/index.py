"""What the checks across articles need of each article, kept beside a release.

A few checks look across articles: an entity id two articles both define, a shared entity no
article mentions, two entities with one name and class; and a validation's counts are over the
whole corpus. They need little of each article: its entities' ids, positions, classes and
names, and how many facts, quotes and links it has. That is an article's *summary*.

The checks themselves (in :mod:`annograph.annotations`) run over summaries. A full build
summarizes every article it reads and keeps the summaries beside the release (as JSON, next to
its manifest). An incremental build reads only the articles that changed, and runs the same
checks over the summaries of all of them: the changed ones made afresh, the others as the last
build kept them. Both kinds of build run the same functions, so they report the same problems
and counts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from annograph.errors import SourceLocation
from annograph.labels import fold
from annograph.model import Article, Entity, Text

#: Bumped when the layout changes: an index of another format is not used.
INDEX_FORMAT = 1
#: Facts whose equal values suggest two entities are one (see
#: :func:`annograph.annotations.near_duplicates`).
NAME_PROPERTIES = ("name",)


@dataclass(frozen=True, slots=True)
class EntityHead:
    """What the checks across articles need of one entity of one article."""

    id: str
    shared: bool
    line: int
    column: int
    types: tuple[str, ...]
    names: tuple[str, ...]
    #: The names folded (case, accents, script) as near-duplicates are compared.
    keys: tuple[str, ...]
    links: int


@dataclass(frozen=True, slots=True)
class Summary:
    """What the checks across articles need of one article."""

    slug: str
    #: The article's annotation file, where every entity of it is located (a string: a Path
    #: for each of ten thousand articles costs more than the rest of reading the index).
    path: str
    entities: tuple[EntityHead, ...]
    facts: int
    quotes: int

    def location(self, entity: EntityHead) -> SourceLocation:
        return SourceLocation(Path(self.path), entity.line, entity.column)


def summarize(article: Article) -> Summary:
    """The summary of one read article."""
    heads = tuple(_head(article, entity) for entity in article.entities)
    facts = [*article.facts, *(fact for entity in article.entities for fact in entity.facts)]
    return Summary(
        article.slug,
        str(article.annotations_path),
        heads,
        facts=sum(len(fact.values) for fact in facts),
        quotes=sum(len(fact.evidence) for fact in facts)
        + sum(len(entity.mentions) for entity in article.entities),
    )


def relinked(summary: Summary, article: Article) -> Summary:
    """The summary of an article whose entities have gained links (accepted mappings)."""
    links = [len(entity.links) for entity in article.entities]
    if all(head.links == n for head, n in zip(summary.entities, links, strict=True)):
        return summary
    heads = tuple(replace(h, links=n) for h, n in zip(summary.entities, links, strict=True))
    return replace(summary, entities=heads)


def _head(article: Article, entity: Entity) -> EntityHead:
    where = entity.location
    if where.path != article.annotations_path or where.line is None or where.column is None:
        raise ValueError(f"entity '{entity.id}' is not located in {article.annotations_path}")
    names = tuple(_names(entity))
    return EntityHead(
        entity.id,
        entity.shared,
        where.line,
        where.column,
        entity.types,
        names,
        tuple(fold(name) for name in names),
        len(entity.links),
    )


def _names(entity: Entity) -> Iterator[str]:
    for fact in entity.facts:
        if fact.prop in NAME_PROPERTIES:
            yield from (value.text for value in fact.values if isinstance(value, Text))


def counts(summaries: Iterable[Summary]) -> dict[str, int]:
    """A validation's numbers: articles, distinct entities, facts, quotes and identity links.

    A shared entity counts once, with its links, however many articles mention it.
    """
    summaries = list(summaries)
    distinct = {entity.id: entity for summary in summaries for entity in summary.entities}
    return {
        "articles": len(summaries),
        "entities": len(distinct),
        "facts": sum(summary.facts for summary in summaries),
        "quotes": sum(summary.quotes for summary in summaries),
        "links": sum(entity.links for entity in distinct.values()),
    }


# -- on disk ------------------------------------------------------------------------------------


def write_index(path: Path, summaries: Iterable[Summary]) -> None:
    """Keep the summaries at ``path``, atomically (a crash leaves the old file or the new)."""
    data = {
        "format": INDEX_FORMAT,
        "articles": [
            [s.slug, s.facts, s.quotes, [_entity_row(e) for e in s.entities]] for s in summaries
        ],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # one call: C-fast
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def _entity_row(entity: EntityHead) -> list[Any]:
    return [
        entity.id,
        entity.shared,
        entity.line,
        entity.column,
        entity.types,
        entity.names,
        entity.keys,
        entity.links,
    ]


def read_index(path: Path, articles: Path, file_name: str) -> dict[str, Summary] | None:
    """The summaries kept at ``path`` by slug, or None if there are none usable.

    :param articles: the folder of the article folders, and ``file_name`` the annotation file
        in each (the index keeps slugs only, so it stays right if the data folder is given by
        another path).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != INDEX_FORMAT:
            return None
        return {
            slug: Summary(
                slug,
                os.path.join(articles, slug, file_name),
                tuple(_entity_head(row) for row in rows),
                facts,
                quotes,
            )
            for slug, facts, quotes, rows in data["articles"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _entity_head(row: list[Any]) -> EntityHead:
    id_, shared, line, column, types, names, keys, links = row
    return EntityHead(id_, shared, line, column, tuple(types), tuple(names), tuple(keys), links)
