"""Accepted identity links: the rows of the mapping files a person accepted, checked (a place
links only to places) and added to the entities before a build."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace

from annograph._lexical import closest
from annograph.annotations._model import Article, Entity, Link
from annograph.annotations._ontology import PREFIXES, Ontology
from annograph.errors import AnnographError, SourceLocation
from annograph.linking._matching import (
    compatible,
    kind_of,
)
from annograph.linking._sssom import PREDICATES, MappingRow, MappingSet, Review


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
