"""The build's index: what the checks across articles need of each article, in SQLite.

A few checks look across articles: an entity id two articles both define, a shared entity no
article mentions, two entities with one name and class; and a validation's counts are over the
whole corpus. They need little of each article: its entities' ids, positions, classes, names
and links, and how many facts and quotes it has. That is an article's *summary*.

Summaries go into an SQLite database kept beside the release (``<release>.index.sqlite``), and
the checks are SQL over it, so neither kind of build holds the corpus in memory: a full build
adds each article's summary as its worker sends it; an incremental build replaces the rows of
the articles that changed, in a transaction it commits only once the store holds their new
graphs. Both kinds of build run the same queries, so they report the same problems and counts.
The names table also answers ``why`` and the ``entity`` query: a name, any case, to its entity,
through an index rather than a scan of the graph.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from annograph._labels import fold
from annograph.annotations._model import Article, Entity, Text
from annograph.errors import AnnographError, AnnotationError, AnnotationWarning, SourceLocation

#: Bumped when the tables change: an index of another format is not used.
INDEX_FORMAT = 2
#: Facts whose equal values suggest two entities are one (see :meth:`Index.near_duplicates`).
NAME_PROPERTIES = ("name",)
#: Facts that name an entity, for looking it up by name (``why МОМ``).
LABEL_PROPERTIES = ("name", "alternateName", "abbreviation")
ENTITIES_DIR = "data/entities"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    slug TEXT PRIMARY KEY, facts INTEGER NOT NULL, quotes INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE entities (
    slug TEXT NOT NULL, position INTEGER NOT NULL, id TEXT NOT NULL, shared INTEGER NOT NULL,
    line INTEGER NOT NULL, col INTEGER NOT NULL, types TEXT NOT NULL, links INTEGER NOT NULL,
    PRIMARY KEY (slug, position)
) WITHOUT ROWID;
CREATE INDEX entities_by_id ON entities (id, slug, position);
CREATE TABLE names (
    slug TEXT NOT NULL, position INTEGER NOT NULL, n INTEGER NOT NULL, kind TEXT NOT NULL,
    name TEXT NOT NULL, key TEXT NOT NULL, folded TEXT NOT NULL,
    PRIMARY KEY (slug, position, n)
) WITHOUT ROWID;
CREATE INDEX names_by_key ON names (key);
CREATE INDEX names_by_folded ON names (folded);
"""


@dataclass(frozen=True, slots=True)
class EntityHead:
    """What the checks across articles need of one entity of one article."""

    id: str
    shared: bool
    line: int
    column: int
    types: tuple[str, ...]
    #: The entity's names (``ag:name``), compared to find near-duplicates.
    names: tuple[str, ...]
    #: The names folded (case, accents, script) as near-duplicates are compared.
    keys: tuple[str, ...]
    links: int
    #: Its alternate names and abbreviations: other names to look it up by.
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    """What the checks across articles need of one article."""

    slug: str
    #: The article's annotation file, where every entity of it is located.
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
    names = tuple(_texts(entity, NAME_PROPERTIES))
    labels = tuple(_texts(entity, tuple(p for p in LABEL_PROPERTIES if p not in NAME_PROPERTIES)))
    return EntityHead(
        entity.id,
        entity.shared,
        where.line,
        where.column,
        entity.types,
        names,
        tuple(fold(name) for name in names),
        len(entity.links),
        labels,
    )


def _texts(entity: Entity, properties: tuple[str, ...]) -> Iterator[str]:
    for fact in entity.facts:
        if fact.prop in properties:
            yield from (value.text for value in fact.values if isinstance(value, Text))


