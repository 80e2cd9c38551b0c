"""The project's configuration file: ``annograph.toml``, or ``[tool.annograph]`` in pyproject.toml.

Keys: ``base_iri``, ``data`` and ``store`` (relative to the project root), ``prefixes``
(prefix -> namespace IRI, added to the project's for queries and exports) and ``endpoints``
(name -> ``url`` and optional ``user``, ``auth``, ``graph_store`` and ``default_graph``, so
that ``--endpoint NAME`` works wherever ``--endpoint URL`` does) and ``allow_service`` (URL
prefixes of the endpoints a query sent to ``annograph serve`` may call with ``SERVICE``; none by
default).

A command-line option wins over its environment variable, which wins over the file, which wins
over the default. Only one file may configure a project: with both ``annograph.toml`` and a
``[tool.annograph]`` table, annograph refuses rather than silently ignore one of them.

Every problem is reported at its ``file:line:column``: TOML's own syntax errors where tomllib
finds them, the others at the key (unknown keys) or at its value (wrong type, bad IRI).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pyoxigraph as ox

from annograph._http import AuthScheme
from annograph._lexical import closest
from annograph._limits import is_service_prefix
from annograph.annotations._ontology import PREFIXES
from annograph.build._graph import DEFAULT_BASE_IRI, Minter
from annograph.errors import ProjectError, SourceLocation
from annograph.publish._push import graph_store_url

CONFIG_FILE = "annograph.toml"
PYPROJECT_FILE = "pyproject.toml"
#: Where the configuration sits in pyproject.toml.
PYPROJECT_TABLE = ("tool", "annograph")

_KEYS = ("base_iri", "data", "store", "prefixes", "endpoints", "allow_service")
_ENDPOINT_KEYS = ("url", "user", "auth", "graph_store", "default_graph")
# Names typed after --endpoint: never mistaken for a URL, and easy to complete in a shell.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# A Turtle/SPARQL prefix name (PN_PREFIX, ASCII only: it is typed in queries).
_PREFIX = re.compile(r"[A-Za-z]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_SYNTAX = re.compile(r"^(?P<message>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")
#: The prefixes annograph defines itself; the project's own ones depend on the base IRI.
_RESERVED = {*PREFIXES, *Minter(DEFAULT_BASE_IRI).prefixes()}


class ConfigError(ProjectError):
    """The configuration file is not valid TOML or says something annograph does not accept."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A SPARQL endpoint known by a short name (or by its URL, when it is not configured)."""

    name: str
    #: The SPARQL query URL.
    url: str
    #: The user to authenticate as; the password comes from ANNOGRAPH_PASSWORD or a prompt,
    #: never a file.
    user: str | None = None
    #: Its Graph Store Protocol URL, for ``push`` (None: derived from ``url``, as Oxigraph has it).
    graph_store: str | None = None
    #: How the credentials are sent: as the server asks (``auto``), Basic, or Digest.
    auth: AuthScheme = AuthScheme.AUTO
    #: The named graph that stands for the default graph, for an engine whose default graph is
    #: the union of its graphs (Virtuoso): ``push`` writes the facts there, and queries name it
    #: as their default graph (SPARQL protocol's ``default-graph-uri``). None: the engine's own.
    default_graph: str | None = None

    @property
    def store_url(self) -> str:
        """Where ``push`` writes: the configured Graph Store URL, else the one beside ``url``."""
        return self.graph_store or graph_store_url(self.url)


@dataclass(frozen=True, slots=True)
class Config:
    """What the configuration file says; every field is None or empty when it says nothing."""

    #: The file read, or None without one.
    path: Path | None = None
    base_iri: str | None = None
    #: The data folder (articles/, entities/, links/); relative ones are to the project root.
    data: Path | None = None
    #: Absolute: a relative ``store`` in the file is relative to the project root.
    store: Path | None = None
    prefixes: Mapping[str, str] = field(default_factory=dict)
    endpoints: Mapping[str, Endpoint] = field(default_factory=dict)
    #: URL prefixes a query sent to ``annograph serve`` may name in ``SERVICE``.
    allow_service: tuple[str, ...] = ()

    def endpoint(self, name_or_url: str) -> Endpoint:
        """The configured endpoint called ``name_or_url``, or that URL as an unnamed endpoint.

        :raises ConfigError: if it is neither a configured name nor a URL.

        >>> Config().endpoint("http://127.0.0.1:7878/query").url
        'http://127.0.0.1:7878/query'
        """
        if name_or_url in self.endpoints:
            return self.endpoints[name_or_url]
        if "://" in name_or_url:
            return Endpoint(name_or_url, name_or_url)
        known = ", ".join(sorted(self.endpoints)) or "none"
        raise ConfigError(
            f"no endpoint named '{name_or_url}' (configured: {known})",
            location=SourceLocation(self.path) if self.path else None,
            hint=closest(name_or_url, self.endpoints)
            or f"give a URL, or add [endpoints.{name_or_url}] with url = ... to {CONFIG_FILE}",
        )


