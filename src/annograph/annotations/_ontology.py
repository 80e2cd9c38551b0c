"""The ontology file: the one source of truth for the classes and properties annotations may use."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox

from annograph.errors import OntologyError, SourceLocation
from annograph.vocab import GEONAMES_ONTOLOGY as GEONAMES_ONTOLOGY
from annograph.vocab import LANG_STRING as LANG_STRING
from annograph.vocab import NAMESPACE as NAMESPACE
from annograph.vocab import ONTOLOGY_IRI as ONTOLOGY_IRI
from annograph.vocab import OWL as OWL
from annograph.vocab import PREFIXES as PREFIXES
from annograph.vocab import RDF as RDF
from annograph.vocab import RDF_TYPE as RDF_TYPE
from annograph.vocab import RDFS as RDFS
from annograph.vocab import XSD as XSD

PropertyKind = Literal["object", "datatype"]


@dataclass(frozen=True, slots=True)
class Property:
    """A property annotations may use, by its local name in the ag: namespace."""

    name: str
    iri: str
    kind: PropertyKind
    range: str | None
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class Ontology:
    """The parsed ontology with the terms of its own namespace indexed by local name."""

    path: Path
    triples: tuple[ox.Triple, ...]
    classes: frozenset[str]
    properties: dict[str, Property]
    individuals: frozenset[str]
    superclasses: dict[str, frozenset[str]]

    def class_iri(self, name: str) -> str:
        """The IRI of the ag: class with this local name."""
        return NAMESPACE + name

    def is_subclass(self, name: str, ancestor: str) -> bool:
        """Whether ag:name is ag:ancestor or (transitively) a subclass of it."""
        return name == ancestor or ancestor in self.superclasses.get(name, frozenset())


def load_ontology(path: Path) -> Ontology:
    """Parse the ontology's Turtle and index the classes, properties and individuals it defines.

    :param path: the ontology file, e.g. ``ontology/annograph.ttl``.
    :raises OntologyError: if the file is missing or is not valid Turtle (with line and column).
    """
    triples = tuple(_stable_blank_nodes(parse_turtle(path)))
    types = _types_by_subject(triples)
    own = {iri.removeprefix(NAMESPACE): k for iri, k in types.items() if iri.startswith(NAMESPACE)}
    return Ontology(
        path=path,
        triples=triples,
        classes=frozenset(name for name, kinds in own.items() if OWL + "Class" in kinds),
        properties=_properties(own, triples),
        individuals=frozenset(
            name for name, kinds in own.items() if OWL + "NamedIndividual" in kinds
        ),
        superclasses=superclass_closure(triples),
    )


def _stable_blank_nodes(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    """The triples with blank nodes labelled by their order in the file, not at random.

    The ontology's triples are in two graphs of every store (its own and the default graph):
    with the same labels in every build, a store is the same whatever build made it.
    """
    labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def stable(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return labels.setdefault(term, ox.BlankNode(f"ontology{len(labels)}"))
        return term

    for triple in triples:
        yield ox.Triple(stable(triple.subject), triple.predicate, stable(triple.object))


def parse_turtle(path: Path) -> list[ox.Triple]:
    """The triples of a Turtle file; a syntax error is reported at its line and column."""
    try:
        return [quad.triple for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
    except FileNotFoundError as error:
        raise OntologyError(
            f"{path.name} not found",
            location=SourceLocation(path),
            hint="run annograph from the project directory, or pass --project",
        ) from error
    except SyntaxError as error:
        raise OntologyError(
            f"Turtle syntax error: {error.msg}",
            location=SourceLocation(path, error.lineno, error.offset),
        ) from error


def short_iri(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, prefixes: Mapping[str, str]
) -> str:
    """A term as a CURIE where a prefix fits (``id:bishkek``), a literal as its quoted text."""
    if isinstance(term, ox.Literal):
        return f'"{term.value}"' + (f"@{term.language}" if term.language else "")
    if not isinstance(term, ox.NamedNode):
        return str(term)
    return shorten_iri(term.value, prefixes)


def shorten_iri(iri: str, prefixes: Mapping[str, str]) -> str:
    """``prefix:local`` for the longest matching namespace, else ``<iri>``.

    Only where the rest is a plain local name, so the result is a valid CURIE.

    >>> shorten_iri("https://schema.org/name", {"schema": "https://schema.org/"})
    'schema:name'
    >>> shorten_iri("https://sws.geonames.org/1528675/", {"gn": "https://sws.geonames.org/"})
    '<https://sws.geonames.org/1528675/>'
    """
    best = max(
        (
            (prefix, namespace)
            for prefix, namespace in prefixes.items()
            if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :])
        ),
        key=lambda item: len(item[1]),
        default=None,
    )
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else f"<{iri}>"


_LOCAL_NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def iri_of(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str | None:
    """The IRI of a named node; None for blank nodes, literals and triple terms."""
    return term.value if isinstance(term, ox.NamedNode) else None


def _iri_pairs(triples: Iterable[ox.Triple], predicate: str) -> Iterator[tuple[str, str]]:
    """(subject IRI, object IRI) of the triples with this predicate, skipping blank nodes."""
    for triple in triples:
        if triple.predicate.value == predicate:
            subject, obj = iri_of(triple.subject), iri_of(triple.object)
            if subject is not None and obj is not None:
                yield subject, obj


def _types_by_subject(triples: Iterable[ox.Triple]) -> dict[str, set[str]]:
    types: dict[str, set[str]] = defaultdict(set)
    for subject, cls in _iri_pairs(triples, RDF_TYPE.value):
        types[subject].add(cls)
    return types


def _properties(own: dict[str, set[str]], triples: Iterable[ox.Triple]) -> dict[str, Property]:
    ranges = dict(_iri_pairs(triples, RDFS + "range"))
    domains = dict(_iri_pairs(triples, RDFS + "domain"))
    properties = {}
    for name, kinds in own.items():
        kind: PropertyKind | None = (
            "object"
            if OWL + "ObjectProperty" in kinds
            else "datatype"
            if OWL + "DatatypeProperty" in kinds
            else None
        )
        if kind is not None:
            iri = NAMESPACE + name
            properties[name] = Property(name, iri, kind, ranges.get(iri), domains.get(iri))
    return properties


def superclass_closure(triples: Iterable[ox.Triple]) -> dict[str, frozenset[str]]:
    """ag: class local name -> all its ag: superclasses (transitively)."""
    direct: dict[str, set[str]] = defaultdict(set)
    for sub, sup in _iri_pairs(triples, RDFS + "subClassOf"):
        if sub.startswith(NAMESPACE) and sup.startswith(NAMESPACE):
            direct[sub.removeprefix(NAMESPACE)].add(sup.removeprefix(NAMESPACE))
    closure: dict[str, frozenset[str]] = {}
    for name in direct:
        seen: set[str] = set()
        stack = list(direct[name])
        while stack:
            parent = stack.pop()
            if parent not in seen:
                seen.add(parent)
                stack.extend(direct.get(parent, ()))
        closure[name] = frozenset(seen)
    return closure
