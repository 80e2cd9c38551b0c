"""Matching: candidate identity links from the project's entities to an external graph.

Candidates are found by label keys (:mod:`annograph._labels`), then filtered and scored by what
else is known: a candidate of an incompatible kind is dropped (a place is never proposed for an
organization), one that lies in a different place than the entity's container is dropped, and
ambiguity lowers the score so that only unambiguous matches reach the acceptance threshold.
Nothing here asserts a link: suggestions go to an SSSOM file for a person to review.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from annograph._labels import MatchKind, acronym, label_keys
from annograph.annotations._model import Article, Entity, Ref, Text
from annograph.annotations._ontology import Ontology

ACCEPT_THRESHOLD = 0.9

#: Score of each kind of label match before the other evidence is weighed.
BASE_SCORES: dict[MatchKind, float] = {
    MatchKind.EXACT: 1.0,
    MatchKind.TRANSLITERATED: 0.95,
    MatchKind.CORE: 0.85,
    MatchKind.ABBREVIATION: 0.75,
}

#: Kinds of things, as paths from general to specific: compatible when one is a prefix of the
#: other. Our classes by their ag: local name (subclasses inherit), most specific first.
OUR_KINDS: tuple[tuple[str, str], ...] = (
    ("PlaceGroup", ""),  # "the regions of a country" is not one place anywhere else
    ("Country", "place/country"),
    ("Region", "place/admin/region"),
    ("District", "place/admin/district"),
    ("City", "place/settlement"),
    ("Village", "place/settlement"),
    ("Place", "place"),
    ("Person", "agent/person"),
    ("Organization", "agent/organization"),
    ("Event", "event"),
    ("CreativeWork", "work"),
)


@dataclass(frozen=True, slots=True)
class Label:
    """A name and its language tag (None when the source does not say)."""

    text: str
    language: str | None = None

    def __str__(self) -> str:
        return f"{self.text}@{self.language}" if self.language else self.text


@dataclass(frozen=True, slots=True)
class Subject:
    """One of the project's entities, as reconciliation sees it."""

    id: str
    iri: str
    types: tuple[str, ...]
    kind: str
    labels: tuple[Label, ...]
    abbreviations: tuple[Label, ...]
    #: ids of the places it lies in, nearest first (transitively through containedInPlace).
    containers: tuple[str, ...]
    #: external IRIs it is already linked to.
    links: frozenset[str]


@dataclass(frozen=True, slots=True)
class Record:
    """An entity of the external graph: its IRI, names, kind and the places it lies in."""

    iri: str
    labels: tuple[Label, ...]
    kind: str | None
    types: tuple[str, ...] = ()
    parents: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A scored candidate link, with the labels that matched and why it scored as it did."""

    subject: Subject
    record: Record
    confidence: float
    match: MatchKind
    subject_label: Label
    record_label: Label
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Suggestions for the entities not yet linked, and what was checked on the way."""

    suggestions: tuple[Suggestion, ...]
    #: entities whose existing link is among the candidates (the source agrees with the curator).
    agreeing: tuple[str, ...]
    #: entities considered (those of a kind an external graph can hold).
    considered: int
    #: candidates dropped because their kind or place contradicts what the project says.
    dropped: int


def kind_of(types: Iterable[str], ontology: Ontology) -> str | None:
    """The kind path of an entity with these ag: classes; None for things not linked outside."""
    for name, kind in OUR_KINDS:
        if any(ontology.is_subclass(t, name) for t in types):
            return kind or None
    return None


def compatible(ours: str, theirs: str | None) -> bool:
    """Whether two kind paths can be the same thing (unknown kinds are not ruled out)."""
    if theirs is None:
        return True
    a, b = ours.split("/"), theirs.split("/")
    return a[: len(b)] == b[: len(a)]


def subjects(
    articles: Sequence[Article], ontology: Ontology, iri_of: Mapping[str, str]
) -> list[Subject]:
    """The entities of the articles that an external graph could hold, with their labels.

    A shared entity is mentioned by several articles, each with its own names (one article
    writes "Kyrgyzstan", another "Kyrgyz Republic"): its labels are those of every mention.
    """
    mentions: dict[str, list[Entity]] = defaultdict(list)
    for article in articles:
        for entity in article.entities:
            mentions[entity.id].append(entity)
    found = []
    for entity_id, entities in mentions.items():
        first = entities[0]
        kind = kind_of(first.types, ontology)
        if kind is None:
            continue
        found.append(
            Subject(
                id=entity_id,
                iri=iri_of[entity_id],
                types=first.types,
                kind=kind,
                labels=_unique(_texts(entities, "name", "alternateName")),
                abbreviations=_unique(_texts(entities, "abbreviation")),
                containers=tuple(_containers(entity_id, mentions)),
                links=frozenset(link.target for e in entities for link in e.links),
            )
        )
    return sorted(found, key=lambda s: s.id)


def _unique(labels: Iterable[Label]) -> tuple[Label, ...]:
    return tuple(dict.fromkeys(labels))


def _texts(entities: Iterable[Entity], *props: str) -> Iterator[Label]:
    for entity in entities:
        for fact in entity.facts:
            if fact.prop in props:
                yield from (Label(v.text, v.language) for v in fact.values if isinstance(v, Text))


def _containers(entity_id: str, mentions: Mapping[str, Sequence[Entity]]) -> Iterator[str]:
    seen: set[str] = set()
    todo = [entity_id]
    while todo:
        for entity in mentions[todo.pop(0)]:
            for fact in entity.facts:
                if fact.prop != "containedInPlace":
                    continue
                for value in fact.values:
                    target = value.target if isinstance(value, Ref) else None
                    if target is not None and target in mentions and target not in seen:
                        seen.add(target)
                        yield target
                        todo.append(target)


