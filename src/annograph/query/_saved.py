"""Saved SPARQL queries: their grlc-style documentation, their parameters, and running them.

A saved query is a ``queries/NAME.rq`` file. Its header is a block of ``#+`` comment lines in
the grlc convention (YAML: ``summary``, ``description``, ``tags``, ``defaults``, ``enumerate``),
so the same files serve grlc and similar tools. Parameters follow grlc's (and BASIL's) variable
naming:

==========================  ============================================================
``?_name``                  a required plain literal
``?__name``                 an optional one (unbound when not given)
``?_name_iri``              an IRI (``prefix:local`` with a known prefix also works)
``?_name_en``               a literal with that language tag (any two-letter subtag)
``?_name_integer``          a literal of that XSD datatype (integer, decimal, date, ...)
``?_name_xsd_integer``      a literal of datatype ``prefix:datatype``
==========================  ============================================================

Values are bound with pyoxigraph ``substitutions``, never pasted into the query text. A
parameter given several times binds a list: a ``VALUES`` block opens the WHERE clause, its terms
written by pyoxigraph's own serializer, so a value is always one RDF term. A list is joined with
the WHERE clause's top-level group, so a query meant to take lists uses its parameters there
(not only inside a UNION branch or a subquery).
"""

from __future__ import annotations

import enum
import functools
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from annograph._lexical import XSD, closest, is_valid_lexical
from annograph._limits import check_query
from annograph.errors import QueryError, SourceLocation

QUERY_SUFFIX = ".rq"
#: What an IRI parameter takes.
IRI_HINT = "give an absolute IRI such as https://..., prefix:local, or an entity's id or name"
STDIN = "-"
#: The decorators grlc understands; annograph reads summary, description, tags, defaults and
#: enumerate, and accepts the others so that grlc-specific files stay valid.
DECORATORS = (
    "summary",
    "description",
    "tags",
    "defaults",
    "enumerate",
    "endpoint",
    "endpoint_in_url",
    "method",
    "pagination",
    "transform",
)
XSD_TYPES = ("integer", "decimal", "double", "float", "boolean", "date", "dateTime", "gYear")

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