@dataclass(frozen=True, slots=True)
class Counts:
    """A validation's numbers: articles, distinct entities, facts, quotes and identity links."""

    articles: int
    entities: int
    facts: int
    quotes: int
    links: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Index:
    """The summaries of a corpus in SQLite, and the checks across articles as queries.

    :param connection: an open database with the index's tables (see :func:`create_index`
        and :func:`open_index`).
    :param articles: the folder of the article folders, where entities are located (the index
        keeps slugs only, so it stays right when the data folder is given by another path).
    :param file_name: the annotation file in each article folder.
    """

    def __init__(self, connection: sqlite3.Connection, articles: Path, file_name: str) -> None:
        self.connection = connection
        self._articles = articles
        self._file_name = file_name

    # -- writing ---------------------------------------------------------------------------

    def add(self, summaries: Iterable[Summary]) -> None:
        """Add (or replace) the summaries of some articles."""
        summaries = list(summaries)
        self.remove(s.slug for s in summaries)
        database = self.connection
        database.executemany(
            "INSERT INTO articles VALUES (?, ?, ?)",
            [(s.slug, s.facts, s.quotes) for s in summaries],
        )
        database.executemany(
            "INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (s.slug, k, e.id, e.shared, e.line, e.column, _types_key(e.types), e.links)
                for s in summaries
                for k, e in enumerate(s.entities)
            ],
        )
        database.executemany(
            "INSERT INTO names VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (s.slug, k, n, kind, name, key, name.casefold())
                for s in summaries
                for k, e in enumerate(s.entities)
                for n, (kind, name, key) in enumerate(_names_of(e))
            ],
        )

    def remove(self, slugs: Iterable[str]) -> None:
        """Drop the summaries of some articles."""
        rows = [(slug,) for slug in slugs]
        for table in ("articles", "entities", "names"):
            self.connection.executemany(f"DELETE FROM {table} WHERE slug = ?", rows)

    def commit(self) -> None:
        """Make the changes since the last commit durable."""
        self.connection.commit()

    def rollback(self) -> None:
        """Forget the changes since the last commit."""
        self.connection.rollback()

    def close(self) -> None:
        self.connection.close()

    # -- the checks across articles --------------------------------------------------------

    def slugs(self) -> set[str]:
        """The articles the index holds."""
        return {slug for (slug,) in self.connection.execute("SELECT slug FROM articles")}

    def problems(
        self, shared: Mapping[str, Entity], *, among: Collection[str] | None = None
    ) -> tuple[list[AnnographError], list[AnnographError]]:
        """The errors and the warnings of the checks across articles.

        :param shared: the shared entities of ``data/entities/``.
        :param among: when only these articles changed since a check that found no error,
            duplicate ids can only involve them: look no further.
        """
        errors: list[AnnographError] = list(self.duplicate_ids(among=among))
        warnings: list[AnnographError] = [*self.unmentioned(shared), *self.near_duplicates()]
        return errors, warnings

    def duplicate_ids(self, *, among: Collection[str] | None = None) -> Iterator[AnnotationError]:
        """An error for each article entity whose id an earlier article already defines."""
        if among is not None:
            ids = self._ids_in(among, shared=False)
            if not ids:
                return
            restrict = "AND id IN (SELECT value FROM json_each(?))"
            parameters: tuple[object, ...] = (_json_list(ids),)
        else:
            restrict, parameters = "", ()
        rows = self.connection.execute(
            f"""
            WITH own AS (
                SELECT slug, position, id, line, col,
                       ROW_NUMBER() OVER (PARTITION BY id ORDER BY slug, position) AS k
                FROM entities WHERE NOT shared {restrict}
            )
            SELECT later.slug, later.line, later.col, later.id, first.slug, first.line, first.col
            FROM own AS later JOIN own AS first ON first.id = later.id AND first.k = 1
            WHERE later.k > 1
            ORDER BY later.slug, later.position
            """,
            parameters,
        )
        for slug, line, column, entity_id, first_slug, first_line, first_column in rows:
            first = self._location(first_slug, first_line, first_column)
            yield AnnotationError(
                f"entity id '{entity_id}' is already used in {first}",
                location=self._location(slug, line, column),
                hint=f"if both articles mean the same one, define it once in {ENTITIES_DIR}/ "
                "(type and links) and mention it from both; otherwise choose another id",
            )

    def unmentioned(self, shared: Mapping[str, Entity]) -> Iterator[AnnotationError]:
        """A warning for each shared entity that no article mentions."""
        mentioned = self.mentioned(shared)
        for entity in shared.values():
            if entity.id not in mentioned:
                yield AnnotationWarning(
                    f"shared entity '{entity.id}' is mentioned by no article: the graph leaves "
                    "it out",
                    location=entity.location,
                    hint="mention it from an article (its id, a 'quote:' and facts), or remove it",
                )

    def mentioned(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that some article mentions."""
        rows = self.connection.execute(
            "SELECT DISTINCT id FROM entities WHERE id IN (SELECT value FROM json_each(?))",
            (_json_list(ids),),
        )
        return {entity_id for (entity_id,) in rows}

    def shared_mentioned(self) -> set[str]:
        """The shared entities some article mentions: what the shared graph is made of."""
        rows = self.connection.execute("SELECT DISTINCT id FROM entities WHERE shared")
        return {entity_id for (entity_id,) in rows}

    def near_duplicates(self) -> Iterator[AnnotationError]:
        """A warning for each entity with the same normalized name and classes as an earlier one.

        An entity is compared by where it first occurs (the first article, in slug order, that
        has its id). A name and class belong to the entity that has them first; each later
        entity that has one of them gets one warning, for the first such name. Two ids for one
        organization or place split its facts in two; the fix is one shared entity.
        """
        rows = self.connection.execute(
            """
            WITH heads AS (
                SELECT slug, position, id, types, line, col FROM (
                    SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY slug, position) AS k
                    FROM entities
                ) WHERE k = 1
            ),
            named AS (
                SELECT heads.*, names.n, names.name, names.key FROM heads
                JOIN names ON names.slug = heads.slug AND names.position = heads.position
                WHERE names.kind = 'name'
            ),
            owners AS (
                SELECT key, types, id, slug, line, col,
                       ROW_NUMBER() OVER (PARTITION BY key, types ORDER BY slug, position, n) AS k
                FROM named
            )
            SELECT named.slug, named.position, named.line, named.col, named.id, named.name,
                   owners.id, owners.slug, owners.line, owners.col
            FROM named JOIN owners
              ON owners.key = named.key AND owners.types = named.types AND owners.k = 1
            WHERE owners.id != named.id
            ORDER BY named.slug, named.position, named.n
            """
        )
        warned: set[tuple[str, int]] = set()
        for slug, position, line, column, entity_id, name, other, other_slug, o_line, o_col in rows:
            if (slug, position) in warned:
                continue
            warned.add((slug, position))
            where = self._location(other_slug, o_line, o_col)
            yield AnnotationWarning(
                f"'{entity_id}' has the same name ('{name}') and class as '{other}' ({where}): "
                "are they one entity?",
                location=self._location(slug, line, column),
                hint=f"if so, define it once in {ENTITIES_DIR}/ and use one id",
            )

    def counts(self) -> Counts:
        """Articles, distinct entities, facts, quotes and identity links of the whole corpus.

        A shared entity counts once, with its links, however many articles mention it.
        """
        database = self.connection
        articles, facts, quotes = database.execute(
            "SELECT COUNT(*), COALESCE(SUM(facts), 0), COALESCE(SUM(quotes), 0) FROM articles"
        ).fetchone()
        entities, links = database.execute(
            """
            SELECT COUNT(*), COALESCE(SUM(links), 0) FROM (
                SELECT links, ROW_NUMBER() OVER (
                    PARTITION BY id ORDER BY slug DESC, position DESC) AS k
                FROM entities
            ) WHERE k = 1
            """
        ).fetchone()
        return Counts(articles, entities, facts, quotes, links)

    def articles_mentioning(self, ids: Iterable[str]) -> list[str]:
        """The slugs of the articles that have any of ``ids``, in slug order."""
        rows = self.connection.execute(
            "SELECT DISTINCT slug FROM entities WHERE id IN (SELECT value FROM json_each(?))"
            " ORDER BY slug",
            (_json_list(ids),),
        )
        return [slug for (slug,) in rows]

    # -- lookups ---------------------------------------------------------------------------

    def ids_named(self, name: str) -> list[str]:
        """The entities with this name, alternate name or abbreviation, case ignored."""
        rows = self.connection.execute(
            "SELECT DISTINCT entities.id FROM names JOIN entities"
            " ON entities.slug = names.slug AND entities.position = names.position"
            " WHERE names.folded = ? ORDER BY entities.id",
            (name.casefold(),),
        )
        return [entity_id for (entity_id,) in rows]

    def all_ids(self) -> list[str]:
        """Every entity id (a scan: only for a 'did you mean' hint)."""
        return [i for (i,) in self.connection.execute("SELECT DISTINCT id FROM entities")]

    def all_names(self) -> list[str]:
        """Every name of every entity (for a 'did you mean' hint: a scan, so only on failure)."""
        return [name for (name,) in self.connection.execute("SELECT DISTINCT name FROM names")]

    # -- helpers ---------------------------------------------------------------------------

    def _ids_in(self, slugs: Collection[str], *, shared: bool) -> list[str]:
        rows = self.connection.execute(
            "SELECT DISTINCT id FROM entities WHERE shared = ? AND slug IN"
            " (SELECT value FROM json_each(?)) ORDER BY id",
            (shared, _json_list(slugs)),
        )
        return [entity_id for (entity_id,) in rows]

    def _location(self, slug: str, line: int, column: int) -> SourceLocation:
        path = Path(os.path.join(self._articles, slug, self._file_name))
        return SourceLocation(path, line, column)


@dataclass(frozen=True, slots=True)
class NameTable:
    """Entities by name, in memory: :class:`Index`'s lookups over articles just read.

    For commands that run without a build (``link review``), so that a name means what it means
    to ``why``: a name, alternate name or abbreviation, case ignored.
    """

    #: Each name, case folded -> the ids of the entities that have it.
    ids: Mapping[str, tuple[str, ...]]
    #: The names as written.
    names: tuple[str, ...]

    def ids_named(self, name: str) -> list[str]:
        """The entities with this name, alternate name or abbreviation, case ignored."""
        return list(self.ids.get(name.casefold(), ()))

    def all_names(self) -> list[str]:
        """Every name of every entity (for a 'did you mean' hint)."""
        return list(self.names)


def name_table(articles: Iterable[Article]) -> NameTable:
    """The names of the articles' entities (a shared entity's from every article naming it)."""
    ids: dict[str, set[str]] = {}
    names: dict[str, None] = {}
    for article in articles:
        for entity in article.entities:
            for name in _texts(entity, LABEL_PROPERTIES):
                ids.setdefault(name.casefold(), set()).add(entity.id)
                names[name] = None
    return NameTable({name: tuple(sorted(found)) for name, found in ids.items()}, tuple(names))


def _names_of(entity: EntityHead) -> Iterator[tuple[str, str, str]]:
    """(kind, name, key) of each name of an entity: its names, then its other labels."""
    for name, key in zip(entity.names, entity.keys, strict=True):
        yield "name", name, key
    for label in entity.labels:
        yield "label", label, fold(label)


def _types_key(types: Sequence[str]) -> str:
    """An entity's classes as one comparable value, whatever their order."""
    return " ".join(sorted(types))


