"""RDF serializations of the store, streamed in a deterministic order: same graph, same bytes.

An export is a sequence of *sections*, each a graph or part of one, written one after the other
so that memory holds one section at most (one subject of the default graph), never the dataset:

- the facts: the default graph, in the store's own order. Oxigraph's indexes order terms by a
  hash of their text, so the order depends on the content alone, and a change to one fact moves
  no other line. Each subject's triples are sorted.
- each named graph, by name, its triples sorted as people read them (subjects, then ``a``
  first, then predicates and objects). A named graph is what one article says: it fits.

Formats that keep graphs (N-Quads, TriG, JSON-LD) write the store as it is: the default graph,
then the named graphs. Triple formats (Turtle, N-Triples, RDF/XML) write one graph, the union:
the facts once, then each article's evidence (a statement that several articles state, in the
first of their graphs that the store lists). The ontology (its graph, and its triples among the
facts) is left out unless asked for.

Every format is made from the N-Triples lines Oxigraph's own serializer writes (at its speed):
N-Triples and N-Quads are those lines; Turtle and TriG are annograph's layout of them (subject
blocks, ``a`` first, objects sorted, only the prefixes used declared, the ontology's blank
nodes nested); JSON-LD and RDF/XML are Oxigraph's writers over them.
"""

from __future__ import annotations

import enum
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from annograph.annotations._ontology import ONTOLOGY_IRI
from annograph.build._graph import Minter
from annograph.errors import AnnographError
from annograph.publish._turtle import (
    INDENT,
    LineWriter,
    canonical_triples,
    serialize_trig,
    serialize_turtle,
)
from annograph.vocab import RDF_TYPE

_STATEMENT = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement")
_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_NT = ox.RdfFormat.N_TRIPLES


class ExportFormat(enum.Enum):
    """The RDF formats ``annograph export`` writes; the value is the CLI name."""

    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    NQUADS = "nquads"
    TRIG = "trig"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"

    @property
    def rdf_format(self) -> ox.RdfFormat:
        return {
            "turtle": ox.RdfFormat.TURTLE,
            "ntriples": ox.RdfFormat.N_TRIPLES,
            "nquads": ox.RdfFormat.N_QUADS,
            "trig": ox.RdfFormat.TRIG,
            "jsonld": ox.RdfFormat.JSON_LD,
            "rdfxml": ox.RdfFormat.RDF_XML,
        }[self.value]

    @classmethod
    def of(cls, format: ExportFormat | str) -> ExportFormat:
        """``format`` itself, or the format a name such as ``"nquads"`` stands for.

        >>> ExportFormat.of("nquads") is ExportFormat.NQUADS
        True
        >>> ExportFormat.of("n-quads")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: no export format 'n-quads': use one of turtle, ntriples, nquads, ...
        """
        if isinstance(format, cls):
            return format
        if not isinstance(format, str):
            raise TypeError(f"an export format is an ExportFormat or its name, not {format!r}")
        try:
            return cls(format.lower())
        except ValueError:
            names = ", ".join(member.value for member in cls)
            raise ValueError(f"no export format '{format}': use one of {names}") from None

    @property
    def keeps_graphs(self) -> bool:
        """Whether the format can say which named graph a triple is in."""
        return self.rdf_format.supports_datasets


@dataclass(frozen=True, slots=True)
class _Section:
    """Part of an export: N-Triples lines of one graph, grouped by subject, in order."""

    graph: ox.NamedNode | ox.DefaultGraph
    groups: Callable[[], Iterator[list[bytes]]]
    #: The ontology's triples: Turtle and TriG nest their blank nodes (lists, restrictions).
    ontology: bool = False


def export_store(
    store: ox.Store,
    output: IO[bytes],
    *,
    format: ExportFormat,
    prefixes: Mapping[str, str],
    minter: Minter,
    graph: str | None = None,
    with_ontology: bool = False,
) -> None:
    """Write the store (or one named graph of it) to ``output`` in ``format``.

    :param prefixes: prefix -> namespace; Turtle and TriG declare only those they use.
    :param minter: the project's IRIs, to tell evidence from facts.
    :param graph: one named graph to write, whole (for a triple format, as its triples).
    :param with_ontology: also write the ontology (its graph, and its triples in the default).
    :raises AnnographError: if ``graph`` names a graph the store does not have.
    """
    with tempfile.TemporaryDirectory(prefix="annograph-export-") as scratch:
        if graph is not None:
            sections = [_named_section(store, _known_graph(store, graph))]
        else:
            sections = _sections(
                store,
                Path(scratch),
                dataset=format.keeps_graphs,
                with_ontology=with_ontology,
                minter=minter,
            )
        try:
            _WRITERS[format](sections, output, prefixes, Path(scratch))
        except ValueError as error:  # the writers' way of refusing what they cannot write
            raise AnnographError(f"cannot export as {format.value}: {error}") from error


