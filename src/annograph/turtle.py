"""Deterministic, readable Turtle and TriG: the same graph always gives the same bytes.

Subjects are sorted, ``rdf:type`` comes first (as ``a``), other predicates and objects are
sorted, only the prefixes used are declared, blank nodes used once are nested as ``[ ... ]`` and
RDF lists written as ``( ... )``. Other blank nodes get labels from rdflib's canonicalization,
so neither the input order nor the input's blank-node labels change the output.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_canonical_graph

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = RDF + "type", RDF + "first", RDF + "rest", RDF + "nil"
INDENT = "    "

Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal

_PN_LOCAL = re.compile(r"([A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")
_SHORT_FORMS = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
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
    body = writer.blocks(_canonical(triples), indent="")
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
    for quad in quads:
        key = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        graphs[key].append(quad.triple)
        names[key] = quad.graph_name
    _check_no_shared_blank_nodes(graphs)
    writer = _Writer(prefixes)
    parts = []
    for key in sorted(graphs):
        body = writer.blocks(_canonical(graphs[key]), indent="" if key == "" else INDENT)
        if key == "":
            parts.append(body)
        else:
            parts.append(f"{writer.term(names[key])} {{\n{body.rstrip()}\n}}\n")
    return writer.header() + "\n".join(parts)


def _check_no_shared_blank_nodes(graphs: Mapping[str, list[ox.Triple]]) -> None:
    owner: dict[ox.BlankNode, str] = {}
    for key, triples in graphs.items():
        for triple in triples:
            for term in (triple.subject, triple.object):
                if isinstance(term, ox.BlankNode) and owner.setdefault(term, key) != key:
                    raise ValueError(f"blank node {term} is shared between graphs; cannot write TriG deterministically")


# -- canonical blank-node labels ----------------------------------------------------------------


def _canonical(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples, with blank nodes relabelled canonically (if there are any)."""
    triples = list(dict.fromkeys(triples))
    for triple in triples:
        if isinstance(triple.subject, ox.Triple) or isinstance(triple.object, ox.Triple):
            raise ValueError("RDF-star triple terms are not supported by the Turtle writer")
    if not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        return triples
    graph = rdflib.Graph()
    for triple in triples:
        graph.add((_to_rdflib(triple.subject), _to_rdflib(triple.predicate), _to_rdflib(triple.object)))
    return [ox.Triple(*(_from_rdflib(term) for term in triple)) for triple in to_canonical_graph(graph)]


def _to_rdflib(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    # normalize=False keeps the lexical form exactly as given (e.g. "01" stays "01").
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)


def _from_rdflib(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    datatype = str(term.datatype) if term.datatype else XSD + "string"
    return ox.Literal(str(term), datatype=ox.NamedNode(datatype))


# -- the writer ---------------------------------------------------------------------------------


class _Writer:
    """Renders terms and subject blocks, remembering which prefixes it used."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # Longest namespace first, so the most specific prefix wins.
        self.prefixes = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
        self.used: set[str] = set()

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
            name = "a" if predicate == RDF_TYPE else self.iri(predicate)
            rendered = [self.object(graph, o, indent) for o in objects]
            parts.append(f"{name} " + f" ,\n{indent}{INDENT}".join(rendered))
        return f" ;\n{indent}".join(parts)

    def object(self, graph: _Graph, term: Object, indent: str) -> str:
        if isinstance(term, ox.BlankNode) and term in graph.nested:
            return self.nested(graph, term, indent)
        return self.term(term)

    def nested(self, graph: _Graph, node: ox.BlankNode, indent: str) -> str:
        items = graph.list_items(node)
        if items is not None:
            return "( " + " ".join(self.object(graph, item, indent) for item in items) + " )"
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
        for prefix, namespace in self.prefixes:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and _PN_LOCAL.fullmatch(local):
                self.used.add(prefix)
                return f"{prefix}:{local}"
        return "<" + _IRI_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04X}", iri) + ">"

    def literal(self, literal: ox.Literal) -> str:
        quoted = '"' + "".join(_escape(c) for c in literal.value) + '"'
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
        """IRIs, then blank nodes, then literals; each by their N-Triples form."""
        rank = 0 if isinstance(term, ox.NamedNode) else 1 if isinstance(term, ox.BlankNode) else 2
        return rank, str(term)


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\u{ord(char):04X}"
    return char


class _Graph:
    """Triples indexed by subject, with the blank nodes that can be written nested."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.outgoing: dict[Subject, dict[str, list[Object]]] = defaultdict(lambda: defaultdict(list))
        references: Counter[ox.BlankNode] = Counter()
        for triple in triples:
            assert not isinstance(triple.subject, ox.Triple) and not isinstance(triple.object, ox.Triple)
            self.outgoing[triple.subject][triple.predicate.value].append(triple.object)
            if isinstance(triple.object, ox.BlankNode):
                references[triple.object] += 1
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
                        if isinstance(obj, ox.BlankNode) and obj in candidates and obj not in reached:
                            reached.add(obj)
                            stack.append(obj)
            if reached == candidates:
                return candidates
            # Promote one unreached node (the smallest label, for determinism) to a labelled root.
            candidates = candidates - {min(candidates - reached, key=str)}

    def roots(self) -> list[Subject]:
        """Subjects written as top-level blocks: all but the nested blank nodes."""
        return [s for s in self.outgoing if not (isinstance(s, ox.BlankNode) and s in self.nested)]

    def predicates(self, subject: Subject, key: object) -> list[tuple[str, list[Object]]]:
        by_predicate = self.outgoing.get(subject, {})
        order = sorted(by_predicate, key=lambda p: (p != RDF_TYPE, p))
        return [(p, sorted(by_predicate[p], key=key)) for p in order]  # type: ignore[arg-type]

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
