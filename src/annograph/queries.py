"""Saved SPARQL queries: find them by name or path, and run them against the store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from annograph.errors import QueryError, SourceLocation

QUERY_SUFFIX = ".rq"
_ERROR_POSITION = re.compile(r"error at (\d+):(\d+)")

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


@dataclass(frozen=True, slots=True)
class SavedQuery:
    """A SPARQL query and the file it came from (for error locations)."""

    name: str
    path: Path
    text: str


def saved_queries(directory: Path) -> list[SavedQuery]:
    """Every ``*.rq`` file in ``directory``, sorted by name."""
    return [_read(path) for path in sorted(directory.glob("*" + QUERY_SUFFIX))]


def find_query(name_or_path: str, *, directory: Path) -> SavedQuery:
    """A saved query by name (``organizers``) or by path to a ``.rq`` file.

    :raises QueryError: if there is no such query, with the names of the saved ones.
    """
    path = Path(name_or_path)
    if path.suffix == QUERY_SUFFIX or path.is_file():
        if not path.is_file():
            raise QueryError("query file not found", location=SourceLocation(path))
        return _read(path)
    candidate = directory / (name_or_path + QUERY_SUFFIX)
    if candidate.is_file():
        return _read(candidate)
    names = ", ".join(q.name for q in saved_queries(directory)) or "none"
    raise QueryError(f"no saved query named '{name_or_path}'", hint=f"saved queries: {names}")


def run_query(store: ox.Store, query: SavedQuery) -> QueryResult:
    """Run a query over the union of all graphs (so queries need no GRAPH clause).

    :raises QueryError: on a SPARQL syntax error, located in the query's file.
    """
    try:
        return store.query(query.text, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise QueryError(
            f"SPARQL syntax error: {_without_position(str(error))}",
            location=_error_location(query.path, str(error)),
        ) from error


def _read(path: Path) -> SavedQuery:
    try:
        return SavedQuery(path.stem, path, path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(f"cannot read query: {error}", location=SourceLocation(path)) from error


def _error_location(path: Path, message: str) -> SourceLocation:
    match = _ERROR_POSITION.search(message)
    if match is None:
        return SourceLocation(path)
    return SourceLocation(path, int(match.group(1)), int(match.group(2)))


def _without_position(message: str) -> str:
    return _ERROR_POSITION.sub("", message).lstrip(": ").strip() or message
