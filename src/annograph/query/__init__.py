"""Stage 5, questions to the graph: saved queries and their parameters, answers as rows and in the
SPARQL results formats, remote endpoints, and why (every fact about an entity with its quotes).

Internal: the public API is what :mod:`annograph` exports.
"""

__all__: list[str] = []