def _json_list(values: Iterable[str]) -> str:
    """Values as one bound parameter (SQLite limits how many a statement may have)."""
    return json.dumps(sorted(set(values)), ensure_ascii=False)


# -- on disk ------------------------------------------------------------------------------------


def create_index(path: Path | None, articles: Path, file_name: str) -> Index:
    """A new, empty index at ``path`` (an existing file is replaced); in memory if None.

    A new file is written without a journal: if its build fails the file is deleted, and it
    is made durable by :func:`finish_index` before the release that uses it is published.
    """
    if path is not None:
        path.unlink(missing_ok=True)
    connection = sqlite3.connect(":memory:" if path is None else str(path), isolation_level=None)
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.executescript(_SCHEMA)
    connection.execute("INSERT INTO meta VALUES ('format', ?)", (str(INDEX_FORMAT),))
    connection.execute("BEGIN")
    return Index(connection, articles, file_name)


def finish_index(index: Index) -> None:
    """Commit a new index and make it durable (see :func:`create_index`)."""
    index.connection.execute("COMMIT")
    index.connection.execute("PRAGMA synchronous = FULL")
    index.connection.execute("PRAGMA journal_mode = DELETE")
    index.connection.close()


def open_index(path: Path, articles: Path, file_name: str) -> Index | None:
    """The index at ``path``, opened for an incremental build (changes are one transaction,
    durable at :meth:`Index.commit`), or None if there is none usable."""
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(str(path), isolation_level="DEFERRED")
        with closing(connection.execute("SELECT value FROM meta WHERE key = 'format'")) as cursor:
            row = cursor.fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[0] != str(INDEX_FORMAT):
        connection.close()
        return None
    connection.execute("PRAGMA synchronous = FULL")
    return Index(connection, articles, file_name)


def read_only_index(path: Path, articles: Path, file_name: str) -> Index | None:
    """The index at ``path`` opened for lookups only, or None if there is none usable."""
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        row = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[0] != str(INDEX_FORMAT):
        connection.close()
        return None
    return Index(connection, articles, file_name)
