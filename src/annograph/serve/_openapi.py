"""The OpenAPI 3 description of the saved-query API, made from the queries' decorators."""

from __future__ import annotations

from typing import Any

from annograph._version import __version__
from annograph.annotations._ontology import (
    XSD,
)
from annograph.query._saved import Parameter, QueryForm, SavedQuery

FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
}
_SOLUTION_FORMATS = ("json", "xml", "csv", "tsv")
_GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")


def openapi(queries: Any, *, server: str) -> dict[str, object]:
    """An OpenAPI 3 description of the saved-query API, from the queries' grlc decorators."""
    paths: dict[str, object] = {
        "/api/queries": {
            "get": {
                "operationId": "listQueries",
                "summary": "The saved queries, their documentation and parameters",
                "responses": {"200": {"description": "A list of saved queries"}},
            }
        }
    }
    for query in queries:
        formats = list(formats_for(query))
        parameters: list[dict[str, object]] = [
            {
                "name": p.name,
                "in": "query",
                "required": p.required and p.default is None,
                "description": f"{p.type_label}; several values make a list",
                "schema": _parameter_schema(p),
            }
            for p in query.parameters
        ]
        parameters.append(
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "The answer's format (else chosen by the Accept header)",
                "schema": {"type": "string", "enum": formats},
            }
        )
        paths[f"/api/queries/{query.name}"] = {
            "get": {
                "operationId": "query_" + query.name.replace("-", "_"),
                "summary": query.summary or query.name,
                "description": query.description,
                "tags": list(query.tags),
                "parameters": parameters,
                "responses": {
                    "200": {
                        "description": "The query's answer",
                        "content": {FORMATS[f]: {} for f in formats},
                    },
                    "400": _error_response(
                        "A missing, unknown or malformed parameter, or a SERVICE this server "
                        "may not call"
                    ),
                    "404": _error_response("An IRI parameter naming no entity of the graph"),
                    "406": _error_response("A format this query cannot answer in"),
                    "502": _error_response("The query failed while the engine answered it"),
                    "503": _error_response(
                        "The query ran past the server's time limit, or the engine stopped "
                        "(it is restarting: try again)"
                    ),
                    "504": _error_response("The engine did not answer in time"),
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "annograph saved queries",
            "version": __version__,
            "description": "Saved SPARQL queries of an annograph project (grlc-style).",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "hint": {"type": "string"}},
                }
            }
        },
    }


#: JSON Schema for the XSD datatypes a parameter may have (others are plain strings).
_XSD_SCHEMAS: dict[str, dict[str, object]] = {
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "double": {"type": "number"},
    "float": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
    "gYear": {"type": "string", "pattern": "^-?[0-9]{4,}$"},
}


def _parameter_schema(parameter: Parameter) -> dict[str, object]:
    schema: dict[str, object] = {"type": "string"}
    if parameter.kind == "iri":
        # An absolute IRI, a CURIE with a known prefix, or an entity's id or name.
        schema = {
            "type": "string",
            "minLength": 1,
            "description": "an IRI, prefix:local, or an entity's id or name",
        }
    elif parameter.kind == "datatype" and parameter.datatype and parameter.datatype.startswith(XSD):
        schema = dict(_XSD_SCHEMAS.get(parameter.datatype.removeprefix(XSD), schema))
    if parameter.allowed:
        schema = {"type": "string", "enum": list(parameter.allowed)}
    if parameter.default is not None:
        schema["default"] = parameter.default
    return schema


def _error_response(description: str) -> dict[str, object]:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def formats_for(query: SavedQuery) -> tuple[str, ...]:
    graph = query.form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)
    return _GRAPH_FORMATS if graph else _SOLUTION_FORMATS
