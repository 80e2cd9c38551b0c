"""SHACL: what a built graph must contain, checked by pyshacl-turbo, each result traced to YAML.

The shapes are ``ontology/shapes.ttl`` plus one shape per ``rdfs:domain`` and ``rdfs:range`` of the
ontology (derived here, so the ontology stays the one place that says which property goes with
which class). A result's focus node, path and value are looked up in the triples' origins to name
the file, line and column of the annotation that said it.

A build checks the shapes node by node, in bounded memory, rather than over the whole graph at
once. Every node an article mints (its own entities, its statements and annotations, the
article itself) has all its triples in that article's graph, and so has every triple pointing at
it: an article refers only to its own entities and to shared ones. So an article's graph (with
the ontology) settles the shapes of its own nodes (:func:`article_shape_problems`). What is said
of a shared entity is spread over every article that mentions it; its shapes are checked once
all articles are in the store, with the triples around it (:func:`store_shape_problems`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl_turbo
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from annograph.annotations._ontology import NAMESPACE, Ontology, parse_turtle, short_iri
from annograph.errors import AnnographError, SourceLocation
from annograph.vocab import RDF_TYPE

Origins = Mapping[ox.Triple, SourceLocation]
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class ShapeViolation(AnnographError):
    """The graph breaks a SHACL shape of severity sh:Violation (the default)."""


class ShapeWarning(AnnographError):
    """The graph breaks a SHACL shape of severity sh:Warning or sh:Info: reported, not fatal."""

    severity = "warning"


@dataclass(frozen=True, slots=True)
class Shapes:
    """The shapes graph the build checks against: the shapes file plus the derived shapes."""

    path: Path
    graph: rdflib.Graph
    #: The same shapes, compiled once for pyshacl-turbo's engine.
    compiled: pyshacl_turbo.CompiledShapes
    #: The properties some shape follows backwards (``sh:inversePath``).
    inverse_predicates: tuple[ox.NamedNode, ...] = ()
    #: The predicates whose triples the shapes can read (None: any, see :func:`read_by`).
    reads: frozenset[str] | None = None

    def relevant(self, triple: ox.Triple) -> bool:
        """Whether the shapes can read ``triple`` (see :func:`read_by`)."""
        return self.reads is None or triple.predicate.value in self.reads


def read_by(graph: rdflib.Graph) -> frozenset[str] | None:
    """The predicates of the data triples a shapes graph can read; None if it can read any.

    SHACL Core reads data through property paths and targets, which name their predicates in
    the shapes graph, and through ``rdf:type`` and ``rdfs:subClassOf`` (class targets and
    ``sh:class``). So a triple whose predicate the shapes graph never mentions cannot change a
    result: leaving such triples out changes nothing but the engine's work (measured on the
    generated corpus: 41% fewer triples, 35% less time). A closed shape (``sh:closed``) reads
    every predicate of its nodes, and SPARQL-based constraints can read anything: with either,
    the engine gets every triple.
    """
    if (None, SH.closed, rdflib.Literal(True)) in graph or any(
        (None, predicate, None) in graph for predicate in (SH.sparql, SH.select, SH.ask)
    ):
        return None
    named = {str(term) for triple in graph for term in triple if isinstance(term, rdflib.URIRef)}
    return frozenset(named | {str(RDF.type), str(RDFS.subClassOf)})


def load_shapes(path: Path, ontology: Ontology) -> Shapes:
    """Parse ``ontology/shapes.ttl`` (syntax errors come with line and column) and derive the rest.

    :raises OntologyError: if the file is missing or is not valid Turtle.
    """
    graph = to_rdflib(parse_turtle(path))
    graph += derived_shapes(ontology)
    compiled = pyshacl_turbo.compile_shapes(graph)  # type: ignore[no-untyped-call]
    inverse = sorted(
        {str(p) for p in graph.objects(None, SH.inversePath) if isinstance(p, rdflib.URIRef)}
    )
    return Shapes(path, graph, compiled, tuple(ox.NamedNode(p) for p in inverse), read_by(graph))


def derived_shapes(ontology: Ontology) -> rdflib.Graph:
    """A shape for each ag: property's domain and class range: who may have it, what it points at.

    Closed world, unlike OWL: a reference to something not *declared* of the range class is an
    error, so a place given as an organizer is caught here, without a reasoner.
    """
    graph = rdflib.Graph()
    base = "https://w3id.org/annograph/shapes#derived-"
    for prop in sorted(ontology.properties.values(), key=lambda p: p.name):
        predicate = rdflib.URIRef(prop.iri)
        if prop.domain and prop.domain.startswith(NAMESPACE) and prop.name not in _BUILT:
            cls = prop.domain.removeprefix(NAMESPACE)
            _class_shape(
                graph,
                rdflib.URIRef(f"{base}{prop.name}-domain"),
                target=(SH.targetSubjectsOf, predicate),
                cls=prop.domain,
                message=f"only {_a(cls)} can have '{prop.name}'",
                hint="check this entity's 'type:', or use a property meant for it",
            )
        if prop.kind == "object" and prop.range and prop.range.startswith(NAMESPACE):
            cls = prop.range.removeprefix(NAMESPACE)
            _class_shape(
                graph,
                rdflib.URIRef(f"{base}{prop.name}-range"),
                target=(SH.targetObjectsOf, predicate),
                cls=prop.range,
                message=f"'{prop.name}' must refer to {_a(cls)}",
                hint=f"check the 'ref:' of this '{prop.name}', or the 'type:' of what it refers to",
            )
    return graph


#: Properties whose triples the build writes, not the curator: no domain shape for them.
#: The build gives every article an ``ag:mentions`` of each of its entities, and pyshacl-turbo
#: checks ``sh:targetSubjectsOf`` (and an inverse path from the objects) in time quadratic in
#: the number of values one subject has: 10,000 mentions took 3 s, 20,000 took 18 s.
_BUILT = frozenset({"mentions"})


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "AEIOU" else f"a {noun}"


def _class_shape(
    graph: rdflib.Graph,
    shape: rdflib.URIRef,
    *,
    target: tuple[rdflib.URIRef, rdflib.URIRef],
    cls: str,
    message: str,
    hint: str,
) -> None:
    graph.add((shape, RDF.type, SH.NodeShape))
    graph.add((shape, target[0], target[1]))
    graph.add((shape, SH["class"], rdflib.URIRef(cls)))
    graph.add((shape, SH.message, rdflib.Literal(message)))
    graph.add((shape, SH.description, rdflib.Literal(hint)))


def check_shapes(
    graphs: Iterable[Origins],
    *,
    ontology: Ontology,
    shapes: Shapes,
    prefixes: Mapping[str, str],
) -> list[AnnographError]:
    """Validate the triples against the shapes; one located error or warning per SHACL result.

    :param graphs: the article triples, each with the annotation that said it, graph by graph
        (a triple that several articles state counts once, with the first one's origin).
    :param ontology: supplies the class hierarchy (``sh:class ag:Agent`` accepts a Person).
    :param prefixes: to write IRIs short in messages (``id:bishkek``).
    """
    graphs = list(graphs)
    # The data and the ontology (for the class hierarchy) in one in-memory Oxigraph store, which
    # the Rust engine reads directly, without converting a graph to Python objects.
    data = ox.Store()
    for triples in graphs:
        data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in ontology.triples)
    validate = shapes.compiled.validate  # untyped: the engine's Python layer has no annotations
    _, report, _ = validate(data, inference="none", allow_warnings=True)  # type: ignore[no-untyped-call]
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    if not results:
        return []  # (indexing every triple's origin costs as much as the check: only on need)
    index = _OriginIndex(union_of(graphs))
    problems = [
        _problem(report, shapes.graph, result, index, prefixes, fallback=shapes.path)
        for result in results
    ]
    return sorted(problems, key=_sort_key)


def ontology_data(ontology: Ontology, shapes: Shapes) -> bytes:
    """The ontology's triples as the engine reads them: they give it the class hierarchy
    (``sh:class ag:Agent`` accepts a Person) and the classes of the ontology's individuals."""
    triples = [t for t in ontology.triples if shapes.relevant(t)]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def article_shape_problems(
    located: Origins,
    text: bytes,
    *,
    ontology_text: bytes,
    shapes: Shapes,
    prefixes: Mapping[str, str],
    leave: Collection[Term],
) -> list[AnnographError]:
    """The shape problems of the nodes of one article's graph, located in its annotations.

    :param located: the article's triples, each with the annotation that said it.
    :param text: those of them the shapes can read (:meth:`Shapes.relevant`), as N-Triples.
    :param ontology_text: :func:`ontology_data`.
    :param leave: nodes whose shapes this graph alone cannot settle (the shared entities):
        their results are left to :func:`store_shape_problems`.
    """
    report = _validate(shapes, _engine_input(text, ontology_text))
    results = [
        result
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if from_rdflib(report.value(result, SH.focusNode)) not in leave
    ]
    if not results:
        return []
    index = _OriginIndex(located)
    fallback = shapes.path
    problems = [
        _problem(report, shapes.graph, r, index, prefixes, fallback=fallback) for r in results
    ]
    return sorted(problems, key=_sort_key)


def store_shape_problems(
    store: ox.Store,
    focus: Collection[ox.NamedNode],
    *,
    ontology_text: bytes,
    shapes: Shapes,
    prefixes: Mapping[str, str],
    locate: Callable[[Collection[Term]], Origins],
) -> list[AnnographError]:
    """The shape problems of some nodes of a built store (the shared entities).

    The data are the nodes' triples in the default graph (every article's facts about them,
    once), the triples there that point at them, the classes of the nodes at the other end,
    and the ontology.

    :param locate: the origins of the triples about some nodes (read again from their
        annotations only when a shape is broken).
    """
    if not focus:
        return []
    triples = [t for t in _around(store, focus, shapes) if shapes.relevant(t)]
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    report = _validate(
        shapes, _engine_input(text, ontology_text), focus_nodes=sorted(n.value for n in focus)
    )
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    if not results:
        return []
    involved = {from_rdflib(report.value(result, SH.focusNode)) for result in results}
    index = _OriginIndex(locate(involved))
    problems = [
        _problem(report, shapes.graph, r, index, prefixes, fallback=shapes.path) for r in results
    ]
    return sorted(problems, key=_sort_key)


def _around(store: ox.Store, nodes: Collection[ox.NamedNode], shapes: Shapes) -> list[ox.Triple]:
    """What the shapes of ``nodes`` can read in the default graph: the triples about them; the
    triples pointing at them, all of them for a property some shape follows backwards and one
    per property for the others (it makes the node a target of ``sh:targetObjectsOf``; how many
    point at it, and what, is checked where they are); and the classes of the nodes at the
    other ends. A place a thousand events happened at is read in one query, not a thousand
    lookups."""
    default = ox.DefaultGraph()
    found: list[ox.Triple] = []
    ends: set[ox.NamedNode | ox.BlankNode] = set()
    for node in nodes:
        for quad in store.quads_for_pattern(node, None, None, default):
            found.append(quad.triple)
            if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                ends.add(quad.object)
        for predicate in shapes.inverse_predicates:
            for quad in store.quads_for_pattern(None, predicate, node, default):
                found.append(quad.triple)
                ends.add(quad.subject)  # type: ignore[arg-type]
    found.extend(_one_per_property(store, nodes))
    for end in ends.difference(nodes):
        found.extend(q.triple for q in store.quads_for_pattern(end, RDF_TYPE, None, default))
    return found


def _one_per_property(store: ox.Store, nodes: Collection[ox.NamedNode]) -> Iterator[ox.Triple]:
    """For each node and each property pointing at it, one triple that does."""
    # The IRIs are written by pyoxigraph's serializer (they are the project's own, minted).
    values = " ".join(str(node) for node in sorted(nodes, key=str))
    query = (
        f"SELECT ?p ?o (SAMPLE(?s) AS ?s) WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o }} "
        "GROUP BY ?p ?o"
    )
    rows = store.query(query)
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        yield ox.Triple(row["s"], row["p"], row["o"])


def _engine_input(*parts: bytes) -> Any:
    """Data for the engine as N-Triples text, which it parses in Rust.

    Given an Oxigraph store, pyshacl-turbo first dumps it to text; handing it the text directly
    skips that and the store (measured on the real article's 7,900 triples: 65 ms against
    130 ms). ``Input`` is the engine's own wrapper for text it need not parse into rdflib
    (pyshacl-turbo 0.6; ``tests/build/test_shapes_engines.py`` checks the results against pyshacl).
    """
    from pyshacl_turbo.rdf import Input

    return Input(b"".join(parts).decode("utf-8"), "nt", None, {}, preserve_ids=True)


def _validate(shapes: Shapes, data: Any, **options: Any) -> rdflib.Graph:
    validate = shapes.compiled.validate  # untyped: the engine's Python layer has no annotations
    _, report, _ = validate(data, inference="none", allow_warnings=True, **options)  # type: ignore[no-untyped-call]
    assert isinstance(report, rdflib.Graph)
    return report


def union_of(graphs: Iterable[Origins]) -> dict[ox.Triple, SourceLocation]:
    """The triples of all graphs; where two articles say the same triple, the first one's origin."""
    union: dict[ox.Triple, SourceLocation] = {}
    for triples in graphs:
        for triple, location in triples.items():
            union.setdefault(triple, location)
    return union


def shapes_hold_near(
    graphs: Mapping[str, Collection[ox.Triple]],
    *,
    store: ox.Store,
    old: Mapping[str, Collection[ox.Triple]],
    ontology: Ontology,
    shapes: Shapes,
) -> bool:
    """Whether a change to some graphs of a valid store breaks no shape (warnings included).

    Only what the change can affect is validated. Focus nodes: the nodes of the triples that
    changed (added or removed), and the nodes pointing at one of them in the changed graphs
    (a path of two steps, an annotation's target's source, reaches through them). Data: the
    new graphs; from the rest of the store, every triple about a focus node, the triples that
    point at one through a property some shape follows backwards (``sh:inversePath``), and the
    classes of the nodes at the other end of all of them; and the ontology. Any other node
    keeps every triple it had and its values keep their classes, so its results cannot change.
    (An edit of one fact of an article of 7,000 triples checks a handful of nodes, not the
    article's 1,500.)

    ``False`` says that something is wrong near the change: the full check then finds and
    locates it.

    :param graphs: graph IRI -> its new triples (as the store holds them).
    :param store: the store as it is, before the change.
    :param old: graph IRI -> its triples now, for every graph replaced or removed.
    """
    old_graphs = {ox.NamedNode(name) for name in old}
    new = [triple for triples in graphs.values() for triple in triples]
    before = {triple for triples in old.values() for triple in triples}
    after = set(new)
    touched = _changed_nodes(before, after)
    # From the named graphs only: the default graph still has the old graphs' facts.
    kept = _named_graphs_but(old_graphs)
    around = [
        quad for node in touched for quad in store.quads_for_pattern(node, None, None) if kept(quad)
    ]
    backwards = [
        quad
        for predicate in shapes.inverse_predicates
        for node in touched
        for quad in store.quads_for_pattern(None, predicate, node)
        if kept(quad)
    ]
    values = {t.object for t in new} | {q.object for q in around}
    values = (values | {q.subject for q in backwards}) - touched
    classes = [
        quad
        for value in values
        if isinstance(value, ox.NamedNode | ox.BlankNode)
        for quad in store.quads_for_pattern(value, RDF_TYPE, None)
        if kept(quad)
    ]
    data = ox.Store()
    data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in new)
    found = (*around, *backwards, *classes)
    data.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in found)
    data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in ontology.triples)
    focus = sorted(node.value for node in touched if isinstance(node, ox.NamedNode))
    if not focus:
        return True
    validate = shapes.compiled.validate  # untyped: the engine's Python layer has no annotations
    conforms, _, _ = validate(  # type: ignore[no-untyped-call]
        data, inference="none", allow_warnings=False, focus_nodes=focus
    )
    return bool(conforms)