def export_graph(
    quads: Iterable[ox.Quad], *, format: ExportFormat, prefixes: dict[str, str]
) -> str:
    """Serialize a few quads held in memory (a VoID description, a CONSTRUCT's answer) in the
    layout of :func:`export_store`; triple formats get the union of the graphs.

    :param prefixes: prefix -> namespace; Turtle and TriG declare only those they use.

    >>> q = ox.Quad(ox.NamedNode("https://e.org/a"), ox.NamedNode("https://schema.org/name"),
    ...             ox.Literal("Бишкек", language="ru"), ox.NamedNode("https://e.org/g"))
    >>> print(export_graph([q], format=ExportFormat.TURTLE, prefixes={"schema": "https://schema.org/"}))
    @prefix schema: <https://schema.org/> .
    <BLANKLINE>
    <https://e.org/a> schema:name "Бишкек"@ru .
    <BLANKLINE>
    """
    quads = list(quads)
    try:
        return _serialize(quads, format, prefixes)
    except ValueError as error:
        raise AnnographError(f"cannot export as {format.value}: {error}") from error


def _serialize(quads: list[ox.Quad], format: ExportFormat, prefixes: dict[str, str]) -> str:
    triples = list(dict.fromkeys(quad.triple for quad in quads))
    if format is ExportFormat.TURTLE:
        return serialize_turtle(triples, prefixes=prefixes)
    if format is ExportFormat.TRIG:
        return serialize_trig(quads, prefixes=prefixes)
    if format is ExportFormat.NTRIPLES:
        return _sorted_text(canonical_triples(triples), format)
    data: list[ox.Quad] | list[ox.Triple] = quads if format.keeps_graphs else triples
    if format is ExportFormat.NQUADS:
        return _sorted_text(data, format)
    text = ox.serialize(data, format=format.rdf_format, prefixes=prefixes) or b""
    return text.decode("utf-8")


def _sorted_text(data: list[ox.Quad] | list[ox.Triple], format: ExportFormat) -> str:
    text = (ox.serialize(data, format=format.rdf_format) or b"").decode("utf-8")
    return "".join(sorted(text.splitlines(keepends=True)))


def _known_graph(store: ox.Store, graph: str) -> ox.NamedNode:
    try:
        name = ox.NamedNode(graph)
    except ValueError:
        name = None
    if name is None or not store.contains_named_graph(name):
        known = ", ".join(
            sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        )
        raise AnnographError(f"no graph <{graph}> in the store", hint=f"graphs: {known}")
    return name


# -- sections -----------------------------------------------------------------------------------


def _sections(
    store: ox.Store,
    scratch: Path,
    *,
    dataset: bool,
    with_ontology: bool,
    minter: Minter,
) -> list[_Section]:
    """Every section of a whole export (see the module)."""
    sections = _default_sections(store, scratch, with_ontology=with_ontology)
    for name in _named_graphs(store, with_ontology=with_ontology and dataset):
        if dataset:
            sections.append(_named_section(store, name))
        else:
            sections.append(_Section(name, _evidence_groups(store, name, minter)))
    return sections


def _named_graphs(store: ox.Store, *, with_ontology: bool) -> list[ox.NamedNode]:
    graphs = sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value
    )
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    if with_ontology and ontology not in graphs:
        raise AnnographError("the store holds no ontology graph", hint="run 'annograph build'")
    return [g for g in graphs if with_ontology or g != ontology]


def _named_section(store: ox.Store, name: ox.NamedNode) -> _Section:
    return _Section(
        name, lambda: _sorted_groups(_lines(store, name)), ontology=name.value == ONTOLOGY_IRI
    )


def _default_sections(store: ox.Store, scratch: Path, *, with_ontology: bool) -> list[_Section]:
    """The default graph: the ontology's triples among them (if asked), then the facts.

    The default graph is dumped by Oxigraph into a file and read back a subject at a time.
    """
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    own = set(_lines(store, ontology)) if store.contains_named_graph(ontology) else set()
    spool = scratch / "default.nt"
    store.dump(str(spool), format=_NT, from_graph=ox.DefaultGraph())
    sections = []
    if with_ontology and own:
        sections.append(_Section(ox.DefaultGraph(), lambda: _sorted_groups(own), ontology=True))
    sections.append(_Section(ox.DefaultGraph(), lambda: _spooled_groups(spool, skip=own)))
    return sections