def load_config(root: Path) -> Config:
    """Read the configuration of the project at ``root``; an empty one if there is none.

    :raises ConfigError: for a TOML syntax error, an unknown key, a value of the wrong type or
        a bad IRI (located at file, line and column), or when both files configure the project.

    >>> load_config(Path("/nonexistent")) == Config()
    True
    """
    own, pyproject = root / CONFIG_FILE, root / PYPROJECT_FILE
    table = _pyproject_table(pyproject)
    if own.is_file():
        if table is not None:
            raise ConfigError(
                f"both {CONFIG_FILE} and {PYPROJECT_FILE} configure annograph",
                location=table.where(PYPROJECT_TABLE),
                hint=f"keep one of them: move this table into {CONFIG_FILE}, or delete that file",
            )
        text = own.read_text(encoding="utf-8")
        return _Reader(own, text, _parse(own, text), ()).config(root)
    return table.config(root) if table is not None else Config()


def _pyproject_table(path: Path) -> _Reader | None:
    """The ``[tool.annograph]`` table of pyproject.toml, if there is one."""
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    # Other tools' pyproject.toml problems are theirs, unless annograph's table is there too.
    if not re.search(r"\btool\s*\.\s*annograph\b", text):
        return None
    data = _parse(path, text)
    tool = data.get("tool")
    if not isinstance(tool, dict) or "annograph" not in tool:
        return None
    return _Reader(path, text, tool["annograph"], PYPROJECT_TABLE)


