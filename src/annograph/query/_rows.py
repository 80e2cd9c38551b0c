"""Query results as Python values, for the library API and notebooks (pandas optional)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, overload

import pyoxigraph as ox

from annograph._lexical import XSD
from annograph.errors import AnnographError

if TYPE_CHECKING:  # pragma: no cover
    import pandas

Value = str | int | float | bool | Decimal | datetime.date | datetime.datetime
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: The columns of a CONSTRUCT or DESCRIBE result, one row per triple.
TRIPLE_COLUMNS = ("subject", "predicate", "object")
_INTEGERS = {
    XSD + name
    for name in (
        "integer nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger long int"
        " short byte unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
}


@dataclass(frozen=True, slots=True)
class Rows(Sequence[dict[str, Value | None]]):
    """The answer to a query: named columns, and rows of Python values (None where unbound).

    IRIs become strings; typed literals become ``int``, ``Decimal``, ``float``, ``bool``,
    ``date`` or ``datetime``; other literals their text (``terms`` keeps the RDF terms, with
    languages and datatypes). A CONSTRUCT answer has the columns subject, predicate, object; an
    ASK answer one column, ``answer``.

    >>> rows = rows_of(ox.Store().query('SELECT ?n ?name { VALUES (?n ?name) {(7 "Ош"@ru)} }'))
    >>> rows.columns, list(rows)
    (('n', 'name'), [{'n': 7, 'name': 'Ош'}])
    >>> rows.terms[0][1]
    <Literal value=Ош language=ru>
    """

    columns: tuple[str, ...]
    terms: tuple[tuple[Term | None, ...], ...]

    @overload
    def __getitem__(self, index: int) -> dict[str, Value | None]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Value | None]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> dict[str, Value | None] | list[dict[str, Value | None]]:
        if isinstance(index, slice):
            return [self._row(terms) for terms in self.terms[index]]
        return self._row(self.terms[index])

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[dict[str, Value | None]]:
        return (self._row(terms) for terms in self.terms)

    def _row(self, terms: tuple[Term | None, ...]) -> dict[str, Value | None]:
        return dict(zip(self.columns, map(python_value, terms), strict=True))

    def column(self, name: str) -> list[Value | None]:
        """The values of one column, in row order."""
        index = self.columns.index(name)
        return [python_value(terms[index]) for terms in self.terms]

    def to_dataframe(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame (``pip install 'annograph[pandas]'``).

        :raises AnnographError: if pandas is not installed.
        """
        try:
            import pandas
        except ImportError as error:
            raise AnnographError(
                "pandas is not installed", hint="pip install 'annograph[pandas]'"
            ) from error
        return pandas.DataFrame(list(self), columns=list(self.columns))


def rows_of(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Rows:
    """Read a pyoxigraph query result to the end, as :class:`Rows`."""
    if isinstance(result, ox.QueryBoolean):
        return Rows(("answer",), ((ox.Literal(bool(result)),),))
    if isinstance(result, ox.QueryTriples):
        return Rows(TRIPLE_COLUMNS, tuple((t.subject, t.predicate, t.object) for t in result))
    columns = tuple(variable.value for variable in result.variables)
    return Rows(columns, tuple(tuple(solution[name] for name in columns) for solution in result))


def python_value(term: Term | None) -> Value | None:
    """A term as the Python value a notebook expects (see :class:`Rows`).

    >>> python_value(ox.Literal("0.48", datatype=ox.NamedNode(XSD + "decimal")))
    Decimal('0.48')
    >>> python_value(ox.Literal("2023-02-30", datatype=ox.NamedNode(XSD + "date")))
    '2023-02-30'
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return _literal_value(term.value, term.datatype.value)


def _literal_value(text: str, datatype: str) -> Value:
    # An ill-typed literal keeps its text rather than failing the whole answer.
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype == XSD + "decimal":
            return Decimal(text)
        if datatype in (XSD + "double", XSD + "float"):
            return float(text)
        if datatype == XSD + "boolean":
            return {"true": True, "1": True, "false": False, "0": False}[text]
        if datatype == XSD + "date":
            return datetime.date.fromisoformat(text)
        if datatype == XSD + "dateTime":
            return datetime.datetime.fromisoformat(text)
    except (ValueError, KeyError, InvalidOperation):
        pass
    return text


def parameter_values(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """Keyword arguments of :meth:`Project.query` as the CLI's ``--param`` strings.

    >>> parameter_values({"entity": "IOM", "year": 2023, "places": ["bishkek", "osh"]})
    {'entity': ['IOM'], 'year': ['2023'], 'places': ['bishkek', 'osh']}
    >>> parameter_values({"flag": True})
    {'flag': ['true']}
    """
    return {
        name: [_lexical(v) for v in value] if isinstance(value, list | tuple) else [_lexical(value)]
        for name, value in params.items()
    }


def _lexical(value: Any) -> str:
    # SPARQL writes booleans in lowercase; everything else's str() is its lexical form.
    return str(value).lower() if isinstance(value, bool) else str(value)
