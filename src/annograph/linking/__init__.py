"""Stage 2, identity links: the curated SSSOM mapping sets applied to the entities before a build,
and suggesting new links by matching names against other graphs (GeoNames, RDF files, SPARQL
endpoints, reconciliation services), reviewed by a person.

Internal: the public API is what :mod:`annograph` exports.
"""

__all__: list[str] = []
