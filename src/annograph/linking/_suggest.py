"""Suggesting identity links: the entities reconciled against a source, the best candidates of
each written as pending rows of an SSSOM mapping file for a person to review."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from annograph.annotations._model import Article
from annograph.annotations._ontology import Ontology
from annograph.linking._matching import Reconciliation, Suggestion, reconcile, subjects
from annograph.linking._sources import Source
from annograph.linking._sssom import (
    SSSOM_PREFIXES,
    UNSPECIFIED_LICENSE,
    MappingRow,
    MappingSet,
    curie,
    merge,
    read_mapping_set,
    write_mapping_set,
)

#: Candidates written per entity: beyond a handful a reviewer learns nothing more.
CANDIDATES_PER_ENTITY = 5


@dataclass(frozen=True, slots=True)
class Suggested:
    """What ``link suggest`` found and where it wrote it."""

    path: Path
    added: int
    reconciliation: Reconciliation


def suggest_links(
    articles: Sequence[Article],
    ontology: Ontology,
    source: Source,
    *,
    path: Path,
    iris: Mapping[str, str],
    prefixes: Mapping[str, str],
    base_iri: str,
    today: date | None = None,
) -> Suggested:
    """Reconcile the entities against ``source``; add new candidates to the SSSOM file ``path``.

    Entities already linked to one of their candidates are left alone; rows already in the
    file (pending, accepted or rejected) are kept as they are, so a rejected candidate is
    never suggested again.

    :param iris: each entity id's IRI.
    """
    found = subjects(articles, ontology, iris)
    names = {label.text for s in found for label in (*s.labels, *s.abbreviations)}
    result = reconcile(found, source.candidates(names))
    existing = read_mapping_set(path) if path.exists() else None
    prefixes = {**SSSOM_PREFIXES, **prefixes, **(existing.prefixes if existing else {})}
    prefixes.update(_namespaces_for(result.suggestions, prefixes, source.name))
    day = (today or date.today()).isoformat()
    rows, added = merge(
        existing.mappings if existing else (),
        (_row(s, prefixes, day) for s in _best(result.suggestions)),
    )
    metadata = _mapping_metadata(source, existing, rows, prefixes, base_iri)
    write_mapping_set(MappingSet(path, metadata, tuple(rows)))
    return Suggested(path, added, result)


def _mapping_metadata(
    source: Source,
    existing: MappingSet | None,
    rows: Sequence[MappingRow],
    prefixes: Mapping[str, str],
    base_iri: str,
) -> dict[str, object]:
    used = {r.split(":", 1)[0] for row in rows for r in _curies(row)}
    metadata: dict[str, object] = {
        "curie_map": {p: ns for p, ns in sorted(prefixes.items()) if p in used},
        "mapping_set_id": f"{base_iri}links/{source.name}",
        "mapping_set_description": (
            f"Candidate identity links from annograph entities to {source.iri}; "
            "rows with a reviewer_label are reviewed (predicate_modifier Not: rejected)."
        ),
        "license": source.license or UNSPECIFIED_LICENSE,
        "subject_source": f"{base_iri}dataset",
        "object_source": source.iri,
        "mapping_tool": "annograph",
    }
    if existing is not None:
        metadata = {**existing.metadata, "curie_map": metadata["curie_map"]}
    return metadata


def _best(suggestions: Sequence[Suggestion]) -> Iterator[Suggestion]:
    """The best few candidates of each entity (suggestions come best first per entity)."""
    per_entity: dict[str, int] = {}
    for suggestion in suggestions:
        count = per_entity.get(suggestion.subject.id, 0)
        if count < CANDIDATES_PER_ENTITY:
            per_entity[suggestion.subject.id] = count + 1
            yield suggestion


def _row(suggestion: Suggestion, prefixes: Mapping[str, str], day: str) -> MappingRow:
    record = suggestion.record
    return MappingRow(
        subject_id=curie(suggestion.subject.iri, prefixes),
        subject_label=suggestion.subject_label.text,
        subject_category=f"ag:{suggestion.subject.types[0]}",
        predicate_id="owl:sameAs",
        object_id=curie(record.iri, prefixes),
        object_label=suggestion.record_label.text,
        object_category=curie(record.types[0], prefixes) if record.types else "",
        mapping_justification="semapv:LexicalMatching",
        confidence=f"{suggestion.confidence:.3f}",
        match_string=suggestion.record_label.text,
        mapping_date=day,
        comment="; ".join(suggestion.reasons),
    )


def _curies(row: MappingRow) -> Iterator[str]:
    yield from (row.subject_id, row.predicate_id, row.object_id, row.mapping_justification)
    yield from filter(None, (row.subject_category, row.object_category))


def _namespaces_for(
    suggestions: Sequence[Suggestion], prefixes: Mapping[str, str], name: str
) -> dict[str, str]:
    """Prefixes for candidate IRIs no known prefix covers (SSSOM ids must be CURIEs)."""
    extra: dict[str, str] = {}
    iris = {s.record.iri for s in suggestions} | {t for s in suggestions for t in s.record.types}
    for iri in sorted(iris):
        known = {**prefixes, **extra}.values()
        if any(iri.startswith(ns) and iri != ns for ns in known):
            continue
        namespace = iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]
        base = re.sub(r"[^a-z]", "", name.lower()) or "ext"
        prefix = base if base not in prefixes and base not in extra else f"{base}{len(extra) + 1}"
        extra[prefix] = namespace
    return extra
