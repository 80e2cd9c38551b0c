"""Deterministic, readable Turtle and TriG: the same graph always gives the same bytes.

Subjects are sorted, ``rdf:type`` comes first (as ``a``), other predicates and objects are
sorted, only the prefixes used are declared, blank nodes used once are nested as ``[ ... ]`` and
RDF lists written as ``( ... )``. Other blank nodes are labelled ``b0``, ``b1``, ... in the order
of rdflib's canonical labels, so neither the input order nor the input's labels change the output.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_canonical_graph

from annograph.vocab import RDF, RDF_TYPE, XSD

_TYPE = RDF_TYPE.value
RDF_FIRST, RDF_REST, RDF_NIL = RDF + "first", RDF + "rest", RDF + "nil"
_LITERAL_STAND_IN = "urn:annograph:literal:"
INDENT = "    "

Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal

_PN_LOCAL = re.compile(r"([A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")
_SHORT_FORMS = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
#: The characters a Turtle string cannot hold as they are (see _escape).
_TO_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def serialize_turtle(triples: Iterable[ox.Triple], *, prefixes: Mapping[str, str]) -> str:
    """Write triples as deterministic Turtle.

    :param triples: the graph.
    :param prefixes: prefix name -> namespace IRI; only those used are declared.
    :raises ValueError: for RDF-star triple terms, which this writer does not support.

    >>> t = ox.Triple(ox.NamedNode("https://e.org/a"), ox.NamedNode("https://schema.org/name"),
    ...               ox.Literal("Бишкек", language="ru"))
    >>> print(serialize_turtle([t], prefixes={"schema": "https://schema.org/", "x": "urn:x:"}))
    @prefix schema: <https://schema.org/> .
    <BLANKLINE>
    <https://e.org/a> schema:name "Бишкек"@ru .
    <BLANKLINE>
    """
    writer = _Writer(prefixes)
    body = writer.blocks(canonical_triples(triples), indent="")
    return writer.header() + body


def serialize_trig(quads: Iterable[ox.Quad], *, prefixes: Mapping[str, str]) -> str:
    """Write quads as deterministic TriG: the default graph first, then named graphs by name.

    :param quads: the dataset.
    :param prefixes: prefix name -> namespace IRI; only those used are declared.
    :raises ValueError: for triple terms, or a blank node shared between graphs (whose labels
        could not then be chosen per graph).

    >>> q = ox.Quad(ox.NamedNode("https://e.org/a"), ox.NamedNode("https://e.org/p"),
    ...             ox.Literal("1"), ox.NamedNode("https://e.org/g"))
    >>> print(serialize_trig([q], prefixes={"e": "https://e.org/"}), end="")
    @prefix e: <https://e.org/> .
    <BLANKLINE>
    e:g {
        e:a e:p "1" .
    }
    """
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    names: dict[str, ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = {}
    for quad in canonical_quads(quads):  # labels unique across graphs, as TriG needs
        key = _graph_key(quad.graph_name)
        graphs[key].append(quad.triple)
        names[key] = quad.graph_name
    writer = _Writer(prefixes)
    parts = []
    for key in sorted(graphs):
        body = writer.blocks(graphs[key], indent="" if key == "" else INDENT)
        if key == "":
            parts.append(body)
        else:
            parts.append(f"{writer.term(names[key])} {{\n{body.rstrip()}\n}}\n")
    return writer.header() + "\n".join(parts)


def canonical_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The distinct triples, blank nodes relabelled canonically: equal graphs, equal labels.

    :raises ValueError: for RDF-star triple terms.
    """
    distinct = list(dict.fromkeys(triples))
    if not any(isinstance(t.subject, ox.BlankNode | ox.Triple) for t in distinct) and not any(
        isinstance(t.object, ox.BlankNode | ox.Triple) for t in distinct
    ):
        return distinct  # nothing to relabel, nothing to refuse: as they are
    return [quad.triple for quad in canonical_quads(ox.Quad(*t) for t in distinct)]


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The distinct quads, blank nodes relabelled canonically graph by graph.

    Labels are ``b0``, ``b1``, ... in the order of the graphs and of rdflib's canonical labels
    within each graph, so they are unique across the document, as N-Quads and TriG need.

    :raises ValueError: for triple terms, or a blank node shared between graphs (whose label
        could not then be chosen per graph).
    """
    graphs: dict[str, list[ox.Quad]] = defaultdict(list)
    names: dict[str, ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = {}
    for quad in quads:
        if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
            raise ValueError("RDF-star triple terms are not supported")
        key = _graph_key(quad.graph_name)
        graphs[key].append(quad)
        names[key] = quad.graph_name
    _check_no_shared_blank_nodes(graphs)
    result: list[ox.Quad] = []
    numbers: dict[tuple[str, str], ox.BlankNode] = {}
    for key in sorted(graphs):
        distinct = list(dict.fromkeys(graphs[key]))
        if next(_blank_nodes(distinct), None) is None:
            result.extend(distinct)  # nothing to relabel (an article's graph has no blank node)
            continue
        triples = _hash_labelled([quad.triple for quad in distinct])
        for label in sorted({t.value for t in _blank_nodes(triples)}):
            numbers[key, label] = ox.BlankNode(f"b{len(numbers)}")

        def number(term: Any, key: str = key) -> Any:
            return numbers[key, term.value] if isinstance(term, ox.BlankNode) else term

        for t in triples:
            result.append(ox.Quad(number(t.subject), t.predicate, number(t.object), names[key]))
    return result


def _graph_key(name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return "" if isinstance(name, ox.DefaultGraph) else str(name)


def _blank_nodes(triples: Iterable[ox.Triple | ox.Quad]) -> Iterator[ox.BlankNode]:
    for triple in triples:
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.BlankNode):
                yield term


def _check_no_shared_blank_nodes(graphs: Mapping[str, list[ox.Quad]]) -> None:
    owner: dict[ox.BlankNode, str] = {}
    for key, triples in graphs.items():
        for node in _blank_nodes(triples):
            if owner.setdefault(node, key) != key:
                raise ValueError(
                    f"blank node {node} is shared between graphs; cannot label it deterministically"
                )


def _hash_labelled(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples with rdflib's canonical (hash-based) blank-node labels.

    Literals travel through rdflib as stand-in IRIs named by a hash of their N-Triples form, so
    rdflib never reinterprets a lexical form (``"01"^^xsd:integer``, ill-typed values, ...).
    """
    if next(_blank_nodes(triples), None) is None:
        return triples
    literals: dict[rdflib.term.Node, ox.Literal] = {}

    def to_rdflib(term: Any) -> rdflib.term.Node:
        if isinstance(term, ox.NamedNode):
            return rdflib.URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return rdflib.BNode(term.value)
        digest = hashlib.blake2b(str(term).encode(), digest_size=16).hexdigest()
        stand_in = rdflib.URIRef(_LITERAL_STAND_IN + digest)
        literals[stand_in] = term
        return stand_in

    def from_rdflib(term: rdflib.term.Node) -> Any:
        if isinstance(term, rdflib.BNode):
            return ox.BlankNode(str(term))
        return literals[term] if term in literals else ox.NamedNode(str(term))

    graph = rdflib.Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return [ox.Triple(*(from_rdflib(term) for term in t)) for t in to_canonical_graph(graph)]


