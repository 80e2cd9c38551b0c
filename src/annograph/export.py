"""RDF serializations of the store, deterministic where it matters for diffs.

Turtle and TriG come from annograph's own writer (sorted, only the prefixes used, blank nodes
nested or canonically labelled), so the same graph always gives the same bytes. N-Triples and
N-Quads get the same canonical blank-node labels and are sorted line by line. JSON-LD and
RDF/XML are Oxigraph's, as they come.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import pyoxigraph as ox

from annograph.errors import AnnographError
from annograph.ontology import ONTOLOGY_IRI
from annograph.turtle import canonical_quads, canonical_triples, serialize_trig, serialize_turtle


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

    @property
    def keeps_graphs(self) -> bool:
        """Whether the format can say which named graph a triple is in."""
        return self.rdf_format.supports_datasets


def select_quads(
    store: ox.Store, *, graph: str | None = None, with_ontology: bool = False
) -> list[ox.Quad]:
    """The quads of one named graph, or of every article graph (plus the ontology if asked).

    :raises AnnographError: if ``graph`` names a graph the store does not have.
    """
    if graph is not None:
        name = ox.NamedNode(graph)
        if not store.contains_named_graph(name):
            known = ", ".join(
                sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
            )
            raise AnnographError(f"no graph <{graph}> in the store", hint=f"graphs: {known}")
        graphs = [name]
    else:
        graphs = sorted(
            (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value
        )
        if not with_ontology:
            graphs = [g for g in graphs if g.value != ONTOLOGY_IRI]
        elif ox.NamedNode(ONTOLOGY_IRI) not in graphs:
            raise AnnographError("the store holds no ontology graph", hint="run 'annograph build'")
    return [quad for g in graphs for quad in store.quads_for_pattern(None, None, None, g)]


def export_graph(
    quads: Iterable[ox.Quad], *, format: ExportFormat, prefixes: dict[str, str]
) -> str:
    """Serialize quads; triple-only formats get the union of the graphs.

    :param quads: what to write, e.g. from :func:`select_quads`.
    :param format: the RDF format.
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
    except ValueError as error:  # the writers' way of refusing a graph they cannot write
        raise AnnographError(f"cannot export as {format.value}: {error}") from error


def _serialize(quads: list[ox.Quad], format: ExportFormat, prefixes: dict[str, str]) -> str:
    if format is ExportFormat.TURTLE:
        return serialize_turtle(_triples(quads), prefixes=prefixes)
    if format is ExportFormat.TRIG:
        return serialize_trig(quads, prefixes=prefixes)
    if format is ExportFormat.NTRIPLES:
        return _sorted_lines(_oxigraph(canonical_triples(_triples(quads)), format))
    if format is ExportFormat.NQUADS:
        return _sorted_lines(_oxigraph(canonical_quads(quads), format))
    return _oxigraph(quads if format.keeps_graphs else _triples(quads), format, prefixes)


def _oxigraph(
    data: list[ox.Quad] | list[ox.Triple],
    format: ExportFormat,
    prefixes: dict[str, str] | None = None,
) -> str:
    text = ox.serialize(data, format=format.rdf_format, prefixes=prefixes)
    assert text is not None  # without an output file, serialize returns the bytes
    return text.decode("utf-8")


def _sorted_lines(text: str) -> str:
    return "".join(sorted(text.splitlines(keepends=True)))


def _triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    return list(dict.fromkeys(quad.triple for quad in quads))