def _parse(path: Path, text: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _SYNTAX.match(str(error))
        if match is None:  # pragma: no cover - tomllib always says where
            raise ConfigError(
                f"TOML syntax error: {error}", location=SourceLocation(path)
            ) from error
        raise ConfigError(
            f"TOML syntax error: {match['message'][0].lower()}{match['message'][1:]}",
            location=SourceLocation(path, int(match["line"]), int(match["column"])),
            hint="see https://toml.io/en/v1.0.0 (strings need quotes; one key = value per line)",
        ) from error


@dataclass(frozen=True, slots=True)
class _Reader:
    """Checks one configuration table, locating each problem in the file's text."""

    path: Path
    text: str
    table: object
    #: Where the table sits in the file: () for annograph.toml, ("tool", "annograph") otherwise.
    base: tuple[str, ...]

    def config(self, root: Path) -> Config:
        table = self._table(self.table, ())
        for key in table:
            if key not in _KEYS:
                self._unknown(key, (), _KEYS)
        base_iri = self._string(table, "base_iri")
        if base_iri is not None:
            check_base_iri(base_iri, location=self._value(("base_iri",)))
        data, store = self._directory(table, "data"), self._directory(table, "store")
        return Config(
            path=self.path,
            base_iri=base_iri,
            data=root / data if data is not None else None,
            store=root / store if store is not None else None,
            prefixes=dict(self._prefixes(table)),
            endpoints=dict(self._endpoints(table)),
            allow_service=tuple(self._allow_service(table)),
        )

    def _allow_service(self, table: dict[str, object]) -> Iterator[str]:
        value = table.get("allow_service", [])
        if not isinstance(value, list):
            value = [value]
        for number, prefix in enumerate(value):
            if not isinstance(prefix, str) or not is_service_prefix(prefix):
                raise self.error(
                    ("allow_service",),
                    f"'allow_service' item {number + 1} is not an http(s) URL prefix",
                    hint="list URL prefixes with a '/' after the host: "
                    'allow_service = ["https://query.wikidata.org/"]',
                )
            yield prefix

    def _directory(self, table: dict[str, object], key: str) -> Path | None:
        """A directory setting (relative to the project root), or None if absent."""
        value = self._string(table, key)
        if value == "":
            example = {"data": "corpus", "store": "build/store"}[key]
            hint = f"give a directory, e.g. '{example}'"
            raise self.error((key,), f"'{key}' is empty", hint=hint)
        return Path(value).expanduser() if value is not None else None

    def _prefixes(self, table: dict[str, object]) -> Iterator[tuple[str, str]]:
        if "prefixes" not in table:
            return
        for prefix, value in self._table(table["prefixes"], ("prefixes",)).items():
            key = ("prefixes", prefix)
            if not _PREFIX.fullmatch(prefix):
                raise self.error(
                    key,
                    f"'{prefix}' is not a prefix name",
                    hint="start with a letter; then letters, digits, '_', '-' or '.'",
                    value=False,
                )
            namespace = self._string({prefix: value}, prefix, where=key)
            assert namespace is not None
            _check_iri(namespace, what=f"prefix '{prefix}'", location=self._value(key))
            if prefix in _RESERVED and PREFIXES.get(prefix) != namespace:
                raise self.error(
                    key,
                    f"prefix '{prefix}' is annograph's own",
                    hint="choose another name: annograph's prefixes are "
                    + ", ".join(sorted(_RESERVED)),
                    value=False,
                )
            yield prefix, namespace

    def _endpoints(self, table: dict[str, object]) -> Iterator[tuple[str, Endpoint]]:
        if "endpoints" not in table:
            return
        for name, value in self._table(table["endpoints"], ("endpoints",)).items():
            where = ("endpoints", name)
            if not _NAME.fullmatch(name):
                raise self.error(
                    where,
                    f"'{name}' is not an endpoint name",
                    hint="start with a letter; then letters, digits, '_' or '-'",
                    value=False,
                )
            endpoint = self._table(value, where)
            for key in endpoint:
                if key not in _ENDPOINT_KEYS:
                    self._unknown(key, where, _ENDPOINT_KEYS)
            url = self._string(endpoint, "url", where=(*where, "url"))
            if url is None:
                raise self.error(
                    where,
                    f"endpoint '{name}' has no 'url'",
                    hint=f'add url = "https://..." to [endpoints.{name}]',
                    value=False,
                )
            graph_store = self._string(endpoint, "graph_store", where=(*where, "graph_store"))
            for key, address in (("url", url), ("graph_store", graph_store)):
                if address is not None and not re.match(r"https?://[^/\s]+", address):
                    raise self.error(
                        (*where, key),
                        f"endpoint '{name}': '{address}' is not an http(s) URL",
                        hint="give the SPARQL query URL, e.g. http://127.0.0.1:7878/query"
                        if key == "url"
                        else "give the Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store",
                    )
            user = self._string(endpoint, "user", where=(*where, "user"))
            default_graph = self._string(endpoint, "default_graph", where=(*where, "default_graph"))
            if default_graph is not None:
                _check_iri(
                    default_graph,
                    what=f"endpoint '{name}': default_graph",
                    location=self._value((*where, "default_graph")),
                )
            auth = self._auth(endpoint, (*where, "auth"))
            yield name, Endpoint(name, url, user, graph_store, auth, default_graph)

    def _auth(self, endpoint: dict[str, object], where: tuple[str, ...]) -> AuthScheme:
        scheme = self._string(endpoint, "auth", where=where)
        if scheme is None:
            return AuthScheme.AUTO
        try:
            return AuthScheme(scheme)
        except ValueError:
            raise self.error(
                where,
                f"'{scheme}' is not an authentication scheme",
                hint="auth is one of: " + ", ".join(s.value for s in AuthScheme),
            ) from None

    def _table(self, value: object, where: tuple[str, ...]) -> dict[str, object]:
        if not isinstance(value, dict):
            name = ".".join((*self.base, *where))
            raise self.error(
                where, f"'{name}' must be a table, not {_kind(value)}", hint=f"write it as [{name}]"
            )
        return value

    def _string(
        self, table: dict[str, object], key: str, *, where: tuple[str, ...] | None = None
    ) -> str | None:
        value = table.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self.error(
            where or (key,),
            f"'{key}' must be a string, not {_kind(value)}",
            hint=f'put the value in quotes: {key} = "..."',
        )

    def _unknown(self, key: str, where: tuple[str, ...], known: tuple[str, ...]) -> None:
        inside = f" in [{'.'.join((*self.base, *where))}]" if where or self.base else ""
        raise self.error(
            (*where, key),
            f"unknown key '{key}'{inside}",
            hint=closest(key, known) or f"the keys are: {', '.join(known)}",
            value=False,
        )

    def error(
        self, key: tuple[str, ...], message: str, *, hint: str, value: bool = True
    ) -> ConfigError:
        """A located error about ``key`` (a path below the table), at its value or its name."""
        return ConfigError(message, location=self.where((*self.base, *key), value=value), hint=hint)

    def _value(self, key: tuple[str, ...]) -> SourceLocation:
        return self.where((*self.base, *key), value=True)

    def where(self, key: tuple[str, ...], *, value: bool = False) -> SourceLocation:
        """Where the file defines ``key`` (a full dotted path): its name, or its value."""
        return SourceLocation(self.path, *_locate(self.text, key, value=value))


def check_base_iri(base: str, *, location: SourceLocation | None = None) -> None:
    """Refuse a base IRI that is not an absolute IRI ending in '/' or '#'.

    :raises ProjectError: naming what is wrong, at ``location``.

    >>> check_base_iri("https://example.org/data/")
    """
    try:
        ox.NamedNode(base)
    except ValueError as error:
        raise ConfigError(
            f"invalid base IRI '{base}': {error}",
            location=location,
            hint="give an absolute IRI ending in '/' or '#', e.g. https://example.org/data/",
        ) from error
    if not base.endswith(("/", "#")):
        raise ConfigError(
            f"base IRI '{base}' must end with '/' or '#'", location=location, hint=f"try '{base}/'"
        )


def _check_iri(iri: str, *, what: str, location: SourceLocation) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise ConfigError(
            f"{what}: '{iri}' is not an IRI ({error})",
            location=location,
            hint="give an absolute IRI, e.g. https://example.org/vocab#",
        ) from error


def _kind(value: object) -> str:
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (dict, "a table"),
        (list, "an array"),
        ((datetime, date, time), "a date or time"),
    ]
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


