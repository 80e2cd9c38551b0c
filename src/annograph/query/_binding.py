"""Binding a saved query's parameters for a project: an IRI parameter also takes an entity's id
or name, as ``why`` does (``entity=МОМ``, ``entity=iom``), looked up in the build's index."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from annograph._lexical import closest
from annograph.annotations._summaries import Index
from annograph.errors import QueryError, UnknownEntity
from annograph.query._evidence import AmbiguousName, EntityNotFound, as_iri, resolve_entity
from annograph.query._saved import IRI_HINT, BoundQuery, Parameter, SavedQuery, bind, is_iri_value


@dataclass(frozen=True, slots=True)
class Built:
    """The built store and its index of names, opened when first needed."""

    store: Callable[[], ox.Store]
    names: Callable[[], Index | None]


def bind_for_project(
    saved: SavedQuery,
    params: Mapping[str, Sequence[str]],
    *,
    prefixes: Mapping[str, str],
    id_namespace: str,
    built: Built | None,
) -> BoundQuery:
    """Bind a saved query's parameters (name -> values; see :func:`annograph.query._saved.bind`),
    an IRI parameter's entity names and ids resolved in ``built`` (as given without a build).

    :raises QueryError: for an unknown parameter, a value of the wrong type, or a name that
        names no entity (or several).
    """
    values = {name: list(given) for name, given in params.items()}
    for parameter in saved.parameters:
        if parameter.kind != "iri":
            continue
        given = values.get(parameter.name) or (
            [parameter.default] if parameter.default is not None else []
        )
        values[parameter.name] = [
            _reference(parameter, value, prefixes, id_namespace, built) for value in given
        ]
    return bind(saved, values, prefixes=prefixes)


def _reference(
    parameter: Parameter,
    value: str,
    prefixes: Mapping[str, str],
    id_namespace: str,
    built: Built | None,
) -> str:
    """An IRI parameter's value: as given if it is an IRI or a CURIE, else the IRI of the
    entity with that id or name (when there is a built store to look in)."""
    if built is None:
        return value
    if is_iri_value(value, prefixes):
        given = as_iri(value.strip(), prefixes=prefixes, id_namespace=id_namespace)
        # Any IRI is a value (a class, a place elsewhere); one of the data's ids must name
        # an entity, as for 'why', or a mistyped id would answer with nothing.
        if given is None or not given.value.startswith(id_namespace):
            return value
        if not _is_entity(built.store(), given):
            raise UnknownEntity(
                f"parameter '{parameter.name}': no entity <{given.value}> in the graph",
                location=parameter.location,
                hint=closest(given.value.removeprefix(id_namespace), _entity_ids(built))
                or IRI_HINT,
            )
        return value
    try:
        iri = resolve_entity(
            built.store(),
            value,
            prefixes=prefixes,
            id_namespace=id_namespace,
            names=built.names(),
        )
    except AmbiguousName as error:
        raise QueryError(
            f"parameter '{parameter.name}': {error.message}",
            location=parameter.location,
            hint=error.hint,
        ) from error
    except EntityNotFound as error:
        raise UnknownEntity(
            f"parameter '{parameter.name}' needs an IRI, not '{value}'",
            location=parameter.location,
            hint=error.hint if error.hint and error.hint.startswith("did you mean") else IRI_HINT,
        ) from error
    return iri.value


def _is_entity(store: ox.Store, iri: ox.NamedNode) -> bool:
    """Whether the built graph has facts about ``iri``."""
    found = store.quads_for_pattern(iri, None, None, ox.DefaultGraph())
    return next(iter(found), None) is not None


def _entity_ids(built: Built) -> list[str]:
    """Every entity id of the build's index (for a 'did you mean' hint: a scan)."""
    names = built.names()
    return names.all_ids() if names is not None else []