def _changed_nodes(
    before: set[ox.Triple], after: set[ox.Triple]
) -> set[ox.NamedNode | ox.BlankNode]:
    """The focus nodes of :func:`shapes_hold_near`."""
    changed = before ^ after
    nodes: set[object] = set(_nodes(changed))
    # One step back inside the changed graphs, old and new (where a class changed too: the
    # nodes of other graphs that point at it keep seeing the classes their own graphs state).
    nodes |= {t.subject for t in (*before, *after) if t.object in nodes}
    return {n for n in nodes if isinstance(n, ox.NamedNode | ox.BlankNode)}


def _named_graphs_but(graphs: Collection[ox.NamedNode]) -> Callable[[ox.Quad], bool]:
    """Whether a quad is in a named graph other than ``graphs``."""
    return lambda quad: isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name not in graphs


def _nodes(triples: Iterable[ox.Triple | ox.Quad]) -> Iterator[ox.NamedNode | ox.BlankNode]:
    """The subjects, and the objects other than classes and values, of some triples."""
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode | ox.BlankNode):
            yield triple.subject
        if triple.predicate != RDF_TYPE and isinstance(triple.object, ox.NamedNode | ox.BlankNode):
            yield triple.object


def _problem(
    report: rdflib.Graph,
    shapes: rdflib.Graph,
    result: rdflib.term.Node,
    index: _OriginIndex,
    prefixes: Mapping[str, str],
    *,
    fallback: Path,
) -> AnnographError:
    focus = from_rdflib(report.value(result, SH.focusNode))
    path = report.value(result, SH.resultPath)
    value_node = report.value(result, SH.value)
    value = from_rdflib(value_node) if value_node is not None else None
    shape = report.value(result, SH.sourceShape)
    predicate, inverse = _simple_path(report, path)
    location = index.locate(
        focus, predicate, value, inverse=inverse, target=_target(shapes, shape)
    ) or SourceLocation(fallback)
    message = str(report.value(result, SH.resultMessage) or "breaks a SHACL shape")
    subject = short_iri(focus, prefixes)
    if value is not None and value != focus:
        subject += f" → {short_iri(value, prefixes)}"
    hint = shapes.value(shape, SH.description) or _parent_description(shapes, shape)
    severity = report.value(result, SH.resultSeverity)
    kind = ShapeViolation if severity == SH.Violation else ShapeWarning
    return kind(f"{message} [{subject}]", location=location, hint=str(hint) if hint else None)


