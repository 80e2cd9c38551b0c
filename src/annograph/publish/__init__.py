"""Stage 4, the graph out of the store: exports in the RDF formats (with the deterministic Turtle
writer), VoID descriptions, statistics, and push to another triple store.

Internal: the public API is what :mod:`annograph` exports.
"""

__all__: list[str] = []
