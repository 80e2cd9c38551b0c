"""Rendering query results: an aligned table for people, the SPARQL results formats for tools."""

from __future__ import annotations

import enum

import pyoxigraph as ox

from annograph.turtle import serialize_turtle


class ResultFormat(enum.Enum):
    """Output formats for query results; the value is the CLI name."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    XML = "xml"
    TURTLE = "turtle"


_STANDARD = {
    ResultFormat.CSV: ox.QueryResultsFormat.CSV,
    ResultFormat.TSV: ox.QueryResultsFormat.TSV,
    ResultFormat.JSON: ox.QueryResultsFormat.JSON,
    ResultFormat.XML: ox.QueryResultsFormat.XML,
}


def render_result(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    *,
    format: ResultFormat,
    prefixes: dict[str, str],
) -> str:
    """Render a query result; CONSTRUCT/DESCRIBE results are always written as Turtle.

    >>> store = ox.Store()
    >>> result = store.query("SELECT (1 AS ?n) {}")
    >>> print(render_result(result, format=ResultFormat.TABLE, prefixes={}), end="")
    n
    -
    1
    <BLANKLINE>
    (1 row)
    """
    if isinstance(result, ox.QueryTriples):
        return serialize_turtle(result, prefixes=prefixes)
    if format in _STANDARD:
        data = result.serialize(format=_STANDARD[format])
        assert data is not None  # without an output file, serialize returns the bytes
        return data.decode("utf-8")
    if isinstance(result, ox.QueryBoolean):
        return "true\n" if bool(result) else "false\n"
    return _table(result, prefixes)


def _table(solutions: ox.QuerySolutions, prefixes: dict[str, str]) -> str:
    names = [variable.value for variable in solutions.variables]
    rows = [[_cell(solution[name], prefixes) for name in names] for solution in solutions]
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(names)]
    lines = [
        "  ".join(name.ljust(width) for name, width in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * width for width in widths),
        *(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ),
    ]
    count = f"({len(rows)} row{'' if len(rows) == 1 else 's'})"
    return "\n".join(lines) + f"\n\n{count}\n"


def _cell(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, prefixes: dict[str, str]
) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten_iri(term.value, prefixes)
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)


def shorten_iri(iri: str, prefixes: dict[str, str]) -> str:
    """``prefix:local`` for the longest matching namespace, else ``<iri>``.

    >>> shorten_iri("https://schema.org/name", {"schema": "https://schema.org/"})
    'schema:name'
    """
    best = max(
        ((p, ns) for p, ns in prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)),
        key=lambda item: len(item[1]),
        default=None,
    )
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else f"<{iri}>"