@dataclass
class LabelIndex:
    """External records by the keys of their labels, for lookups at every level of strictness."""

    keys: dict[MatchKind, dict[str, list[tuple[Record, Label]]]] = field(
        default_factory=lambda: {kind: defaultdict(list) for kind in MatchKind}
    )

    @classmethod
    def of(cls, records: Iterable[Record]) -> LabelIndex:
        index = cls()
        for record in records:
            index.add(record)
        return index

    def add(self, record: Record) -> None:
        for label in record.labels:
            for kind, key in label_keys(label.text).by_level():
                self.keys[kind][key].append((record, label))

    def lookup(self, kind: MatchKind, key: str | None) -> list[tuple[Record, Label]]:
        """Records with a label of this key (abbreviations are looked up as exact labels)."""
        if not key:
            return []
        level = MatchKind.EXACT if kind is MatchKind.ABBREVIATION else kind
        return self.keys[level].get(key, [])


@dataclass(frozen=True, slots=True)
class Hit:
    """A record one of our labels matched, at the strictest level it matched."""

    record: Record
    match: MatchKind
    subject_label: Label
    record_label: Label


def find_hits(keys: Iterable[tuple[MatchKind, Label, str | None]], index: LabelIndex) -> list[Hit]:
    """Each record matching one of the (level, label, key)s, at the strictest level it matches."""
    best: dict[str, Hit] = {}
    for match, label, key in keys:
        for record, record_label in index.lookup(match, key):
            known = best.get(record.iri)
            if known is None or match < known.match:
                best[record.iri] = Hit(record, match, label, record_label)
    return sorted(best.values(), key=lambda hit: (hit.match, hit.record.iri))


def label_levels(label: Label) -> Iterator[tuple[MatchKind, Label, str]]:
    """The keys a whole label is looked up by, for :func:`find_hits`."""
    for kind, key in label_keys(label.text).by_level():
        yield kind, label, key


def _subject_keys(subject: Subject) -> Iterator[tuple[MatchKind, Label, str | None]]:
    for label in subject.labels:
        yield from label_levels(label)
    for label in subject.abbreviations:
        yield MatchKind.ABBREVIATION, label, label_keys(label.text).exact
    if subject.kind.startswith("agent/organization"):
        # Sources often list only the acronym ("IOM") of an organization's full name.
        for label in subject.labels:
            yield MatchKind.ABBREVIATION, label, acronym(label.text)


def reconcile(entities: Sequence[Subject], records: Iterable[Record]) -> Reconciliation:
    """Score candidate links from ``entities`` to the external ``records``.

    Two passes: the first finds each entity's best unambiguous candidate; the second uses those
    (and existing links) to check that a candidate lies where the entity's container is.
    """
    index = LabelIndex.of(records)
    hits = {subject.id: find_hits(_subject_keys(subject), index) for subject in entities}
    placed = {s.id: set(s.links) for s in entities}
    for subject in entities:
        first = _score(subject, hits[subject.id], {})
        if first and first[0].confidence >= ACCEPT_THRESHOLD and not subject.links:
            placed[subject.id].add(first[0].record.iri)
    suggestions: list[Suggestion] = []
    agreeing: list[str] = []
    dropped = 0
    for subject in entities:
        scored = _score(subject, hits[subject.id], placed)
        dropped += len(hits[subject.id]) - len(scored)
        if subject.links & {s.record.iri for s in scored}:
            agreeing.append(subject.id)
            continue
        suggestions.extend(scored)
    return Reconciliation(tuple(suggestions), tuple(agreeing), len(entities), dropped)


def _host(iri: str) -> str:
    # Containers and parents are compared within one graph: a Wikidata link of the region says
    # nothing about a GeoNames parent.
    return urlsplit(iri).netloc


def _score(subject: Subject, hits: list[Hit], placed: Mapping[str, set[str]]) -> list[Suggestion]:
    """The hits that survive the kind and place checks, scored, best first."""
    containers = set().union(*(placed.get(c, set()) for c in subject.containers))
    kept = []
    for hit in hits:
        record = hit.record
        if not compatible(subject.kind, record.kind):
            continue
        reasons = [f"{hit.match.name.lower()} label match"]
        score = BASE_SCORES[hit.match]
        if record.kind is None:
            score *= 0.8
            reasons.append("kind unknown")
        elif len(record.kind.split("/")) < len(subject.kind.split("/")):
            score *= 0.9
            reasons.append(f"kind only known as {record.kind}")
        comparable = {c for c in containers if _host(c) in {_host(p) for p in record.parents}}
        if comparable:
            if not comparable & record.parents:
                continue
            score = min(1.0, score + 0.05)
            reasons.append("lies in the same place")
        kept.append((score, hit, reasons))
    best = min((hit.match for _, hit, _ in kept), default=None)
    rivals = sum(hit.match == best for _, hit, _ in kept)
    suggestions = []
    for score, hit, reasons in kept:
        if rivals > 1:
            # Two equally good candidates: neither is trustworthy until a person picks one.
            score *= 0.85 ** (rivals - 1)
            reasons.append(f"{rivals} candidates match equally well")
        suggestions.append(
            Suggestion(
                subject=subject,
                record=hit.record,
                confidence=round(score, 3),
                match=hit.match,
                subject_label=hit.subject_label,
                record_label=hit.record_label,
                reasons=tuple(reasons),
            )
        )
    return sorted(suggestions, key=lambda s: (-s.confidence, s.record.iri))