# -- the writer ---------------------------------------------------------------------------------


class _Writer:
    """Renders terms and subject blocks, remembering which prefixes it used."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # Longest namespace first, so the most specific prefix wins.
        self.prefixes = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
        self.used: set[str] = set()
        # Graphs repeat their IRIs (predicates, classes, shared entities): each is written once
        # while it keeps coming, and the cache is bounded (a store's evidence IRIs are millions).
        self._written = functools.lru_cache(maxsize=1 << 16)(self._iri)

    def header(self) -> str:
        lines = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(self.prefixes) if p in self.used]
        return "\n".join(lines) + "\n\n" if lines else ""

    def blocks(self, triples: list[ox.Triple], *, indent: str) -> str:
        graph = _Graph(triples)
        roots = sorted(graph.roots(), key=self.sort_key)
        blocks = [self.block(graph, subject, indent) for subject in roots]
        return "\n".join(blocks)

    def block(self, graph: _Graph, subject: Subject, indent: str) -> str:
        # A blank node nobody refers to needs no label: Turtle's anonymous subject '[]' will do.
        unreferenced = isinstance(subject, ox.BlankNode) and not graph.referenced[subject]
        head = "[]" if unreferenced else self.term(subject)
        return f"{indent}{head} {self.predicates(graph, subject, indent + INDENT)} .\n"

    def predicates(self, graph: _Graph, subject: Subject, indent: str) -> str:
        parts = []
        for predicate, objects in graph.predicates(subject, self.sort_key):
            name = "a" if predicate == _TYPE else self.iri(predicate)
            rendered = [self.render_object(graph, o, indent) for o in objects]
            parts.append(f"{name} " + f" ,\n{indent}{INDENT}".join(rendered))
        return f" ;\n{indent}".join(parts)

    def render_object(self, graph: _Graph, term: Object, indent: str) -> str:
        if isinstance(term, ox.BlankNode) and term in graph.nested:
            return self.nested(graph, term, indent)
        return self.term(term)

    def nested(self, graph: _Graph, node: ox.BlankNode, indent: str) -> str:
        items = graph.list_items(node)
        if items is not None:
            return "( " + " ".join(self.render_object(graph, item, indent) for item in items) + " )"
        if not graph.outgoing[node]:
            return "[]"
        inner = indent + INDENT
        return f"[\n{inner}{self.predicates(graph, node, inner)}\n{indent}]"

    def term(self, term: object) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        assert isinstance(term, ox.Literal)
        return self.literal(term)

    def iri(self, iri: str) -> str:
        text, prefix = self._written(iri)
        if prefix:
            self.used.add(prefix)
        return text

    def _iri(self, iri: str) -> tuple[str, str]:
        """The IRI as written, and the prefix it uses ('' for none)."""
        for prefix, namespace in self.prefixes:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and _PN_LOCAL.fullmatch(local):
                return f"{prefix}:{local}", prefix
        return "<" + _IRI_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04X}", iri) + ">", ""

    def literal(self, literal: ox.Literal) -> str:
        quoted = '"' + _TO_ESCAPE.sub(lambda m: _escape(m.group()), literal.value) + '"'
        if literal.language:
            return f"{quoted}@{literal.language}"
        datatype = literal.datatype.value
        if datatype == XSD + "string":
            return quoted
        short = _SHORT_FORMS.get(datatype)
        if short is not None and short.fullmatch(literal.value):
            return literal.value
        return f"{quoted}^^{self.iri(datatype)}"

    def sort_key(self, term: object) -> tuple[int, str]:
        """IRIs, then blank nodes, then literals; IRIs and labels by value, literals as N-Triples.

        By value, not ``<...>``, so that ``x`` comes before ``x-part`` as people expect.
        """
        if isinstance(term, ox.NamedNode | ox.BlankNode):
            return (0 if isinstance(term, ox.NamedNode) else 1), term.value
        return 2, str(term)


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\u{ord(char):04X}"
    return char


class _Graph:
    """Triples indexed by subject, with the blank nodes that can be written nested."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.outgoing: dict[Subject, dict[str, list[Object]]] = defaultdict(
            lambda: defaultdict(list)
        )
        references: Counter[ox.BlankNode] = Counter()
        outgoing = self.outgoing
        # canonical_triples and canonical_quads, which every writer calls first, have refused
        # triple terms already.
        for subject, predicate, obj in triples:
            outgoing[subject][predicate.value].append(obj)
            if isinstance(obj, ox.BlankNode):
                references[obj] += 1
        self.referenced = references
        self.nested = self._nestable({b for b, n in references.items() if n == 1})

    def _nestable(self, candidates: set[ox.BlankNode]) -> set[ox.BlankNode]:
        """Candidates reachable from a written block; the rest (cycles) keep their labels."""
        while True:
            reached: set[ox.BlankNode] = set()
            stack: list[Subject] = [s for s in self.outgoing if s not in candidates]
            while stack:
                for objects in self.outgoing.get(stack.pop(), {}).values():
                    for obj in objects:
                        if (
                            isinstance(obj, ox.BlankNode)
                            and obj in candidates
                            and obj not in reached
                        ):
                            reached.add(obj)
                            stack.append(obj)
            if reached == candidates:
                return candidates
            # Promote one unreached node (the smallest label, for determinism) to a labelled root.
            candidates = candidates - {min(candidates - reached, key=str)}

    def roots(self) -> list[Subject]:
        """Subjects written as top-level blocks: all but the nested blank nodes."""
        return [s for s in self.outgoing if not (isinstance(s, ox.BlankNode) and s in self.nested)]

    def predicates(
        self, subject: Subject, key: Callable[[Object], tuple[int, str]]
    ) -> list[tuple[str, list[Object]]]:
        by_predicate = self.outgoing.get(subject, {})
        order = sorted(by_predicate, key=lambda p: (p != _TYPE, p))
        return [(p, sorted(by_predicate[p], key=key)) for p in order]

    def list_items(self, node: ox.BlankNode) -> list[Object] | None:
        """The items of a well-formed RDF list starting at ``node``, or None."""
        items: list[Object] = []
        current: Object = node
        while current != ox.NamedNode(RDF_NIL):
            if not isinstance(current, ox.BlankNode) or current not in self.nested:
                return None
            links = self.outgoing.get(current, {})
            first, rest = links.get(RDF_FIRST, []), links.get(RDF_REST, [])
            if set(links) != {RDF_FIRST, RDF_REST} or len(first) != 1 or len(rest) != 1:
                return None
            items.append(first[0])
            current = rest[0]
        return items