def _lines(store: ox.Store, graph: ox.NamedNode) -> list[bytes]:
    return (store.dump(format=_NT, from_graph=graph) or b"").splitlines()


def _spooled_groups(path: Path, *, skip: set[bytes]) -> Iterator[list[bytes]]:
    """The lines of a file in its order, grouped by subject, each group sorted; ``skip`` left
    out (the ontology's triples, written with the ontology or not at all)."""
    with open(path, "rb") as file:
        lines = (line.rstrip(b"\n") for line in file)
        for group in _groups(line for line in lines if line not in skip):
            yield sorted(group, key=_line_key)


def _sorted_groups(lines: Iterable[bytes]) -> Iterator[list[bytes]]:
    """Lines sorted as people read a graph (see :func:`_line_key`), grouped by subject."""
    return _groups(sorted(lines, key=_line_key))


def _line_key(line: bytes) -> tuple[bytes, bool, bytes, int, bytes]:
    """Subjects and IRIs by their text (``x`` before ``x-part``), ``a`` first, then IRIs,
    blank nodes and literals (as N-Triples)."""
    subject, predicate, rest = line.split(b" ", 2)
    obj = rest[:-2]
    kind = 0 if obj[:1] == b"<" else 1 if obj[:2] == b"_:" else 2
    return (
        subject.strip(b"<>"),
        predicate != _TYPE,
        predicate[1:-1],
        kind,
        obj[1:-1] if kind == 0 else obj,
    )


def _groups(lines: Iterable[bytes]) -> Iterator[list[bytes]]:
    """Consecutive lines with the same subject, together."""
    group: list[bytes] = []
    subject = b""
    for line in lines:
        head = line[: line.index(b" ")]
        if head != subject and group:
            yield group
            group = []
        subject = head
        group.append(line)
    if group:
        yield group


def _evidence_groups(
    store: ox.Store, name: ox.NamedNode, minter: Minter
) -> Callable[[], Iterator[list[bytes]]]:
    """A named graph's evidence (its facts are the default graph's); a statement that several
    graphs state, only in the first of them the store lists (one lookup, not a search)."""

    def groups() -> Iterator[list[bytes]]:
        for group in _sorted_groups(_lines(store, name)):
            subject = group[0][1 : group[0].index(b"> ")].decode()
            if not minter.is_evidence_iri(subject):
                continue
            if minter.is_statement_iri(subject) and _first_graph(store, subject) != name:
                continue
            yield group

    return groups


def _first_graph(store: ox.Store, statement: str) -> ox.NamedNode | None:
    for quad in store.quads_for_pattern(ox.NamedNode(statement), RDF_TYPE, _STATEMENT):
        if isinstance(quad.graph_name, ox.NamedNode):
            return quad.graph_name
    return None


# -- writers ------------------------------------------------------------------------------------

Writer = Callable[[list[_Section], IO[bytes], Mapping[str, str], Path], None]


def _write_lines(
    sections: list[_Section], output: IO[bytes], prefixes: Mapping[str, str], scratch: Path
) -> None:
    """N-Triples: the lines as they are."""
    for section in sections:
        for group in section.groups():
            output.write(b"\n".join(group) + b"\n")


def _write_quads(
    sections: list[_Section], output: IO[bytes], prefixes: Mapping[str, str], scratch: Path
) -> None:
    """N-Quads: the lines, with their graph."""
    for section in sections:
        tail = _tail(section.graph)
        for group in section.groups():
            output.write(b"".join(line[:-1] + tail for line in group))


def _tail(graph: ox.NamedNode | ox.DefaultGraph) -> bytes:
    """What ends a line of ``graph`` in N-Quads (an N-Triples line ends with "." and nowhere
    else: a literal's line breaks are escaped)."""
    return b".\n" if isinstance(graph, ox.DefaultGraph) else f"{graph} .\n".encode()


def _write_turtle(
    sections: list[_Section], output: IO[bytes], prefixes: Mapping[str, str], scratch: Path
) -> None:
    """Turtle: one graph, subject blocks (see the module)."""
    writer = LineWriter(prefixes)
    with _Spool(scratch, output) as body:
        for section in sections:
            if section.ontology:
                body.block(writer.blocks(canonical_triples(_triples(section)), indent=""))
            else:
                for group in section.groups():
                    body.block(writer.group(group, indent=""))
        body.finish(writer.header())


