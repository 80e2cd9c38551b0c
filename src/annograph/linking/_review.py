"""Choosing which pending candidate links a reviewer's words refer to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from annograph.annotations._reader import external_iri
from annograph.errors import AnnographError
from annograph.linking._sssom import MappingRow, MappingSet, Review, write_mapping_set

#: (mapping file, (subject_id, object_id)) -> accepted?
Verdicts = dict[tuple[Path, tuple[str, str]], bool]
Candidate = tuple[MappingSet, MappingRow]
Pending = Sequence[Candidate]
#: The IRI of the entity an id, CURIE, IRI or name stands for; raises if it names none.
Resolver = Callable[[str], str]


class ReviewError(AnnographError):
    """A verdict that names no pending candidate, or more than one."""


@dataclass(frozen=True, slots=True)
class Selection:
    """The pending candidates one ``ENTITY[=TARGET]`` names, all of one entity."""

    spec: str
    subject_id: str
    candidates: tuple[Candidate, ...]


def select_pending(
    pending: Pending, specs: Iterable[str], *, accepted: bool, resolve: Resolver
) -> list[Selection]:
    """The candidates of ``ENTITY`` or ``ENTITY=TARGET`` specs.

    ENTITY is an entity id (``bishkek``), the row's subject_id (``id:bishkek``), the IRI it
    stands for, or a name (``Бишкек``, read as ``why`` reads it); TARGET is the row's object_id
    as written (``gn:1528675/``) or the IRI it stands for. A rejection takes every pending
    candidate of ENTITY; an acceptance takes one, so ENTITY must have only one or name it.

    :param resolve: the IRI of the entity an ENTITY that no pending row is about stands for.
    :raises ReviewError: if a spec names no pending candidate, or an acceptance several.
    """
    selections = []
    for spec in specs:
        entity, _, target = spec.partition("=")
        candidates = _candidates_of(pending, entity.strip(), resolve)
        if target:
            candidates = _to(target.strip(), candidates, entity)
        if accepted and len(candidates) > 1:
            raise ReviewError(
                f"'{entity}' has {len(candidates)} pending candidates",
                hint=f"accept one of them: {_choices(entity, candidates)}",
            )
        selections.append(Selection(spec, candidates[0][1].subject_id, candidates))
    return selections


def verdicts_of(selections: Iterable[Selection], *, accepted: bool) -> Verdicts:
    """The same verdict for every candidate of the selections."""
    return {
        (mapping_set.path, row.key): accepted
        for selection in selections
        for mapping_set, row in selection.candidates
    }


def confident_pending(pending: Pending, threshold: float) -> Verdicts:
    """Acceptances for each entity's single candidate scoring at least ``threshold``.

    An entity with two candidates above the threshold is left for a person to decide.
    """
    above: dict[str, list[Candidate]] = defaultdict(list)
    for mapping_set, row in pending:
        if row.confidence and float(row.confidence) >= threshold:
            above[row.subject_id].append((mapping_set, row))
    return {(rows[0][0].path, rows[0][1].key): True for rows in above.values() if len(rows) == 1}


def _candidates_of(pending: Pending, entity: str, resolve: Resolver) -> tuple[Candidate, ...]:
    """The pending candidates of the entity: found by how the rows write it, else by its IRI.

    Resolving (which reads the annotations, to know names) is left for when no row matches.
    """
    found = tuple(c for c in pending if entity in _subject_forms(*c))
    if found:
        return found
    iri = resolve(entity)
    found = tuple(c for c in pending if _expanded(c[0], c[1].subject_id) == iri)
    if found:
        return found
    raise ReviewError(
        f"'{entity}' has no pending candidate",
        hint=f"{len(pending)} candidate(s) of other entities are pending: "
        "'annograph link review' lists them"
        if pending
        else "nothing is pending; 'annograph link suggest --against SOURCE' finds candidates",
    )


def _to(target: str, candidates: tuple[Candidate, ...], entity: str) -> tuple[Candidate, ...]:
    """The candidates whose object is ``target``, as written or as the IRI it stands for."""
    iri = external_iri(target) or target
    found = tuple(
        (mapping_set, row)
        for mapping_set, row in candidates
        if target == row.object_id or iri == _expanded(mapping_set, row.object_id)
    )
    if not found:
        raise ReviewError(
            f"'{entity}' has no pending candidate '{target}'",
            hint=f"its pending candidates: {_choices(entity, candidates)}",
        )
    return found


def _subject_forms(mapping_set: MappingSet, row: MappingRow) -> set[str]:
    """How a verdict may write the row's entity without naming it: id, CURIE or IRI."""
    iri = _expanded(mapping_set, row.subject_id)
    return {row.subject_id, row.subject_id.partition(":")[2], iri, f"<{iri}>"}


def _choices(entity: str, candidates: Iterable[Candidate]) -> str:
    return ", ".join(f"{entity}={row.object_id}" for _, row in candidates)


def _expanded(mapping_set: MappingSet, curie: str) -> str:
    try:
        return mapping_set.expand(curie)
    except AnnographError:
        return curie


def pending_links(mapping_sets: Iterable[MappingSet]) -> list[Candidate]:
    """Rows of the mapping files that no one has reviewed yet."""
    return [
        (mapping_set, row)
        for mapping_set in mapping_sets
        for row in mapping_set.mappings
        if row.review is Review.PENDING
    ]


def record_verdicts(
    mapping_sets: Iterable[MappingSet],
    verdicts: Mapping[tuple[Path, tuple[str, str]], bool],
    *,
    reviewer: str,
) -> int:
    """Write verdicts (mapping file, (subject_id, object_id)) -> accepted? into the pending rows
    they name; the count of rows reviewed."""
    changed = 0
    for mapping_set in mapping_sets:
        rows = []
        for row in mapping_set.mappings:
            verdict = verdicts.get((mapping_set.path, row.key))
            if verdict is not None and row.review is Review.PENDING:
                row = row.reviewed(verdict, reviewer)
                changed += 1
            rows.append(row)
        if rows != list(mapping_set.mappings):
            write_mapping_set(replace(mapping_set, mappings=tuple(rows)))
    return changed
