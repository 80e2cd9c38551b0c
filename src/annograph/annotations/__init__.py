"""Stage 1, annotations -> model: the YAML files read into typed objects with the line and column
of every value, checked against the ontology's vocabulary; each article's summary for the checks
across articles.

Internal: the public API is what :mod:`annograph` exports.
"""

__all__: list[str] = []
