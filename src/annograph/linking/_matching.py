"""Reconciliation: candidate identity links from the project's entities to an external graph.

Candidates are found by label keys (:mod:`annograph._labels`), then filtered and scored by what
else is known: a candidate of an incompatible kind is dropped (a place is never proposed for an
organization), one that lies in a different place than the entity's container is dropped, and
ambiguity lowers the score so that only unambiguous matches reach the acceptance threshold.
Nothing here asserts a link: suggestions go to an SSSOM file for a person to review.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from annograph._labels import MatchKind, acronym, label_keys
from annograph._lexical import closest
from annograph.annotations._model import Article, Entity, Link, Ref, Text
from annograph.annotations._ontology import PREFIXES, Ontology
from annograph.errors import AnnographError, SourceLocation
from annograph.linking._sssom import PREDICATES, MappingRow, MappingSet, Review

#: Score above which a suggestion is trusted enough to accept in bulk (``link review
#: --accept-above``); the offline GeoNames test checks nothing wrong scores this high.
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


class LinkError(AnnographError):
    """An identity link that cannot be right, or a reviewed mapping that cannot be applied."""


#: Namespaces whose every entity is of one kind (all GeoNames features are places).
TARGET_KINDS = {PREFIXES["gn"]: "place"}


def check_link_kinds(articles: Sequence[Article], ontology: Ontology) -> list[AnnographError]:
    """An error for each link whose target is of a kind the entity cannot be."""
    problems: list[AnnographError] = []
    for article in articles:
        for entity in article.entities:
            ours = kind_of(entity.types, ontology)
            for link in entity.links:
                theirs = next(
                    (k for ns, k in TARGET_KINDS.items() if link.target.startswith(ns)), None
                )
                if theirs is not None and (ours is None or not compatible(ours, theirs)):
                    problems.append(
                        LinkError(
                            f"'{entity.id}' ({', '.join(entity.types)}) is linked to "
                            f"<{link.target}>, which is a {theirs}",
                            location=link.location,
                            hint=f"only a {theirs} can be the same as it; check the identifier",
                        )
                    )
    return problems


def apply_mappings(
    articles: Sequence[Article],
    mapping_sets: Sequence[MappingSet],
    id_namespace: str,
    *,
    entity_ids: Collection[str] | None = None,
) -> tuple[list[Article], list[AnnographError]]:
    """The articles with the accepted rows of the mapping files added as curated links.

    Pending and rejected rows add nothing: only a person's acceptance makes a link.

    :param entity_ids: the ids of the whole corpus, when ``articles`` are only some of it (a row
        about an entity of another article is then not an error).
    """
    if entity_ids is None:
        entity_ids = {e.id for article in articles for e in article.entities}
    added, problems = accepted_links(mapping_sets, id_namespace, entity_ids=entity_ids)
    return [with_links(article, added) for article in articles], problems


def accepted_links(
    mapping_sets: Sequence[MappingSet],
    id_namespace: str,
    *,
    entity_ids: Collection[str] | None = None,
) -> tuple[dict[str, list[Link]], list[AnnographError]]:
    """The links the accepted rows of the mapping files make, by entity id, and the rows that
    cannot be links.

    :param entity_ids: the ids of the corpus; None takes every row's subject as known (the
        rows about unknown entities are then found later, with :func:`mapped_ids`).
    """
    added: dict[str, list[Link]] = defaultdict(list)
    problems: list[AnnographError] = []
    for mapping_set in mapping_sets:
        for row in mapping_set.mappings:
            if row.review is not Review.ACCEPTED:
                continue
            try:
                entity_id, link = _accepted_link(row, mapping_set, id_namespace, entity_ids)
            except AnnographError as error:
                problems.append(error)
                continue
            added[entity_id].append(link)
    return dict(added), problems


def mapped_ids(mapping_sets: Sequence[MappingSet], id_namespace: str) -> set[str]:
    """The entity ids the accepted rows of the mapping files are about (as far as they say)."""
    ids: set[str] = set()
    for mapping_set in mapping_sets:
        for row in mapping_set.mappings:
            if row.review is not Review.ACCEPTED:
                continue
            try:
                subject = mapping_set.expand(row.subject_id, row.location)
            except AnnographError:
                continue
            if subject.startswith(id_namespace):
                ids.add(subject.removeprefix(id_namespace))
    return ids


def _accepted_link(
    row: MappingRow,
    mapping_set: MappingSet,
    id_namespace: str,
    entity_ids: Collection[str] | None,
) -> tuple[str, Link]:
    location = row.location
    subject = mapping_set.expand(row.subject_id, location)
    entity_id = subject.removeprefix(id_namespace)
    known = entity_ids is None or entity_id in entity_ids
    if not subject.startswith(id_namespace) or not known:
        raise LinkError(
            f"subject_id '{row.subject_id}' is not an entity of the annotations",
            location=location,
            hint=closest(entity_id, entity_ids or ()) or "write id:ENTITY-ID for an entity's id",
        )
    kind = PREDICATES.get(row.predicate_id)
    if kind is None:
        raise LinkError(
            f"an accepted mapping with predicate '{row.predicate_id}' cannot become a link",
            location=location,
            hint=f"use one of {', '.join(PREDICATES)}",
        )
    target = mapping_set.expand(row.object_id, location)
    return entity_id, Link(kind, target, location or SourceLocation(mapping_set.path))


def linked_articles(
    articles: Iterable[Article], mapping_sets: Sequence[MappingSet], id_namespace: str
) -> list[Article]:
    """The articles with the accepted links of the mapping files added to their entities."""
    links, _ = accepted_links(mapping_sets, id_namespace)
    return [with_links(article, links) for article in articles]


def with_links(article: Article, added: Mapping[str, Sequence[Link]]) -> Article:
    """The article with ``added`` links (by entity id) given to its entities."""
    entities = tuple(linked(e, added.get(e.id, ())) for e in article.entities)
    return replace(article, entities=entities)


def linked(entity: Entity, links: Sequence[Link]) -> Entity:
    """The entity with ``links`` added, but those to targets it already links to."""
    if not links:
        return entity
    return replace(
        entity, links=(*entity.links, *(k for k in links if k.target not in _targets(entity)))
    )


def _targets(entity: Entity) -> set[str]:
    return {link.target for link in entity.links}