class LineWriter(_Writer):
    """Renders subject blocks from N-Triples lines, as the writer renders them from terms.

    Oxigraph writes N-Triples from a store far faster than terms can be read from it, and its
    escapes are Turtle's: so a large export is written line by line, each line's terms
    shortened with the writer's prefixes. For a graph without blank nodes, a block made from
    its sorted lines is the block :func:`serialize_turtle` writes
    (``tests/publish/test_turtle.py``).
    """

    def group(self, lines: list[bytes], *, indent: str) -> str:
        """The block of one subject, from its lines, sorted (see
        :mod:`annograph.publish._export`)."""
        inner = indent + INDENT
        parts: list[str] = []
        objects: list[str] = []
        current = b""
        head = ""
        for line in lines:
            subject, predicate, rest = line.split(b" ", 2)
            if predicate != current:
                if objects:
                    parts.append(self._predicate(current) + f" ,\n{inner}{INDENT}".join(objects))
                objects, current = [], predicate
            if not head:
                head = self.line_term(subject.decode())
            objects.append(self.line_term(rest[:-2].decode()))
        if objects:
            parts.append(self._predicate(current) + f" ,\n{inner}{INDENT}".join(objects))
        return f"{indent}{head} " + f" ;\n{inner}".join(parts) + " .\n"

    def _predicate(self, predicate: bytes) -> str:
        if predicate == _TYPE_LINE:
            return "a "
        return self.iri(predicate[1:-1].decode()) + " "

    def line_term(self, text: str) -> str:
        """A term as N-Triples writes it, as Turtle writes it."""
        if text[0] == "<":
            return self.iri(text[1:-1])
        if text[0] == "_":
            return text
        if text[-1] == '"':
            return text  # a plain string: N-Triples' escapes are Turtle's
        at = text.rfind('"^^<')
        if at < 0:
            return text  # a language-tagged string
        quoted, datatype = text[: at + 1], text[at + 4 : -1]
        short = _SHORT_FORMS.get(datatype)
        if short is not None and short.fullmatch(quoted[1:-1]):
            return quoted[1:-1]
        return f"{quoted}^^{self.iri(datatype)}"


_TYPE_LINE = f"<{_TYPE}>".encode()
