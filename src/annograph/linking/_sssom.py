"""Mapping files in SSSOM (Simple Standard for Sharing Ontological Mappings) TSV.

``data/links/*.sssom.tsv`` holds reconciliation's suggestions and a person's verdicts on them.
A row's review state is written with SSSOM's own slots, so other SSSOM tools read it the same way:

- pending: no ``reviewer_label``;
- accepted: a ``reviewer_label`` and no ``predicate_modifier`` (becomes a link at the next build);
- rejected: a ``reviewer_label`` and ``predicate_modifier`` ``Not`` (never suggested again).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from annograph.annotations._model import LinkKind
from annograph.annotations._ontology import GEONAMES_ONTOLOGY, PREFIXES
from annograph.errors import AnnographError, SourceLocation

#: Columns written, in order (all SSSOM 1.0 slots).
COLUMNS = (
    "subject_id",
    "subject_label",
    "subject_category",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "object_category",
    "mapping_justification",
    "confidence",
    "match_string",
    "mapping_date",
    "reviewer_label",
    "comment",
)
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")
#: Link predicates a reviewed row may use, by CURIE, with the annotation key they stand for.
PREDICATES: dict[str, LinkKind] = {"owl:sameAs": "sameAs", "skos:closeMatch": "closeMatch"}
NOT = "Not"
SSSOM_PREFIXES = {
    # GeoNames' feature classes (object_category gno:P), apart from its features (gn:1528675/).
    "gno": GEONAMES_ONTOLOGY,
    "owl": PREFIXES["owl"],
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": PREFIXES["skos"],
}
#: SSSOM's value for a mapping set whose licence nobody has stated.
UNSPECIFIED_LICENSE = "https://w3id.org/sssom/license/unspecified"


class MappingError(AnnographError):
    """A mapping file is malformed."""


class Review(Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class MappingRow:
    """One row: a candidate link and, once reviewed, the verdict."""

    subject_id: str
    predicate_id: str
    object_id: str
    mapping_justification: str
    subject_label: str = ""
    subject_category: str = ""
    predicate_modifier: str = ""
    object_label: str = ""
    object_category: str = ""
    confidence: str = ""
    match_string: str = ""
    mapping_date: str = ""
    reviewer_label: str = ""
    comment: str = ""
    location: SourceLocation | None = None

    @property
    def review(self) -> Review:
        if not self.reviewer_label:
            return Review.PENDING
        return Review.REJECTED if self.predicate_modifier == NOT else Review.ACCEPTED

    @property
    def key(self) -> tuple[str, str]:
        """What makes a row the same suggestion: the entity and the candidate."""
        return (self.subject_id, self.object_id)

    def reviewed(self, accept: bool, reviewer: str) -> MappingRow:
        return replace(self, reviewer_label=reviewer, predicate_modifier="" if accept else NOT)


@dataclass(frozen=True, slots=True)
class MappingSet:
    """A mapping file: its metadata (with the ``curie_map``) and its rows."""

    path: Path
    metadata: dict[str, object]
    mappings: tuple[MappingRow, ...]

    @property
    def prefixes(self) -> dict[str, str]:
        curie_map = self.metadata.get("curie_map")
        return {str(k): str(v) for k, v in curie_map.items()} if isinstance(curie_map, dict) else {}

    def expand(self, curie: str, location: SourceLocation | None = None) -> str:
        """The IRI a CURIE of this file stands for.

        :raises MappingError: if its prefix is not in the file's ``curie_map``.
        """
        prefix, _, local = curie.partition(":")
        namespace = self.prefixes.get(prefix)
        if namespace is None or not local:
            raise MappingError(
                f"'{curie}' is not a CURIE with a prefix of this file's curie_map",
                location=location,
                hint=f"declare the prefix under '# curie_map:'; known: {', '.join(self.prefixes)}",
            )
        return namespace + local


def curie(iri: str, prefixes: Mapping[str, str]) -> str:
    """``prefix:rest`` for the longest namespace the IRI starts with (SSSOM ids are CURIEs)."""
    namespace = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if namespace is None or namespace == iri:
        raise MappingError(f"no prefix for <{iri}> in the mapping file's curie_map")
    prefix = next(p for p, ns in prefixes.items() if ns == namespace)
    return f"{prefix}:{iri[len(namespace) :]}"


#: The folder of the data folder that holds the mapping files.
LINKS = "links"


def read_mapping_sets(data: Path) -> list[MappingSet]:
    """The SSSOM mapping files of ``data/links/``, by file name."""
    return [read_mapping_set(path) for path in sorted((data / LINKS).glob("*.sssom.tsv"))]


def read_mapping_set(path: Path) -> MappingSet:
    """Parse an SSSOM TSV file: the ``#``-commented YAML metadata, then the table.

    :raises MappingError: at the line and column of the first problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MappingError(
            f"cannot read mapping file: {error}", location=SourceLocation(path)
        ) from error
    lines = text.splitlines()
    header = [line[1:] for line in _leading_comments(lines)]
    metadata = _metadata(header, path)
    table = lines[len(header) :]
    if not table:
        raise MappingError(
            "no table of mappings after the metadata",
            location=SourceLocation(path, len(header) + 1),
            hint="the first line after the '#' lines names the columns: subject_id, ...",
        )
    first = len(header) + 1
    reader = csv.reader(table, delimiter="\t", quoting=csv.QUOTE_NONE)
    columns = next(reader)
    for name in REQUIRED:
        if name not in columns:
            raise MappingError(
                f"the table has no '{name}' column",
                location=SourceLocation(path, first),
                hint=f"the columns SSSOM requires are {', '.join(REQUIRED)}",
            )
    mappings = [
        _mapping(dict(zip(columns, row, strict=False)), columns, SourceLocation(path, first + n))
        for n, row in enumerate(reader, start=1)
        if any(cell.strip() for cell in row)
    ]
    return MappingSet(path, metadata, tuple(mappings))


