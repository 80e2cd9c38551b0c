"""Choosing which pending candidate links a reviewer's words refer to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from annograph.errors import AnnographError
from annograph.sssom import MappingRow, MappingSet

#: (mapping file, (subject_id, object_id)) -> accepted?
Verdicts = dict[tuple[Path, tuple[str, str]], bool]
Pending = Sequence[tuple[MappingSet, MappingRow]]


class ReviewError(AnnographError):
    """A verdict that names no pending candidate, or more than one."""


def select_pending(pending: Pending, specs: Iterable[str], *, accepted: bool) -> Verdicts:
    """Verdicts for ``ENTITY`` (its only pending candidate) or ``ENTITY=TARGET`` specs.

    ENTITY is an entity id (``bishkek``) or the row's subject_id (``id:bishkek``); TARGET is the
    row's object_id as written (``gn:1528675/``) or the IRI it stands for.
    """
    verdicts: Verdicts = {}
    for spec in specs:
        entity, _, target = spec.partition("=")
        rows = [
            (mapping_set, row)
            for mapping_set, row in pending
            if entity in (row.subject_id, row.subject_id.partition(":")[2])
            and (not target or target in (row.object_id, _expanded(mapping_set, row)))
        ]
        if not rows:
            raise ReviewError(
                f"no pending candidate for '{spec}'",
                hint="run 'annograph link review' to list the pending candidates",
            )
        if len(rows) > 1:
            choices = ", ".join(f"{entity}={row.object_id}" for _, row in rows)
            raise ReviewError(
                f"'{entity}' has {len(rows)} pending candidates", hint=f"name one: {choices}"
            )
        mapping_set, row = rows[0]
        verdicts[(mapping_set.path, row.key)] = accepted
    return verdicts


def confident_pending(pending: Pending, threshold: float) -> Verdicts:
    """Acceptances for each entity's single candidate scoring at least ``threshold``.

    An entity with two candidates above the threshold is left for a person to decide.
    """
    above: dict[str, list[tuple[MappingSet, MappingRow]]] = defaultdict(list)
    for mapping_set, row in pending:
        if row.confidence and float(row.confidence) >= threshold:
            above[row.subject_id].append((mapping_set, row))
    return {(rows[0][0].path, rows[0][1].key): True for rows in above.values() if len(rows) == 1}


def _expanded(mapping_set: MappingSet, row: MappingRow) -> str:
    try:
        return mapping_set.expand(row.object_id)
    except AnnographError:
        return row.object_id