_ERROR_POSITION = re.compile(r"error at (\d+):(\d+)")
# Tokens that can contain '?', '#' or '{' without meaning them: IRIs, strings and comments.
_TOKENS = re.compile(
    r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<string>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<comment>\#[^\n]*)
      | (?P<variable>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
      | (?P<word>[A-Za-z]+)
      | (?P<brace>\{)
      | (?P<star>\*)""",
    re.VERBOSE | re.DOTALL,
)
_PARAMETER = re.compile(r"(__?)([A-Za-z0-9]\w*)")
_LANGUAGE_SUFFIX = re.compile(r"[a-z]{2}")


class QueryForm(enum.Enum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"


@dataclass(frozen=True, slots=True)
class Parameter:
    """A query parameter, named by its variable in the grlc convention."""

    name: str
    variable: str
    required: bool
    kind: str  # "literal", "iri", "language" or "datatype"
    language: str | None = None
    datatype: str | None = None
    default: str | None = None
    allowed: tuple[str, ...] = ()
    location: SourceLocation | None = None  # where the variable first appears

    @property
    def type_label(self) -> str:
        """A short description for listings: ``IRI``, ``literal@en``, ``xsd:integer``."""
        if self.kind == "iri":
            return "IRI"
        if self.kind == "language":
            return f"literal@{self.language}"
        if self.kind == "datatype" and self.datatype:
            if self.datatype.startswith(XSD):
                return "xsd:" + self.datatype.removeprefix(XSD)
            return f"<{self.datatype}>"
        return "literal"

    def term(self, value: str, prefixes: Mapping[str, str]) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value given on the command line.

        :raises QueryError: if the value does not fit the parameter's type.
        """
        if self.allowed and value not in self.allowed:
            raise QueryError(
                f"parameter '{self.name}' must be one of: {', '.join(self.allowed)}",
                location=self.location,
                hint=closest(value, self.allowed),
            )
        if self.kind == "iri":
            return _iri(self, value, prefixes)
        if self.kind == "language":
            return ox.Literal(value, language=self.language)
        if self.kind == "datatype" and self.datatype:
            if not is_valid_lexical(value, self.datatype):
                raise QueryError(
                    f"parameter '{self.name}' needs a {self.type_label}, not '{value}'",
                    location=self.location,
                )
            return ox.Literal(value, datatype=ox.NamedNode(self.datatype))
        return ox.Literal(value)


@dataclass(frozen=True, slots=True)
class SavedQuery:
    """A SPARQL query file, its grlc documentation and its parameters."""

    name: str
    path: Path
    text: str
    form: QueryForm | None
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``.

        :raises QueryError: if there is none, with the closest name.
        """
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        names = [p.name for p in self.parameters]
        listed = ", ".join(names) if names else "none"
        raise QueryError(
            f"query '{self.name}' has no parameter '{name}'",
            location=SourceLocation(self.path),
            hint=closest(name, names) or f"its parameters: {listed}",
        )


def saved_queries(directory: Path) -> list[SavedQuery]:
    """Every ``*.rq`` file in ``directory``, sorted by name."""
    return [read_query(path) for path in sorted(directory.glob("*" + QUERY_SUFFIX))]


def find_query(name_or_path: str, *, directory: Path) -> SavedQuery:
    """A saved query by name (``organizers``), path (``my.rq``) or ``-`` for standard input.

    :raises QueryError: if there is no such query, with the names of the saved ones.
    """
    if name_or_path == STDIN:
        return parse_query(sys.stdin.read(), path=Path("<stdin>"))
    path = Path(name_or_path)
    if path.suffix == QUERY_SUFFIX or path.is_file():
        if not path.is_file():
            raise QueryError("query file not found", location=SourceLocation(path))
        return read_query(path)
    candidate = directory / (name_or_path + QUERY_SUFFIX)
    if candidate.is_file():
        return read_query(candidate)
    names = [path.stem for path in sorted(directory.glob("*" + QUERY_SUFFIX))]
    raise QueryError(
        f"no saved query named '{name_or_path}'",
        hint=closest(name_or_path, names) or f"saved queries: {', '.join(names) or 'none'}",
    )


def read_query(path: Path) -> SavedQuery:
    """Read and parse a ``.rq`` file (header and parameters; the SPARQL is checked when run)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(f"cannot read query: {error}", location=SourceLocation(path)) from error
    return _parsed(text, path)


@functools.lru_cache(maxsize=256)
def _parsed(text: str, path: Path) -> SavedQuery:
    # A saved query runs in a few milliseconds; parsing its header each time would double that.
    return parse_query(text, path=path)


def parse_query(text: str, *, path: Path) -> SavedQuery:
    """Parse a query's ``#+`` header and find its parameters.

    :raises QueryError: for a malformed header, an unknown decorator, a default or
        enumeration for a parameter the query does not have, or a query too large or too
        deeply nested for the engine (see :mod:`annograph._limits`).
    """
    check_query(text, path=path)
    header = _header(text, path)
    tokens = list(_tokens(text))
    form = _form(tokens)
    defaults = _name_to_value(header.get("defaults"), "defaults", path)
    allowed = _name_to_value(header.get("enumerate"), "enumerate", path)
    prefixes = _prefixes(text)
    first_seen: dict[str, int] = {}
    for variable, offset in _parameter_variables(tokens):
        first_seen.setdefault(variable, offset)
    parameters = tuple(
        _parameter(variable, prefixes, defaults, allowed, _location(path, text, offset))
        for variable, offset in first_seen.items()
    )
    names = {p.name for p in parameters}
    for decorator, values in (("defaults", defaults), ("enumerate", allowed)):
        for name in values:
            if name not in names:
                raise QueryError(
                    f"'{decorator}' names '{name}', which is not a parameter of this query",
                    location=SourceLocation(path, 1),
                    hint=closest(name, names),
                )
    if form is QueryForm.SELECT:
        _check_projected(parameters, tokens, path)
    tags = header.get("tags") or ()
    return SavedQuery(
        name=path.stem,
        path=path,
        text=text,
        form=form,
        summary=str(header.get("summary") or "").strip(),
        description=str(header.get("description") or "").strip(),
        tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
        parameters=parameters,
    )


@dataclass(frozen=True, slots=True)
class BoundQuery:
    """A query ready to run: its text (perhaps with a VALUES clause) and its substitutions."""

    query: SavedQuery
    text: str
    substitutions: Mapping[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]


def bind(
    query: SavedQuery, values: Mapping[str, Sequence[str]], *, prefixes: Mapping[str, str]
) -> BoundQuery:
    """Bind parameter values (several values of one parameter make a list).

    :param values: parameter name -> the values given for it.
    :param prefixes: for ``prefix:local`` values of IRI parameters.
    :raises QueryError: for an unknown or missing parameter, or a value of the wrong type.
    """
    for name in values:
        query.parameter(name)
    known_prefixes = {**_prefixes(query.text), **prefixes}
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {}
    lists: dict[str, list[ox.NamedNode | ox.Literal]] = {}
    for parameter in query.parameters:
        given = list(values.get(parameter.name, ()))
        if not given and parameter.default is not None:
            given = [parameter.default]
        if not given:
            if parameter.required:
                raise QueryError(
                    f"query '{query.name}' needs the parameter '{parameter.name}' "
                    f"({parameter.type_label})",
                    location=parameter.location,
                    hint=f"add --param {parameter.name}=VALUE",
                )
            continue
        terms = [parameter.term(value, known_prefixes) for value in given]
        if len(terms) == 1:
            substitutions[ox.Variable(parameter.variable)] = terms[0]
        else:
            lists[parameter.variable] = terms
    return BoundQuery(query, _with_values(query, query.text, lists), substitutions)


def portable_text(bound: BoundQuery) -> str:
    """The query as text that any SPARQL engine runs, every parameter in a ``VALUES`` block.

    The SPARQL protocol has no way to send substitutions, so for a remote endpoint (or the
    server behind ``annograph serve``) the single values join the lists in the VALUES block
    that opens the WHERE clause. Their terms are written by pyoxigraph, as for lists. Saved
    queries give the same rows either way (``tests/publish/test_remote.py`` checks each of them).
    """
    singles = {
        variable.value: [term]
        for variable, term in bound.substitutions.items()
        if isinstance(term, ox.NamedNode | ox.Literal)
    }
    return _with_values(bound.query, bound.text, singles)


#: Names for well-known SPARQL endpoints, usable as ALIAS in ``--service ALIAS=URL``.
SERVICE_ALIASES = {"wikidata": "https://query.wikidata.org/sparql"}


def redirect_services(bound: BoundQuery, redirects: Mapping[str, str]) -> BoundQuery:
    """The query with its ``SERVICE <IRI>`` clauses sent to other endpoints (mirrors).

    :param redirects: an endpoint IRI (or an alias of :data:`SERVICE_ALIASES`) -> the URL to use.
    :raises QueryError: if a URL is not a valid IRI or the query has no such SERVICE clause.
    """
    text = bound.text
    for alias, url in redirects.items():
        original = SERVICE_ALIASES.get(alias, alias)
        try:
            # Written by pyoxigraph, so the new IRI cannot end the <...> token early.
            mirror = str(ox.NamedNode(url))
        except ValueError as error:
            raise QueryError(f"--service {alias}: '{url}' is not a valid IRI: {error}") from error
        pattern = re.compile(r"(\bSERVICE\s+(?:SILENT\s+)?)<" + re.escape(original) + ">", re.I)
        text, count = pattern.subn(_replacement(mirror), text)
        if count == 0:
            raise QueryError(
                f"query '{bound.query.name}' has no SERVICE <{original}> clause to redirect",
                location=SourceLocation(bound.query.path),
                hint="write the endpoint in full, SERVICE <URL>, or check the alias "
                f"(known: {', '.join(SERVICE_ALIASES)})",
            )
    return replace(bound, text=text)


_FEDERATED = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def read_all(result: QueryResult) -> QueryResult:
    """The solutions read to the end now, so a remote endpoint's failure is raised here.

    pyoxigraph evaluates and parses lazily: without this, a SERVICE that cannot be reached (or
    a remote answer cut short) would fail halfway through printing the results.
    """
    if isinstance(result, ox.QuerySolutions):
        data = result.serialize(format=ox.QueryResultsFormat.JSON)
        solutions = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        return solutions
    return result


def _replacement(iri: str) -> Callable[[re.Match[str]], str]:
    return lambda match: match.group(1) + iri


def run_query(store: ox.Store, bound: BoundQuery | SavedQuery) -> QueryResult:
    """Run a query over the store's default graph: the facts of every article, each once.

    The evidence of a fact is in the named graph of each article that states it (``GRAPH ?g``);
    see :mod:`annograph.build._graph` for the layout.

    :raises QueryError: on a SPARQL syntax or evaluation error, located in the query's file.
    """
    if isinstance(bound, SavedQuery):
        bound = bind(bound, {}, prefixes={})
    query = bound.query
    try:
        result = store.query(bound.text, substitutions=dict(bound.substitutions))
        return read_all(result) if _FEDERATED.search(bound.text) else result
    except SyntaxError as error:
        raise QueryError(
            f"SPARQL syntax error: {_without_position(str(error))}",
            location=_error_location(query.path, str(error)),
        ) from error
    except (RuntimeError, OSError) as error:
        raise QueryError(
            f"the query failed: {error}", location=SourceLocation(query.path)
        ) from error


# -- the header ---------------------------------------------------------------------------------


def _header(text: str, path: Path) -> dict[str, Any]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[2:].removeprefix(" "))
    if not lines:
        return {}
    try:
        header = YAML(typ="safe", pure=True).load("\n".join(lines))
    except MarkedYAMLError as error:
        mark = error.problem_mark
        location = SourceLocation(path, mark.line + 1, mark.column + 3) if mark else None
        raise QueryError(
            f"malformed '#+' header: {error.problem}", location=location or SourceLocation(path)
        ) from error
    if header is None:
        return {}
    if not isinstance(header, dict):
        raise QueryError(
            "the '#+' header must be 'key: value' lines", location=SourceLocation(path, 1, 1)
        )
    for key in header:
        if key not in DECORATORS:
            number = next(i for i, line in enumerate(lines, 1) if line.startswith(f"{key}:"))
            raise QueryError(
                f"unknown decorator '{key}'",
                location=SourceLocation(path, number, 4),
                hint=closest(str(key), DECORATORS) or f"grlc's: {', '.join(DECORATORS)}",
            )
    return header


def _name_to_value(entries: Any, decorator: str, path: Path) -> dict[str, Any]:
    """grlc writes defaults and enumerations as a list of one-key mappings."""
    if entries is None:
        return {}
    items = entries if isinstance(entries, list) else [entries]
    result: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            raise QueryError(
                f"'{decorator}' must be a list of 'name: value' entries",
                location=SourceLocation(path, 1),
            )
        for name, value in item.items():
            if decorator == "enumerate":
                values = value if isinstance(value, list) else [value]
                result[str(name)] = tuple(str(v) for v in values)
            else:
                result[str(name)] = str(value)
    return result


# -- parameters ---------------------------------------------------------------------------------


def _tokens(text: str) -> Iterator[re.Match[str]]:
    return _TOKENS.finditer(text)


def _form(tokens: list[re.Match[str]]) -> QueryForm | None:
    for token in tokens:
        word = token.group("word")
        if word and word.upper() in QueryForm.__members__:
            return QueryForm[word.upper()]
    return None


def _parameter_variables(tokens: list[re.Match[str]]) -> Iterator[tuple[str, int]]:
    for token in tokens:
        variable = token.group("variable")
        if variable and _PARAMETER.fullmatch(variable[1:]):
            yield variable[1:], token.start()


def _location(path: Path, text: str, offset: int) -> SourceLocation:
    line = text.count("\n", 0, offset) + 1
    return SourceLocation(path, line, offset - text.rfind("\n", 0, offset))


def _prefixes(text: str) -> dict[str, str]:
    return dict(re.findall(r"PREFIX\s+([A-Za-z][\w.-]*|):\s*<([^>]*)>", text, re.IGNORECASE))


def _parameter(
    variable: str,
    prefixes: Mapping[str, str],
    defaults: Mapping[str, str],
    allowed: Mapping[str, tuple[str, ...]],
    location: SourceLocation,
) -> Parameter:
    match = _PARAMETER.fullmatch(variable)
    assert match is not None
    required = match.group(1) == "_"
    parts = match.group(2).split("_")
    kind, language, datatype = "literal", None, None
    if len(parts) > 1 and parts[-1] == "iri":
        kind, parts = "iri", parts[:-1]
    elif len(parts) > 2 and parts[-2] in prefixes:
        kind, datatype, parts = "datatype", prefixes[parts[-2]] + parts[-1], parts[:-2]
    elif len(parts) > 2 and parts[-2] == "xsd":
        kind, datatype, parts = "datatype", XSD + parts[-1], parts[:-2]
    elif len(parts) > 1 and parts[-1] in XSD_TYPES:
        kind, datatype, parts = "datatype", XSD + parts[-1], parts[:-1]
    elif len(parts) > 1 and _LANGUAGE_SUFFIX.fullmatch(parts[-1]):
        kind, language, parts = "language", parts[-1], parts[:-1]
    name = "_".join(parts)
    return Parameter(
        name=name,
        variable=variable,
        required=required,
        kind=kind,
        language=language,
        datatype=datatype,
        default=defaults.get(name),
        allowed=allowed.get(name, ()),
        location=location,
    )


def _check_projected(
    parameters: tuple[Parameter, ...], tokens: list[re.Match[str]], path: Path
) -> None:
    """pyoxigraph binds only variables a SELECT projects: say so before a user trips on it."""
    projected: set[str] = set()
    star = False
    started = False
    previous = ""
    for token in tokens:
        word = (token.group("word") or "").upper()
        if word == "SELECT":
            started = True
        elif started and (word in ("WHERE", "FROM") or token.group("brace")):
            break
        elif started and token.group("variable"):
            projected.add(token.group("variable")[1:])
        elif started and token.group("star") and previous in ("SELECT", "DISTINCT", "REDUCED"):
            star = True
        previous = word
    if star:
        return
    for parameter in parameters:
        if parameter.variable not in projected:
            raise QueryError(
                f"parameter ?{parameter.variable} is not in the SELECT clause",
                location=parameter.location,
                hint="add it to SELECT (pyoxigraph binds only the variables a SELECT projects)",
            )


def is_iri_value(value: str, prefixes: Mapping[str, str]) -> bool:
    """Whether a parameter's value is an absolute IRI or a CURIE with one of ``prefixes``.

    >>> is_iri_value("ag:Report", {"ag": "https://w3id.org/annograph/ontology#"})
    True
    >>> is_iri_value("Бишкек", {}), is_iri_value("https://example.org/x", {})
    (False, True)
    """
    try:
        ox.NamedNode(_expanded(value, prefixes))
    except ValueError:
        return False
    return True


def _expanded(value: str, prefixes: Mapping[str, str]) -> str:
    prefix, _, local = value.partition(":")
    if local and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return value


def _iri(parameter: Parameter, value: str, prefixes: Mapping[str, str]) -> ox.NamedNode:
    value = _expanded(value, prefixes)
    try:
        return ox.NamedNode(value)  # refuses relative and malformed IRIs
    except ValueError as error:
        raise QueryError(
            f"parameter '{parameter.name}' needs an IRI, not '{value}'",
            location=parameter.location,
            hint=IRI_HINT,
        ) from error


def _with_values(
    query: SavedQuery, text: str, lists: Mapping[str, list[ox.NamedNode | ox.Literal]]
) -> str:
    """The query with a VALUES block opening its WHERE clause, for parameters bound to lists.

    Each term is written by pyoxigraph from a checked term, never copied from the input, so a
    value is always exactly one RDF term.
    """
    if not lists:
        return text
    rows: list[list[ox.NamedNode | ox.Literal]] = [[]]
    for terms in lists.values():
        rows = [[*row, term] for row in rows for term in terms]
    variables = " ".join("?" + variable for variable in lists)
    body = " ".join("(" + " ".join(str(term) for term in row) + ")" for row in rows)
    at = _where_brace(query, text)
    # On the brace's own line, so that syntax errors keep the file's line numbers.
    return f"{text[: at + 1]} VALUES ({variables}) {{ {body} }}{text[at + 1 :]}"


def _where_brace(query: SavedQuery, text: str) -> int:
    """Where the WHERE clause's group opens (after a CONSTRUCT's template, if there is one)."""
    after_where = query.form is not QueryForm.CONSTRUCT
    for token in _tokens(text):
        if (token.group("word") or "").upper() == "WHERE":
            after_where = True
        elif token.group("brace") and after_where:
            return token.start()
    raise QueryError("cannot find the query's WHERE clause", location=SourceLocation(query.path))


# -- error locations ----------------------------------------------------------------------------


def _error_location(path: Path, message: str) -> SourceLocation:
    match = _ERROR_POSITION.search(message)
    if match is None:
        return SourceLocation(path)
    return SourceLocation(path, int(match.group(1)), int(match.group(2)))


def _without_position(message: str) -> str:
    return _ERROR_POSITION.sub("", message).lstrip(": ").strip() or message
