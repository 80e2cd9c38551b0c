"""Namespaces, prefixes and the RDF terms annograph's code names, each defined once.

The ontology file says what annograph's own ``ag:`` terms mean; this module only names the
namespaces (annograph's and the vocabularies it aligns to) and the few RDF terms code compares
with or writes. ``RDF_TYPE`` is a term, like the triples' own: its IRI is ``RDF_TYPE.value``.
"""

from __future__ import annotations

import pyoxigraph as ox

__all__ = [
    "GEONAMES_ONTOLOGY",
    "LANG_STRING",
    "NAMESPACE",
    "OA",
    "ONTOLOGY_IRI",
    "OWL",
    "PREFIXES",
    "RDF",
    "RDFS",
    "RDF_TYPE",
    "SKOS",
    "XSD",
]
#: annograph's ontology: its namespace (``ag:``) and the ontology's own IRI.
NAMESPACE = "https://w3id.org/annograph/ontology#"
ONTOLOGY_IRI = "https://w3id.org/annograph/ontology"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"

RDF_TYPE = ox.NamedNode(RDF + "type")
LANG_STRING = RDF + "langString"

#: GeoNames' own vocabulary (feature classes and codes, names, parents): http, as GeoNames'
#: RDF writes it, and not under ``gn:``, which is the features' namespace here.
GEONAMES_ONTOLOGY = "http://www.geonames.org/ontology#"

#: The prefixes annograph writes and reads; exports declare only the ones they use.
PREFIXES: dict[str, str] = {
    "ag": NAMESPACE,
    "dcterms": "http://purl.org/dc/terms/",
    "gn": "https://sws.geonames.org/",
    "oa": OA,
    "org": "http://www.w3.org/ns/org#",
    "owl": OWL,
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": "https://schema.org/",
    "skos": SKOS,
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": XSD,
}
