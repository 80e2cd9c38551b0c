"""What curated annotations say, as plain typed values, before any RDF is made of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from annograph.errors import SourceLocation


@dataclass(frozen=True, slots=True)
class Evidence:
    """Words of the article that support a fact, found at ``start:end`` (character offsets)."""

    exact: str
    start: int
    end: int
    prefix: str
    suffix: str
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to an entity by id, or to an ontology term by CURIE (``ag:percent``)."""

    target: str
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Text:
    """A string in one language, e.g. a name as written (``ru``) or its translation (``en``)."""

    text: str
    language: str
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Typed:
    """A literal of a datatype the ontology names as the property's range (xsd:decimal ...)."""

    lexical: str
    datatype: str
    location: SourceLocation


Value = Ref | Text | Typed


@dataclass(frozen=True, slots=True)
class Fact:
    """One or more values of one property of one subject, with the evidence for all of them."""

    prop: str
    values: tuple[Value, ...]
    evidence: tuple[Evidence, ...]
    note: str | None
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Link:
    """A curator's identity link to an entity of an external graph (Wikidata, GeoNames, ...).

    Not a statement of the article, so it has no quote: its authority is the curator's check
    (for the Bishkek article, ``external-ids.md``).
    """

    kind: LinkKind
    target: str
    location: SourceLocation


LinkKind = Literal["sameAs", "closeMatch"]


@dataclass(frozen=True, slots=True)
class Entity:
    """Something the article mentions: its classes, the words that mention it, and its facts.

    A *shared* entity is defined once in ``data/entities/`` (its classes and identity links);
    each article that mentions it adds its own mentions and facts, and takes the rest from
    there. In ``data/entities/`` itself, an entity has no mentions and no facts.
    """

    id: str
    types: tuple[str, ...]
    mentions: tuple[Evidence, ...]
    facts: tuple[Fact, ...]
    note: str | None
    location: SourceLocation
    links: tuple[Link, ...] = ()
    shared: bool = False
    #: For a shared entity mentioned by an article: where ``data/entities/`` defines it.
    definition: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One annotated article: its text (the source of record) and everything said about it."""

    slug: str
    directory: Path
    text: str
    language: str
    facts: tuple[Fact, ...]
    entities: tuple[Entity, ...]
    annotations_path: Path
    location: SourceLocation
    #: Where and when it was published, as the curator recorded it from the publication.
    url: str | None = None
    published: str | None = None