# -- locating keys in the text --------------------------------------------------------------------
# tomllib keeps no positions, so a key is found by reading the file as TOML's grammar lays it
# out: [table] headers, then dotted keys before '='. Inline tables are searched within the line
# of the nearest key that has one.

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = re.compile(rf"\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*")
_HEADER = re.compile(rf"\s*\[\[?\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*\]\]?")
_PART = re.compile(_KEY)


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part[1:-1] if part[0] in "\"'" else part for part in _PART.findall(dotted))


def _positions(text: str) -> dict[tuple[str, ...], tuple[int, int, int]]:
    """Full key path -> (line, column of the key, column of its value), 1-based."""
    found: dict[tuple[str, ...], tuple[int, int, int]] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None:
            table = _parts(header[1])
            found.setdefault(table, (number, header.start(1) + 1, header.start(1) + 1))
            continue
        key = _DOTTED.match(line)
        if key is None or not line[key.end() :].startswith("="):
            continue
        value = key.end() + 1
        value += len(line[value:]) - len(line[value:].lstrip())
        found.setdefault((*table, *_parts(key[1])), (number, key.start(1) + 1, value + 1))
    return found


def _locate(text: str, key: tuple[str, ...], *, value: bool) -> tuple[int, int] | tuple[()]:
    positions = _positions(text)
    for depth in range(len(key), 0, -1):
        if key[:depth] not in positions:
            continue
        line, key_column, value_column = positions[key[:depth]]
        if depth == len(key):
            return line, value_column if value else key_column
        # Inside an inline table on that line: find the rest of the key after the ancestor's.
        source = text.splitlines()[line - 1]
        column = start = key_column - 1
        for part in key[depth:]:
            match = re.compile(rf"(?:{re.escape(part)}|\"{re.escape(part)}\")\s*=\s*").search(
                source, column
            )
            if match is None:
                return line, key_column
            column, start = match.end(), match.start()
        return line, (column if value else start) + 1
    # Only its sub-tables are written out ([tool.annograph.prefixes]): point at the first.
    inner = [position for path, position in positions.items() if path[: len(key)] == key]
    return min(inner)[:2] if inner else ()
