"""Stage 8, HTTP: the SPARQL protocol in front of Oxigraph's server, entity and query pages, the
saved-query API with its OpenAPI description, and the W3C reconciliation service.

Internal: the public API is what :mod:`annograph` exports.
"""

__all__: list[str] = []