def _write_trig(
    sections: list[_Section], output: IO[bytes], prefixes: Mapping[str, str], scratch: Path
) -> None:
    """TriG: the default graph's blocks, then each named graph's in braces."""
    writer = LineWriter(prefixes)
    with _Spool(scratch, output) as body:
        current: ox.NamedNode | ox.DefaultGraph | None = None
        for section in sections:
            named = isinstance(section.graph, ox.NamedNode)
            indent = INDENT if named else ""
            if section.graph != current:
                if isinstance(current, ox.NamedNode):
                    body.write("}\n")
                if named:
                    body.part(f"{writer.term(section.graph)} {{\n")
                current = section.graph
            if section.ontology:
                # The ontology's graph and its copy in the default graph are the same triples,
                # so they get the same canonical labels: the blank nodes they share stay one.
                body.block(writer.blocks(canonical_triples(_triples(section)), indent=indent))
            else:
                for group in section.groups():
                    body.block(writer.group(group, indent=indent))
        if isinstance(current, ox.NamedNode):
            body.write("}\n")
        body.finish(writer.header())


def _write_oxigraph(format: ExportFormat) -> Writer:
    """JSON-LD and RDF/XML: Oxigraph's writer over the same stream, parsed back into terms."""

    def write(
        sections: list[_Section], output: IO[bytes], prefixes: Mapping[str, str], scratch: Path
    ) -> None:
        source = _LineStream(sections, quads=format.keeps_graphs)
        rdf = ox.RdfFormat.N_QUADS if format.keeps_graphs else ox.RdfFormat.N_TRIPLES
        terms = ox.parse(io.BufferedReader(source, 1 << 20), format=rdf)
        if not format.keeps_graphs:
            terms = (quad.triple for quad in terms)  # type: ignore[assignment]
        ox.serialize(terms, output, format=format.rdf_format, prefixes=dict(prefixes))

    return write


def _triples(section: _Section) -> list[ox.Triple]:
    """A section's triples as terms (the ontology's: a few hundred)."""
    text = b"".join(b"\n".join(group) + b"\n" for group in section.groups())
    return [quad.triple for quad in ox.parse(text, format=_NT)]


class _Spool:
    """Turtle's body written to a file first: only once it is written are the prefixes it
    uses known, and they go before it."""

    def __init__(self, scratch: Path, output: IO[bytes]) -> None:
        self._path = scratch / "body"
        self._output = output
        self._file: IO[str] | None = None
        self._first = True

    def __enter__(self) -> _Spool:
        self._file = open(self._path, "w", encoding="utf-8", newline="\n")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()

    def write(self, text: str) -> None:
        assert self._file is not None
        self._file.write(text)

    def part(self, text: str) -> None:
        """A new part (a named graph's opening): a blank line before it, as between blocks."""
        if not self._first:
            self.write("\n")
        self._first = True
        self.write(text)

    def block(self, text: str) -> None:
        if not text:
            return
        if not self._first:
            self.write("\n")
        self._first = False
        self.write(text)

    def finish(self, header: str) -> None:
        assert self._file is not None
        self._file.close()
        self._output.write(header.encode("utf-8"))
        with open(self._path, "rb") as body:
            shutil.copyfileobj(body, self._output, 1 << 20)


class _LineStream(io.RawIOBase):
    """The sections' lines as one N-Triples or N-Quads file, read on demand."""

    def __init__(self, sections: list[_Section], *, quads: bool) -> None:
        self._chunks = self._generate(sections, quads)
        self._current = memoryview(b"")

    @staticmethod
    def _generate(sections: list[_Section], quads: bool) -> Iterator[bytes]:
        for section in sections:
            tail = _tail(section.graph if quads else ox.DefaultGraph())
            for group in section.groups():
                yield b"".join(line[:-1] + tail for line in group)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._current:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._current = memoryview(chunk)
        size = min(len(buffer), len(self._current))
        buffer[:size] = self._current[:size]
        self._current = self._current[size:]
        return size


_WRITERS: dict[ExportFormat, Writer] = {
    ExportFormat.NTRIPLES: _write_lines,
    ExportFormat.NQUADS: _write_quads,
    ExportFormat.TURTLE: _write_turtle,
    ExportFormat.TRIG: _write_trig,
    ExportFormat.JSONLD: _write_oxigraph(ExportFormat.JSONLD),
    ExportFormat.RDFXML: _write_oxigraph(ExportFormat.RDFXML),
}