def _leading_comments(lines: list[str]) -> list[str]:
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    return header


def _metadata(header: list[str], path: Path) -> dict[str, object]:
    try:
        data = YAML(typ="safe").load("\n".join(header)) if header else {}
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise MappingError(
            f"the '#' metadata is not valid YAML: {getattr(error, 'problem', error)}",
            location=SourceLocation(path, line),
            hint="each metadata line is '#' followed by YAML, e.g. '#mapping_set_id: https://...'",
        ) from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MappingError(
            "the '#' metadata must be a YAML mapping of SSSOM slots",
            location=SourceLocation(path, 1),
        )
    return data


def _mapping(row: dict[str, str], columns: list[str], location: SourceLocation) -> MappingRow:
    def at(column: str) -> SourceLocation:
        return replace(location, column=_column_of(columns, column, row))

    for name in REQUIRED:
        if not row.get(name, "").strip():
            raise MappingError(f"empty {name}", location=at(name), hint="every row needs one")
    modifier = row.get("predicate_modifier", "").strip()
    if modifier not in ("", NOT):
        raise MappingError(
            f"predicate_modifier '{modifier}' is not one SSSOM allows",
            location=at("predicate_modifier"),
            hint="leave it empty, or write 'Not' to reject the mapping",
        )
    confidence = row.get("confidence", "").strip()
    if confidence and not _is_confidence(confidence):
        raise MappingError(
            f"confidence '{confidence}' is not a number from 0 to 1",
            location=at("confidence"),
            hint="write e.g. 0.95",
        )
    known = {name: row.get(name, "").strip() for name in COLUMNS}
    return MappingRow(**known, location=location)


def _column_of(columns: list[str], column: str, row: dict[str, str]) -> int:
    """The 1-based character column where a cell starts in its TSV line."""
    offset = 1
    for name in columns:
        if name == column:
            return offset
        offset += len(row.get(name) or "") + 1
    return 1


def _is_confidence(text: str) -> bool:
    try:
        return 0.0 <= float(text) <= 1.0
    except ValueError:
        return False


def write_mapping_set(mapping_set: MappingSet) -> None:
    """Write the file: metadata as ``#`` YAML, then the rows sorted by subject and confidence."""
    out = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    meta = io.StringIO()
    yaml.dump(mapping_set.metadata, meta)
    out.writelines(f"#{line}\n" for line in meta.getvalue().splitlines())
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
    writer.writerow(COLUMNS)
    for mapping in sorted(mapping_set.mappings, key=_order):
        writer.writerow([_cell(getattr(mapping, name)) for name in COLUMNS])
    mapping_set.path.parent.mkdir(parents=True, exist_ok=True)
    temporary = mapping_set.path.with_name(mapping_set.path.name + ".tmp")
    temporary.write_text(out.getvalue(), encoding="utf-8")
    # A reviewer's verdicts are work: replace the file whole or not at all.
    temporary.replace(mapping_set.path)


def _order(mapping: MappingRow) -> tuple[str, float, str]:
    return (mapping.subject_id, -float(mapping.confidence or 0), mapping.object_id)


def _cell(value: str) -> str:
    # TSV without quoting: tabs and newlines inside a label would break the table.
    return re.sub(r"[\t\r\n]+", " ", value)


def merge(
    existing: Sequence[MappingRow], new: Iterable[MappingRow]
) -> tuple[list[MappingRow], int]:
    """Existing rows unchanged (verdicts are kept), plus new rows for pairs not seen before."""
    seen = {mapping.key for mapping in existing}
    added = [mapping for mapping in new if mapping.key not in seen]
    return [*existing, *added], len(added)
