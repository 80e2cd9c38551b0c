"""What the query editor of ``annograph serve`` completes: the classes and properties that the
ontology of the served release defines, read from its ontology graph (no web service asked)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from annograph.annotations._ontology import ONTOLOGY_IRI
from annograph.vocab import OWL, RDF, RDFS

_CLASS_TYPES = (OWL + "Class", RDFS + "Class")
_PROPERTY_TYPES = (
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The IRIs an editor may offer after ``a`` (classes) and in a predicate's place."""

    classes: tuple[str, ...]
    properties: tuple[str, ...]

    def as_json(self) -> dict[str, list[str]]:
        return {"classes": list(self.classes), "properties": list(self.properties)}


def editor_vocabulary(store: ox.Store) -> Vocabulary:
    """The classes and properties typed as such in ``store``'s ontology graph, sorted."""
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    return Vocabulary(
        classes=_typed(store, ontology, _CLASS_TYPES),
        properties=_typed(store, ontology, _PROPERTY_TYPES),
    )


def _typed(store: ox.Store, graph: ox.NamedNode, types: tuple[str, ...]) -> tuple[str, ...]:
    found = {
        quad.subject.value
        for kind in types
        for quad in store.quads_for_pattern(
            None, ox.NamedNode(RDF + "type"), ox.NamedNode(kind), graph
        )
        if isinstance(quad.subject, ox.NamedNode)
    }
    return tuple(sorted(found))
