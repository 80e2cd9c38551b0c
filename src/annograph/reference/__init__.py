"""Stage 6, reference material from the graph: the HTML documentation of the ontology, the data
and the saved queries, and diagrams of entities and articles.

Internal: the public API is what :mod:`annograph` exports.
"""

__all__: list[str] = []
