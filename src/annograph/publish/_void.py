"""A VoID description of the built dataset: sizes, classes, and one linkset per external target.

VoID (https://www.w3.org/TR/void/) is how linked-data publishers say what a dataset holds and
how it links to others; catalogues and crawlers read it. Everything is counted from the store
with SPARQL, so the description always matches what was built. The dataset is the store but the
ontology: ``void:triples`` counts every graph's triples as they are published (each article's
graph and the default graph of the facts); subjects, objects, entities, classes and links are
counted over the facts, each once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from annograph.annotations._ontology import ONTOLOGY_IRI, PREFIXES
from annograph.build._graph import LINK_PREDICATE_IRIS, RDF_TYPE
from annograph.errors import AnnographError

VOID = "http://rdfs.org/ns/void#"
DCTERMS = PREFIXES["dcterms"]
FOAF = "http://xmlns.com/foaf/0.1/"
XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")

#: Prefixes a VoID export declares (besides the project's own).
VOID_PREFIXES = {"void": VOID, "foaf": FOAF}


@dataclass(frozen=True, slots=True)
class Target:
    """An external dataset that identity links point into, known by its IRI space."""

    name: str
    uri_space: str
    homepage: str


#: Link targets annograph knows; links elsewhere are counted under their scheme and host.
TARGETS = (
    Target("wikidata", PREFIXES["wd"], "https://www.wikidata.org/"),
    Target("geonames", PREFIXES["gn"], "https://www.geonames.org/"),
)

#: The link predicates annograph writes, and skos:exactMatch, which other tools' mappings use.
LINKSET_PREDICATES = sorted(LINK_PREDICATE_IRIS | {PREFIXES["skos"] + "exactMatch"})

_TRIPLES = """
SELECT (COUNT(*) AS ?triples) WHERE {
  { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?ontology) }
  UNION { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?ontology { ?s ?p ?o } } }
}
"""

# The facts: the default graph but what the ontology itself says.
_DISTINCT = """
SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?ontology { ?s ?p ?o } } }
"""

_CLASSES = """
PREFIX ag: <https://w3id.org/annograph/ontology#>
SELECT ?class (COUNT(DISTINCT ?entity) AS ?entities)
WHERE { ?article ag:mentions ?entity . ?entity a ?class }
GROUP BY ?class ORDER BY ?class
"""

_ENTITIES = """
PREFIX ag: <https://w3id.org/annograph/ontology#>
SELECT (COUNT(DISTINCT ?entity) AS ?entities) WHERE { ?article ag:mentions ?entity }
"""

_LINKS = """
SELECT ?predicate ?target
WHERE { ?entity ?predicate ?target VALUES ?predicate { %s } FILTER(isIRI(?target)) }
"""


def recorded_triples(quads_per_graph: Mapping[str, int] | None) -> int | None:
    """The triples of every graph but the ontology's, from the counts a build recorded (None
    if it recorded none): the ontology's graph is counted twice, in its graph and the default.

    >>> recorded_triples({ONTOLOGY_IRI: 10, "": 110, "https://example.org/graph/a": 50})
    150
    """
    if quads_per_graph is None:
        return None
    return sum(quads_per_graph.values()) - 2 * quads_per_graph.get(ONTOLOGY_IRI, 0)


def describe_dataset(
    store: ox.Store,
    *,
    dataset: str,
    entity_space: str,
    license: str | None = None,
    endpoint: str | None = None,
    triples: int | None = None,
) -> list[ox.Triple]:
    """A VoID description of ``store`` but its ontology.

    :param dataset: the IRI of the dataset being described.
    :param entity_space: where the dataset's entity IRIs live (``void:uriSpace``).
    :param license: the licence IRI to state (``dcterms:license``), if chosen.
    :param endpoint: the public SPARQL endpoint (``void:sparqlEndpoint``), if there is one.
    :param triples: the triples of every graph but the ontology's, as the build recorded them;
        counted here (a scan of every graph) if not given.
    :raises AnnographError: if ``license`` or ``endpoint`` is not an IRI.
    """
    for option, iri in (("--license", license), ("--endpoint", endpoint)):
        if iri is not None:
            _check_iri(option, iri)
    node = ox.NamedNode(dataset)
    classes = class_sizes(store)
    if triples is None:
        (row,) = list(_solutions(store, _TRIPLES))
        triples = int(row["triples"].value)
    return [
        *_dataset_triples(store, node, triples, len(classes), entity_space, license, endpoint),
        *_class_partitions(classes, node),
        *_linksets(link_counts(store), node),
    ]


def entity_count(store: ox.Store) -> int:
    """How many distinct entities the articles of ``store`` mention.

    >>> entity_count(ox.Store())
    0
    """
    (row,) = list(_solutions(store, _ENTITIES))
    return int(row["entities"].value)


def class_sizes(store: ox.Store) -> dict[str, int]:
    """Class IRI -> how many distinct mentioned entities have it, by class IRI.

    >>> class_sizes(ox.Store())
    {}
    """
    return {row["class"].value: int(row["entities"].value) for row in _solutions(store, _CLASSES)}


def link_counts(store: ox.Store) -> dict[tuple[Target, str], int]:
    """(target dataset, link predicate IRI) -> how many links, sorted by target name, predicate.

    Each link counts once, whatever number of graphs state it.

    >>> link_counts(ox.Store())
    {}
    """
    counts: dict[tuple[Target, str], int] = {}
    values = " ".join(f"<{p}>" for p in LINKSET_PREDICATES)
    for row in _solutions(store, _LINKS % values):
        key = (_target_of(row["target"].value), row["predicate"].value)
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda c: (c[0][0].name, c[0][1])))


def _check_iri(option: str, iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise AnnographError(
            f"{option}: '{iri}' is not an IRI ({error})",
            hint="give an absolute IRI, e.g. https://...",
        ) from error


def _solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    # ?ontology is annograph's own constant, never user input, so it is written into the text.
    result = store.query(query.replace("?ontology", f"<{ONTOLOGY_IRI}>"))
    assert isinstance(result, ox.QuerySolutions)
    return result


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def _dataset_triples(
    store: ox.Store,
    node: ox.NamedNode,
    triples: int,
    classes: int,
    entity_space: str,
    license: str | None,
    endpoint: str | None,
) -> Iterator[ox.Triple]:
    (row,) = list(_solutions(store, _DISTINCT))
    yield ox.Triple(node, RDF_TYPE, _void("Dataset"))
    yield ox.Triple(node, ox.NamedNode(DCTERMS + "title"), ox.Literal("annograph knowledge graph"))
    yield ox.Triple(node, _void("triples"), _integer(triples))
    yield ox.Triple(node, _void("distinctSubjects"), _integer(int(row["subjects"].value)))
    yield ox.Triple(node, _void("distinctObjects"), _integer(int(row["objects"].value)))
    yield ox.Triple(node, _void("entities"), _integer(entity_count(store)))
    yield ox.Triple(node, _void("classes"), _integer(classes))
    yield ox.Triple(node, _void("uriSpace"), ox.Literal(entity_space))
    for vocabulary in (ONTOLOGY_IRI + "#", PREFIXES["schema"], PREFIXES["oa"]):
        yield ox.Triple(node, _void("vocabulary"), ox.NamedNode(vocabulary))
    if license is not None:
        yield ox.Triple(node, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(license))
    if endpoint is not None:
        yield ox.Triple(node, _void("sparqlEndpoint"), ox.NamedNode(endpoint))


def _class_partitions(classes: dict[str, int], node: ox.NamedNode) -> Iterator[ox.Triple]:
    for cls, entities in classes.items():
        # Named, not blank: partitions can be referred to, and the export sorts them by class.
        partition = ox.NamedNode(f"{node.value}/class/{_local(cls)}")
        yield ox.Triple(node, _void("classPartition"), partition)
        yield ox.Triple(partition, _void("class"), ox.NamedNode(cls))
        yield ox.Triple(partition, _void("entities"), _integer(entities))


def _linksets(counts: dict[tuple[Target, str], int], node: ox.NamedNode) -> Iterator[ox.Triple]:
    for (target, predicate), triples in counts.items():
        target_node = ox.NamedNode(f"{node.value}/target/{target.name}")
        linkset = ox.NamedNode(f"{node.value}/linkset/{target.name}/{_local(predicate)}")
        yield ox.Triple(node, _void("subset"), linkset)
        yield ox.Triple(linkset, RDF_TYPE, _void("Linkset"))
        yield ox.Triple(linkset, _void("subjectsTarget"), node)
        yield ox.Triple(linkset, _void("objectsTarget"), target_node)
        yield ox.Triple(linkset, _void("linkPredicate"), ox.NamedNode(predicate))
        yield ox.Triple(linkset, _void("triples"), _integer(triples))
        yield ox.Triple(target_node, RDF_TYPE, _void("Dataset"))
        yield ox.Triple(target_node, _void("uriSpace"), ox.Literal(target.uri_space))
        yield ox.Triple(target_node, ox.NamedNode(FOAF + "homepage"), ox.NamedNode(target.homepage))


def _target_of(iri: str) -> Target:
    """The known dataset an IRI is in, else one named after its host."""
    for target in TARGETS:
        if iri.startswith(target.uri_space):
            return target
    scheme, _, rest = iri.partition("://")
    origin = f"{scheme}://{rest.split('/', 1)[0]}/"
    return Target(rest.split("/", 1)[0], origin, origin)


def _local(iri: str) -> str:
    """``prefix-name`` for an IRI of a known vocabulary (``owl-sameAs``), for readable IRIs."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}-{iri.removeprefix(namespace)}"
    return hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]