def _parent_description(
    shapes: rdflib.Graph, shape: rdflib.term.Node | None
) -> rdflib.term.Node | None:
    parent = shapes.value(None, SH.property, shape)
    return shapes.value(parent, SH.description) if parent is not None else None


def _simple_path(
    report: rdflib.Graph, path: rdflib.term.Node | None
) -> tuple[ox.NamedNode | None, bool]:
    """The predicate of a path ``P`` or ``^P`` and whether it is inverse; None for other paths."""
    if isinstance(path, rdflib.URIRef):
        return ox.NamedNode(str(path)), False
    inverse = report.value(path, SH.inversePath) if path is not None else None
    if isinstance(inverse, rdflib.URIRef):
        return ox.NamedNode(str(inverse)), True
    return None, False


def _target(
    shapes: rdflib.Graph, shape: rdflib.term.Node | None
) -> tuple[str, ox.NamedNode] | None:
    """('subjects'|'objects', P) when the shape targets the subjects or objects of P."""
    for kind, predicate in (("subjects", SH.targetSubjectsOf), ("objects", SH.targetObjectsOf)):
        target = shapes.value(shape, predicate)
        if isinstance(target, rdflib.URIRef):
            return kind, ox.NamedNode(str(target))
    return None


class _OriginIndex:
    """Finds the annotation behind a SHACL result, from the most to the least precise match."""

    def __init__(self, origins: Origins) -> None:
        self.triples = origins
        self.by_subject_predicate: dict[tuple[Term, ox.NamedNode], SourceLocation] = {}
        self.by_predicate_object: dict[tuple[ox.NamedNode, Term], SourceLocation] = {}
        self.by_subject: dict[Term, SourceLocation] = {}
        for triple, location in origins.items():
            self.by_subject_predicate.setdefault((triple.subject, triple.predicate), location)
            self.by_predicate_object.setdefault((triple.predicate, triple.object), location)
            self.by_subject.setdefault(triple.subject, location)

    def locate(
        self,
        focus: Term,
        predicate: ox.NamedNode | None,
        value: Term | None,
        *,
        inverse: bool,
        target: tuple[str, ox.NamedNode] | None,
    ) -> SourceLocation | None:
        for found in self._candidates(focus, predicate, value, inverse=inverse, target=target):
            if found is not None:
                return found
        return None

    def _candidates(
        self,
        focus: Term,
        predicate: ox.NamedNode | None,
        value: Term | None,
        *,
        inverse: bool,
        target: tuple[str, ox.NamedNode] | None,
    ) -> Iterator[SourceLocation | None]:
        if predicate is not None and value is not None:
            subject, obj = (value, focus) if inverse else (focus, value)
            triple = _triple(subject, predicate, obj)
            yield self.triples.get(triple) if triple is not None else None
        if target is not None and target[0] == "objects":
            yield self.by_predicate_object.get((target[1], focus))
        if target is not None and target[0] == "subjects":
            yield self.by_subject_predicate.get((focus, target[1]))
        if predicate is not None and not inverse:
            yield self.by_subject_predicate.get((focus, predicate))
        yield self.by_subject.get(focus)


def _triple(subject: Term, predicate: ox.NamedNode, obj: Term) -> ox.Triple | None:
    if isinstance(subject, ox.Literal | ox.Triple):
        return None
    return ox.Triple(subject, predicate, obj)


def _sort_key(problem: AnnographError) -> tuple[str, int, int]:
    where = problem.location
    if where is None:
        return ("", 0, 0)
    return (str(where.path), where.line or 0, where.column or 0)


def to_rdflib(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    """An rdflib graph of pyoxigraph triples (through N-Triples: exact, and fast)."""
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    if data:
        graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


def from_rdflib(term: rdflib.term.Node | None) -> Term:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return ox.Literal(str(term), datatype=datatype)
    raise TypeError(f"not an RDF term: {term!r}")
