"""Rendering query results: an aligned table for people, the SPARQL results formats for tools."""

from __future__ import annotations

import enum

import pyoxigraph as ox

from annograph.annotations._ontology import shorten_iri
from annograph.errors import QueryError
from annograph.publish._export import ExportFormat, export_graph


class ResultFormat(enum.Enum):
    """Output formats for query results; the value is the CLI name."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    XML = "xml"
    MARKDOWN = "markdown"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"

    @property
    def for_graphs(self) -> bool:
        """Whether this is an RDF format, for CONSTRUCT and DESCRIBE results."""
        return self in _RDF


# Graph results are written exactly as ``annograph export`` writes a graph.
_RDF = {
    ResultFormat.TURTLE: ExportFormat.TURTLE,
    ResultFormat.NTRIPLES: ExportFormat.NTRIPLES,
    ResultFormat.JSONLD: ExportFormat.JSONLD,
}
_STANDARD = {
    ResultFormat.CSV: ox.QueryResultsFormat.CSV,
    ResultFormat.TSV: ox.QueryResultsFormat.TSV,
    ResultFormat.JSON: ox.QueryResultsFormat.JSON,
    ResultFormat.XML: ox.QueryResultsFormat.XML,
}

SOLUTION_FORMATS = [f for f in ResultFormat if not f.for_graphs]
GRAPH_FORMATS = [f for f in ResultFormat if f.for_graphs]


def render_result(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    *,
    format: ResultFormat | None = None,
    prefixes: dict[str, str],
) -> str:
    """Render a query result in ``format``, by default a table (or Turtle for a graph).

    :raises QueryError: for a format that does not fit the result (CSV for a graph, ...).

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
        return _graph(result, format or ResultFormat.TURTLE, prefixes)
    format = format or ResultFormat.TABLE
    if format.for_graphs:
        choices = ", ".join(f.value for f in SOLUTION_FORMATS)
        raise QueryError(
            f"'{format.value}' is for CONSTRUCT and DESCRIBE results", hint=f"use one of: {choices}"
        )
    if format in _STANDARD:
        data = result.serialize(format=_STANDARD[format])
        assert data is not None  # without an output file, serialize returns the bytes
        return data.decode("utf-8")
    if isinstance(result, ox.QueryBoolean):
        return "true\n" if bool(result) else "false\n"
    names = [variable.value for variable in result.variables]
    rows = [[term_text(solution[name], prefixes) for name in names] for solution in result]
    if format is ResultFormat.MARKDOWN:
        return _markdown(names, rows)
    return _table(names, rows)


def _graph(triples: ox.QueryTriples, format: ResultFormat, prefixes: dict[str, str]) -> str:
    if not format.for_graphs:
        choices = ", ".join(f.value for f in GRAPH_FORMATS)
        raise QueryError(
            f"a CONSTRUCT or DESCRIBE result is a graph, not '{format.value}'",
            hint=f"use one of: {choices}",
        )
    quads = [ox.Quad(*triple) for triple in triples]
    return export_graph(quads, format=_RDF[format], prefixes=prefixes)


def _markdown(names: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return "\n".join([line(names), "|" + "---|" * len(names), *(line(r) for r in rows)]) + "\n"


def _table(names: list[str], rows: list[list[str]]) -> str:
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


def term_text(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, prefixes: dict[str, str]
) -> str:
    """How a table shows a term: a CURIE where one fits, a literal as its text and language."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten_iri(term.value, prefixes)
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)
