"""The names annotations take: every ``ag:`` class, property and concept, read from the ontology.

A curator writes ``type: City``, ``attendee: {ref: ..., quote: ...}`` and ``ref: ag:percent``:
local names of the ontology's terms. :func:`read_vocabulary` gathers what a curator needs to
know of each (its labels and other names, its definition, where it sits among the classes,
what a property applies to and takes, and its alignment to schema.org, ORG, PROV and SKOS) from
the ontology, and from the SHACL shapes what a property without an ``rdfs:range`` takes where a
shape says it (``sh:or`` of ``sh:class``). :meth:`Vocabulary.suggest` is how annotation errors
name the term a curator probably meant. Nothing here lists terms: the ontology is the one list.
"""

from __future__ import annotations

import difflib
import enum
import json
import re
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

from annograph._lexical import LEXICAL_EXAMPLES, did_you_mean
from annograph.annotations._ontology import (
    LANG_STRING,
    NAMESPACE,
    PREFIXES,
    RDF,
    RDF_TYPE,
    RDFS,
    Ontology,
    Property,
    PropertyKind,
    shorten_iri,
)
from annograph.errors import AnnographError, SourceLocation

TermKind = Literal["class", "property", "concept"]

_SKOS = PREFIXES["skos"]
_SH = "http://www.w3.org/ns/shacl#"
_LABELS = (RDFS + "label", _SKOS + "prefLabel")
_ALT_LABEL = _SKOS + "altLabel"
_DEFINITION = _SKOS + "definition"
_EXAMPLE = _SKOS + "example"
_BROADER = {"class": RDFS + "subClassOf", "property": RDFS + "subPropertyOf"}
#: How a name typed for one kind of term is matched: at least this close (difflib's ratio) ...
_CUTOFF = 0.6
#: ... and a term of the kind expected wins over a slightly closer one of another kind, so that
#: 'participants:' suggests the property attendee ("participant"), not the class PersonGroup.
_SAME_KIND_BONUS = 0.1
#: A summary cut to fit a terminal keeps at least this many characters.
_MIN_SUMMARY = 30
_OTHER_CLASSES = "other top classes"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_LANG_STRING = shorten_iri(LANG_STRING, PREFIXES)
_LIST_HINT = "run 'annograph vocab' for the full list"
#: The languages shown first; the others follow in alphabetical order.
_FIRST_LANGUAGES = ("en",)


class VocabFormat(enum.Enum):
    """Output formats of ``annograph vocab``; the value is the CLI name."""

    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class Example:
    """A use of a term: the ontology's ``skos:example``, or the first in the annotations."""

    text: str
    #: Where in the annotations; None for the ontology's own example.
    location: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class Range:
    """What a property's values are: ag: classes, or a datatype (a CURIE) with a valid value.

    ``classes`` holds one class (the ``rdfs:range``) or the alternatives a shape allows;
    ``allowed`` adds all their subclasses. Both empty and no datatype: anything.
    """

    classes: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    datatype: str | None = None
    example: str | None = None
    #: Whether the classes are a shape's (the property has no rdfs:range).
    by_shape: bool = False

    @property
    def short(self) -> str:
        """``Agent or Place``, ``xsd:date``, ``text``, or ``any``."""
        if self.classes:
            return " or ".join(self.classes)
        if self.datatype == _LANG_STRING:
            return "text"
        return self.datatype or "any"


@dataclass(frozen=True, slots=True)
class Term:
    """One ag: class, property or concept, by the name annotations write it with."""

    name: str
    iri: str
    kind: TermKind
    #: The class's top class, the property's kind (object or datatype), the concept's class.
    group: str
    #: How annotations write it: ``type: City``, ``attendee: {ref: ID, quote: ...}``.
    write: str
    #: (language, label), English first.
    labels: tuple[tuple[str, str], ...]
    #: (language, skos:altLabel), in the ontology's order.
    alt_labels: tuple[tuple[str, str], ...] = ()
    definition: str | None = None
    #: A class's ag: superclasses, a property's ag: superproperties, a concept's classes.
    broader: tuple[str, ...] = ()
    #: A class's direct ag: subclasses, a property's direct ag: subproperties.
    narrower: tuple[str, ...] = ()
    #: A class's properties (domain on it or on a superclass); a concept's, that take it.
    properties: tuple[str, ...] = ()
    property_kind: PropertyKind | None = None
    #: The class a property applies to (its rdfs:domain); None: any entity.
    domain: str | None = None
    range: Range | None = None
    #: rdfs:subClassOf / rdfs:subPropertyOf targets outside ag:, as CURIEs.
    alignment: tuple[str, ...] = ()
    example: Example | None = None

    def label(self, lang: str = "en") -> str | None:
        """The label in ``lang``, else the first label, else None."""
        return dict(self.labels).get(lang) or next((text for _, text in self.labels), None)

    @property
    def names(self) -> tuple[str, ...]:
        """Every label and alternative label, in every language."""
        return tuple(text for _, text in (*self.labels, *self.alt_labels))

    @property
    def summary(self) -> str:
        """The definition's first sentence ('' without one)."""
        return _SENTENCE_END.split(self.definition or "", maxsplit=1)[0]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every term annotations may use: classes by top class, properties by kind, concepts."""

    terms: tuple[Term, ...]
    _by_name: dict[str, Term] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {term.name: term for term in self.terms})

    def of_kind(self, kind: TermKind) -> tuple[Term, ...]:
        """The terms of one kind, in the vocabulary's order."""
        return tuple(term for term in self.terms if term.kind == kind)

    def groups(self, kind: TermKind) -> list[tuple[str, list[Term]]]:
        """The terms of one kind by group, in the vocabulary's order."""
        grouped: dict[str, list[Term]] = defaultdict(list)
        for term in self.of_kind(kind):
            grouped[term.group].append(term)
        return list(grouped.items())

    def general_properties(self) -> tuple[str, ...]:
        """The properties with no domain (any entity may have them), by name."""
        names = (t.name for t in self.of_kind("property") if t.domain is None)
        return tuple(sorted(names, key=str.casefold))

    def get(self, name: str) -> Term | None:
        """The term with this exact YAML name."""
        return self._by_name.get(name)

    def lookup(self, text: str) -> Term:
        """The term ``text`` names: its YAML name (any case), ``ag:Name``, IRI, or a label.

        :raises AnnographError: if no term has that name, with the closest names; or if the
            name or label is of several terms, naming them.
        """
        wanted = text.strip().removeprefix("<").removesuffix(">")
        name = wanted.removeprefix(NAMESPACE) if wanted.startswith(NAMESPACE) else wanted
        name = name.removeprefix("ag:")
        exact = self._by_name.get(name)
        if exact is not None:
            return exact
        folded = name.casefold()
        found = [t for t in self.terms if t.name.casefold() == folded] or [
            t for t in self.terms if wanted.casefold() in {n.casefold() for n in t.names}
        ]
        if len(found) == 1:
            return found[0]
        if found:
            listed = ", ".join(f"{t.name} ({t.kind})" for t in found)
            raise AnnographError(
                f"'{text}' names {len(found)} terms: {listed}",
                hint="give the YAML name, e.g. "
                + " or ".join(f"'annograph vocab {t.name}'" for t in found),
            )
        # A label or altLabel that is close suggests the term's YAML name, not the label.
        names_of: dict[str, str] = {}
        for term in self.terms:
            for candidate in (term.name, *term.names):
                names_of.setdefault(candidate, term.name)
        matches = difflib.get_close_matches(wanted, sorted(names_of), n=3, cutoff=0.6)
        suggested = list(dict.fromkeys(names_of[match] for match in matches))
        raise AnnographError(
            f"no class, property or concept '{text}' in the ontology",
            hint=f"{did_you_mean(suggested)} ({_LIST_HINT})" if suggested else _LIST_HINT,
        )

    def suggest(self, typed: str, *, expected: TermKind) -> str | None:
        """A "did you mean" hint for an unknown name where a term of kind ``expected`` was due.

        Names and labels of all classes and properties (of the concepts, for a concept) are
        candidates, without regard to case; the hint says which label matched, and how the
        term is written when it is of another kind than expected (a class typed as a key).
        None when nothing is close.
        """
        kinds = ("concept",) if expected == "concept" else ("class", "property")
        folded = typed.casefold()
        best: tuple[tuple[float, bool, int], Term, str | None] | None = None
        for position, term in enumerate(self.terms):
            if term.kind not in kinds:
                continue
            for text, label in ((term.name, None), *((n, n) for n in term.names)):
                ratio = difflib.SequenceMatcher(None, folded, text.casefold()).ratio()
                if ratio < _CUTOFF:
                    continue
                bonus = _SAME_KIND_BONUS if term.kind == expected else 0.0
                score = (ratio + bonus, label is None, -position)
                if best is None or score > best[0]:
                    best = (score, term, label)
        if best is None:
            return None
        _, term, label = best
        notes = []
        if label is not None:
            notes.append(f"'{label}' is one of its labels")
        if term.kind != expected:
            notes.append(f"'{term.name}' is {_a(term.kind)}: write '{term.write}'")
        return did_you_mean([term.name]) + (f" ({'; '.join(notes)})" if notes else "")


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


# -- reading the ontology ---------------------------------------------------------------------


def read_vocabulary(ontology: Ontology, shapes: Iterable[ox.Triple] = ()) -> Vocabulary:
    """Every ag: class, property and concept of ``ontology`` as a :class:`Term`.

    :param shapes: the triples of the SHACL shapes (``ontology/shapes.ttl``), for what a
        property without an ``rdfs:range`` takes.
    """
    reader = _Reader(ontology, _statements(ontology.triples), shape_ranges(shapes))
    return Vocabulary((*reader.classes(), *reader.properties(), *reader.concepts()))


def shape_ranges(triples: Iterable[ox.Triple]) -> dict[str, tuple[str, ...]]:
    """ag: property -> the ag: classes a shape allows its values to be (``sh:or`` of ``sh:class``).

    A property shape's path is the property or an ``sh:alternativePath`` that lists it.
    """
    about = _statements(triples)
    ranges: dict[str, tuple[str, ...]] = {}
    for statements in about.values():
        for choice in statements.get(_SH + "or", []):
            classes = _class_choice(about, choice)
            for path in statements.get(_SH + "path", []) if classes else []:
                for prop in _path_properties(about, path):
                    ranges[prop] = classes
    return ranges


Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_Statements = dict[Node, dict[str, list[Node]]]


def _statements(triples: Iterable[ox.Triple]) -> _Statements:
    """Subject -> predicate IRI -> objects, in the order of the triples."""
    about: _Statements = defaultdict(lambda: defaultdict(list))
    for triple in triples:
        about[triple.subject][triple.predicate.value].append(triple.object)
    return about


def _rdf_list(about: _Statements, head: Node) -> Iterator[Node]:
    seen: set[Node] = set()
    while head != ox.NamedNode(RDF + "nil") and head not in seen and head in about:
        seen.add(head)
        yield from about[head].get(RDF + "first", [])[:1]
        rest = about[head].get(RDF + "rest", [])
        if not rest:
            return
        head = rest[0]


def _class_choice(about: _Statements, head: Node) -> tuple[str, ...]:
    """The ag: classes of an ``sh:or`` list whose every member is one ``sh:class``, else ()."""
    members = [about.get(m, {}).get(_SH + "class", []) for m in _rdf_list(about, head)]
    names = [_own(values[0]) if len(values) == 1 else None for values in members]
    return tuple(name for name in names if name) if names and all(names) else ()


def _path_properties(about: _Statements, path: Node) -> list[str]:
    if isinstance(path, ox.NamedNode):
        return [name for name in [_own(path)] if name]
    alternatives = about.get(path, {}).get(_SH + "alternativePath", [])
    members = (m for head in alternatives for m in _rdf_list(about, head))
    return [name for name in map(_own, members) if name]


def _own(term: Node | str | None) -> str | None:
    """The local name of an ag: IRI, else None."""
    iri = term.value if isinstance(term, ox.NamedNode) else term
    if isinstance(iri, str) and iri.startswith(NAMESPACE):
        return iri.removeprefix(NAMESPACE)
    return None


@dataclass(frozen=True, slots=True)
class _Described:
    """What the ontology says of any term: its labels, definition and example."""

    labels: tuple[tuple[str, str], ...]
    alt_labels: tuple[tuple[str, str], ...]
    definition: str | None
    example: Example | None


@dataclass(frozen=True, slots=True)
class _Related:
    """A class's or property's place among the others, and its alignment."""

    broader: tuple[str, ...]
    narrower: tuple[str, ...]
    alignment: tuple[str, ...]


class _Reader:
    """Builds the terms from the ontology's statements about them."""

    def __init__(
        self, ontology: Ontology, about: _Statements, shape_ranges: Mapping[str, tuple[str, ...]]
    ) -> None:
        self.ontology = ontology
        self.about = about
        self.shape_ranges = shape_ranges
        first: dict[str, int] = {}
        for position, subject in enumerate(about):
            name = _own(subject)
            if name is not None:
                first.setdefault(name, position)
        self._first = first

    def order(self, name: str) -> int:
        """Sort key: where a term is first described in the ontology file."""
        return self._first.get(name, len(self._first))

    def _objects(self, name: str, predicate: str) -> list[Node]:
        return self.about.get(ox.NamedNode(NAMESPACE + name), {}).get(predicate, [])

    def _texts(self, name: str, predicates: Iterable[str]) -> list[tuple[str, str]]:
        return [
            (value.language or "", value.value)
            for predicate in predicates
            for value in self._objects(name, predicate)
            if isinstance(value, ox.Literal)
        ]

    def described(self, name: str) -> _Described:
        labels = dict(reversed(self._texts(name, _LABELS)))  # the first label of each language
        examples = self._texts(name, [_EXAMPLE])
        return _Described(
            labels=tuple(sorted(labels.items(), key=lambda item: _language_order(item[0]))),
            alt_labels=tuple(self._texts(name, [_ALT_LABEL])),
            definition=_in_english(self._texts(name, [_DEFINITION])),
            example=Example(examples[0][1]) if examples else None,
        )

    def related(self, name: str, kind: Literal["class", "property"]) -> _Related:
        predicate = _BROADER[kind]
        iri = ox.NamedNode(NAMESPACE + name)
        targets = [t.value for t in self._objects(name, predicate) if isinstance(t, ox.NamedNode)]
        narrower = [
            sub
            for subject, statements in self.about.items()
            if (sub := _own(subject)) is not None and iri in statements.get(predicate, [])
        ]
        return _Related(
            broader=tuple(n for n in map(_own, targets) if n),
            narrower=tuple(sorted(narrower, key=self.order)),
            alignment=tuple(shorten_iri(t, PREFIXES) for t in targets if not _own(t)),
        )

    def with_subclasses(self, name: str) -> list[str]:
        """The class and all its subclasses, in the ontology's order."""
        ontology = self.ontology
        below = (c for c in ontology.classes if ontology.is_subclass(c, name))
        return sorted(below, key=self.order)

    def top(self, name: str) -> str:
        """The class's top class (itself, when it has no ag: superclass)."""
        superclasses = self.ontology.superclasses
        roots = [a for a in superclasses.get(name, ()) if not superclasses.get(a)]
        return min(roots, key=self.order) if roots else name

    def classes(self) -> list[Term]:
        ontology = self.ontology
        tops = {name: self.top(name) for name in ontology.classes}
        # By top class in the ontology's order, the top class first, then by name.
        ordered = sorted(
            ontology.classes, key=lambda n: (self.order(tops[n]), n != tops[n], n.casefold())
        )
        return [self._class(name, tops[name]) for name in ordered]

    def _class(self, name: str, top: str) -> Term:
        applying = {name, *self.ontology.superclasses.get(name, ())}
        properties = (p.name for p in self.ontology.properties.values())
        described, related = self.described(name), self.related(name, "class")
        return Term(
            name=name,
            iri=NAMESPACE + name,
            kind="class",
            group=top,
            write=f"type: {name}",
            labels=described.labels,
            alt_labels=described.alt_labels,
            definition=described.definition,
            broader=related.broader,
            narrower=related.narrower,
            properties=tuple(
                sorted(
                    (p for p in properties if _own(self.ontology.properties[p].domain) in applying),
                    key=str.casefold,
                )
            ),
            alignment=related.alignment,
            example=described.example,
        )

    def properties(self) -> list[Term]:
        ordered = sorted(
            self.ontology.properties.values(), key=lambda p: (p.kind != "object", p.name.casefold())
        )
        return [self._property(prop) for prop in ordered]

    def _property(self, prop: Property) -> Term:
        value_range = self._range(prop.name, prop.range)
        described, related = self.described(prop.name), self.related(prop.name, "property")
        return Term(
            name=prop.name,
            iri=prop.iri,
            kind="property",
            group=prop.kind,
            write=f"{prop.name}: {self._fact_form(prop.kind, value_range)}",
            labels=described.labels,
            alt_labels=described.alt_labels,
            definition=described.definition,
            broader=related.broader,
            narrower=related.narrower,
            property_kind=prop.kind,
            domain=_own(prop.domain),
            range=value_range,
            alignment=related.alignment,
            example=described.example,
        )

    def _range(self, name: str, iri: str | None) -> Range:
        own = _own(iri)
        if own is None and iri is not None:
            return Range(datatype=shorten_iri(iri, PREFIXES), example=LEXICAL_EXAMPLES.get(iri))
        classes = (own,) if own is not None else self.shape_ranges.get(name, ())
        allowed = dict.fromkeys(c for cls in classes for c in self.with_subclasses(cls))
        return Range(
            classes=tuple(classes), allowed=tuple(allowed), by_shape=own is None and bool(classes)
        )

    def _fact_form(self, kind: PropertyKind, value_range: Range) -> str:
        if kind == "object":
            concepts = [c for cls in value_range.allowed for c in self.members(cls)]
            target = f"ag:{concepts[0]}" if concepts else "ID"
            return f"{{ref: {target}, quote: ...}}"
        if value_range.datatype in (None, _LANG_STRING):
            return "{ru: ..., en: ..., quote: ...}"
        return f"{{value: {value_range.example or '...'}, quote: ...}}"

    def members(self, cls: str) -> list[str]:
        """The concepts (ag: individuals) of a class, in the ontology's order."""
        iri = ox.NamedNode(NAMESPACE + cls)
        members = (n for n in self.ontology.individuals if iri in self._objects(n, RDF_TYPE.value))
        return sorted(members, key=self.order)

    def concepts(self) -> list[Term]:
        terms = [self._concept(name) for name in self.ontology.individuals]
        return sorted(terms, key=lambda t: (self.order(t.group), self.order(t.name)))

    def _concept(self, name: str) -> Term:
        ontology = self.ontology
        classes = tuple(
            c for c in map(_own, self._objects(name, RDF_TYPE.value)) if c and c in ontology.classes
        )
        applying = {a for c in classes for a in (c, *ontology.superclasses.get(c, ()))}
        taking = (p.name for p in ontology.properties.values() if _own(p.range) in applying)
        described = self.described(name)
        return Term(
            name=name,
            iri=NAMESPACE + name,
            kind="concept",
            group=classes[0] if classes else "Concept",
            write=f"ref: ag:{name}",
            labels=described.labels,
            alt_labels=described.alt_labels,
            definition=described.definition,
            broader=classes,
            properties=tuple(sorted(taking, key=str.casefold)),
            example=described.example,
        )


def _language_order(language: str) -> tuple[int, str]:
    """English first, then the other languages in alphabetical order."""
    if language in _FIRST_LANGUAGES:
        return _FIRST_LANGUAGES.index(language), language
    return len(_FIRST_LANGUAGES), language


def _in_english(texts: Sequence[tuple[str, str]]) -> str | None:
    """The English text, else the first."""
    chosen = dict(reversed(texts))
    return chosen.get("en") or (texts[0][1] if texts else None)


# -- rendering --------------------------------------------------------------------------------

_HEADINGS: dict[TermKind, tuple[str, str]] = {
    "class": ("classes", "give one as 'type: Name'"),
    "property": ("properties", "give one as a key of an entity, 'name: {...}'"),
    "concept": ("concepts", "refer to one as 'ref: ag:name'"),
}
_GROUP_NOTES = {
    "object": "a reference to an entity or a concept: {ref: ID, quote: ...}",
    "datatype": "a value: {value: ..., quote: ...}, or texts: {ru: ..., en: ..., quote: ...}",
}
_KINDS: tuple[TermKind, ...] = ("class", "property", "concept")


def render_vocabulary(
    vocabulary: Vocabulary, *, format: VocabFormat = VocabFormat.TEXT, width: int | None = None
) -> str:
    """Every term by the name annotations write it with, grouped, with its label and summary.

    Classes are grouped by top class (the top classes without subclasses together, last),
    properties by kind (object: a reference; datatype: a value or texts), concepts by class.

    :param width: for ``text``, cut each line's summary to fit this many columns (a terminal's
        width); by default the summaries are whole, for pipes and searches.

    ``json`` is one object with a list per kind, each item
    ``{"name", "iri", "group", "label", "summary"}`` (``label`` in English; properties also
    ``"domain"`` and ``"range"``, the short forms of the text output)::

        {"classes": [...], "properties": [...], "concepts": [...]}
    """
    if format is VocabFormat.JSON:
        listed = {
            f"{_HEADINGS[k][0]}": [_summary_json(t) for t in vocabulary.of_kind(k)] for k in _KINDS
        }
        return json.dumps(listed, indent=2, ensure_ascii=False) + "\n"
    if format is VocabFormat.MARKDOWN:
        return "\n".join(_markdown_section(vocabulary, kind) for kind in _KINDS)
    counts = ", ".join(f"{len(vocabulary.of_kind(k))} {_HEADINGS[k][0]}" for k in _KINDS)
    head = f"{counts}; 'annograph vocab NAME' shows one in full\n"
    return "\n".join([head, *(_text_section(vocabulary, kind, width) for kind in _KINDS)])


def _summary_json(term: Term) -> dict[str, object]:
    item: dict[str, object] = {
        "name": term.name,
        "iri": term.iri,
        "group": term.group,
        "label": term.label(),
        "summary": term.summary,
    }
    if term.kind == "property":
        item["domain"] = term.domain
        item["range"] = term.range.short if term.range else None
    return item


def _columns(term: Term) -> list[str]:
    """The cells of a term's row in a list: name, label, (for a property) domain -> range."""
    cells = [term.name, term.label() or ""]
    if term.kind == "property":
        cells.append(f"{term.domain or 'any'} → {term.range.short if term.range else 'any'}")
    return cells


def _text_section(vocabulary: Vocabulary, kind: TermKind, width: int | None) -> str:
    title, note = _HEADINGS[kind]
    terms = vocabulary.of_kind(kind)
    widths = [
        max(len(cell) for cell in column) for column in zip(*map(_columns, terms), strict=True)
    ]
    lines = [f"{title.upper()}: {note}"]
    room = None if width is None else max(width - 4 - sum(w + 2 for w in widths), _MIN_SUMMARY)
    for group, members in _shown_groups(vocabulary, kind):
        lines.append(f"  {group}" + (f" — {_GROUP_NOTES[group]}" if group in _GROUP_NOTES else ""))
        for term in members:
            cells = [c.ljust(w) for c, w in zip(_columns(term), widths, strict=True)]
            lines.append(("    " + "  ".join([*cells, _cut(term.summary, room)])).rstrip())
    return "\n".join(lines) + "\n"


def _shown_groups(vocabulary: Vocabulary, kind: TermKind) -> list[tuple[str, list[Term]]]:
    """The groups of a list, with the top classes that have no subclasses together, last."""
    groups = vocabulary.groups(kind)
    if kind != "class":
        return groups
    alone = [members[0] for _, members in groups if len(members) == 1]
    kept = [(group, members) for group, members in groups if len(members) > 1]
    return [*kept, *([(_OTHER_CLASSES, alone)] if alone else [])]


def _cut(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[: width - 1].rstrip() + "…"


def _markdown_section(vocabulary: Vocabulary, kind: TermKind) -> str:
    title, note = _HEADINGS[kind]
    head = [
        "YAML name",
        "label",
        *(["applies to → takes"] if kind == "property" else []),
        "definition",
    ]
    parts = [f"## {title.capitalize()}\n\n{note.capitalize()}.\n"]
    for group, members in _shown_groups(vocabulary, kind):
        rows = [[f"`{t.name}`", *_columns(t)[1:], t.summary] for t in members]
        parts.append(f"### {group}\n\n{_markdown_table(head, rows)}")
    return "\n".join(parts)


def _markdown_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return "\n".join([line(head), "|" + "---|" * len(head), *map(line, rows)]) + "\n"


def render_term(
    term: Term, vocabulary: Vocabulary, *, format: VocabFormat = VocabFormat.TEXT
) -> str:
    """One term in full: its names, definition, place among the others, alignment, example.

    ``json`` is one object with these keys, every one always present (``null`` or ``[]``
    where it does not apply to the term's kind)::

        name            the YAML name, e.g. "attendee"
        iri             the full IRI
        kind            "class", "property" or "concept"
        group           a class's top class, a property's kind, a concept's class
        write           how annotations write it, e.g. "attendee: {ref: ID, quote: ...}"
        labels          {language: label}
        alt_labels      {language: [skos:altLabel, ...]}
        definition      the skos:definition (English)
        broader         ag: superclasses, superproperties, or a concept's classes
        narrower        ag: direct subclasses or subproperties
        properties      a class's properties (domain on it or on a superclass), a
                        concept's (those that take it); any entity may also have
                        any_entity's
        any_entity      for a class, the properties with no domain; else []
        property_kind   "object" or "datatype" (null for a class or concept)
        domain          the class a property applies to (null: any entity)
        range           null, or {"classes": [...], "allowed": [the classes and their
                        subclasses], "datatype": CURIE or null, "example": a valid value,
                        "by_shape": whether the classes are a SHACL shape's}
        alignment       schema.org, ORG, PROV, SKOS terms it specializes, as CURIEs
        example         null, or {"path", "line" (null for the ontology's own),
                        "text": the YAML}
    """
    if format is VocabFormat.JSON:
        return json.dumps(_term_json(term, vocabulary), indent=2, ensure_ascii=False) + "\n"
    rows = _term_rows(term, vocabulary)
    if format is VocabFormat.MARKDOWN:
        rows = [("write", f"`{term.write}`"), *rows[1:]]
        if term.example is None:
            rows.append(("example", "none yet"))
        table = _markdown_table(["", ""], [[name, value] for name, value in rows])
        parts = [f"## `{term.name}` ({term.kind}, `ag:{term.name}`)\n", table]
        if term.example is not None:
            parts.append(
                f"Example ({_where(term.example)}):\n\n```yaml\n{term.example.text}\n```\n"
            )
        return "\n".join(parts)
    width = max(len(name) for name, _ in rows)
    lines = [f"{term.name}  ({term.kind}, ag:{term.name})"]
    for name, value in rows:
        wrapped = textwrap.wrap(value, width=100 - width - 4) or [""]
        lines.append(f"  {name.ljust(width)}  {wrapped[0]}")
        lines.extend(f"  {'':{width}}  {more}" for more in wrapped[1:])
    if term.example is not None:
        lines.append(f"  {'example'.ljust(width)}  {_where(term.example)}")
        lines.extend(f"  {'':{width}}    {line}" for line in term.example.text.splitlines())
    else:
        lines.append(f"  {'example'.ljust(width)}  none yet")
    return "\n".join(lines) + "\n"


def _where(example: Example) -> str:
    return str(example.location) if example.location else "the ontology's skos:example"


def _term_rows(term: Term, vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """(heading, text) for each thing known of the term, in reading order."""
    rows = [("write", term.write), ("labels", _by_language(term.labels))]
    if term.alt_labels:
        rows.append(("also called", _by_language(term.alt_labels)))
    rows.append(("definition", term.definition or "none"))
    if term.kind == "class":
        rows += [
            ("subclass of", ", ".join(term.broader) or "none: a top class"),
            ("subclasses", ", ".join(term.narrower) or "none"),
            ("properties", ", ".join(term.properties) or "none of its own"),
            ("and any entity's", ", ".join(vocabulary.general_properties())),
        ]
    elif term.kind == "property":
        rows += [
            ("kind", _property_kind(term)),
            ("applies to", f"{term.domain} (and its subclasses)" if term.domain else "any entity"),
            ("takes", _takes(term.range, vocabulary)),
        ]
        if term.range is not None and term.range.allowed:
            rows.append(("allowed", ", ".join(term.range.allowed)))
        if term.broader:
            rows.append(("sub-property of", ", ".join(term.broader)))
        if term.narrower:
            rows.append(("sub-properties", ", ".join(term.narrower)))
    else:
        rows.append(("concept of", ", ".join(term.broader) or "none"))
        rows.append(("value of", ", ".join(term.properties) or "none"))
    if term.kind != "concept":
        inherited = f"none of its own; see {', '.join(term.broader)}" if term.broader else "none"
        rows.append(("aligned to", ", ".join(term.alignment) or inherited))
    return rows


def _by_language(texts: Sequence[tuple[str, str]]) -> str:
    """``participant, took part (en); участник (ru)``: the texts of each language together."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for lang, text in texts:
        grouped[lang].append(text)
    return "; ".join(
        ", ".join(values) + (f" ({lang})" if lang else "") for lang, values in grouped.items()
    )


def _property_kind(term: Term) -> str:
    if term.property_kind == "object":
        return "object: a reference, 'ref:'"
    if term.range is not None and term.range.short == "text":
        return "datatype: texts by language, 'ru:', 'en:'"
    return "datatype: a value, 'value:'"


def _takes(value_range: Range | None, vocabulary: Vocabulary) -> str:
    if value_range is None or not (value_range.classes or value_range.datatype):
        return "any entity or concept"
    if value_range.by_shape:
        labels = (_label_of(vocabulary, c) for c in value_range.classes)
        either = " or ".join(_a(label) for label in labels)
        return f"{either}: {' or '.join(value_range.classes)} (a shape in ontology/shapes.ttl)"
    if value_range.classes:
        return " or ".join(f"{c} ({_label_of(vocabulary, c)})" for c in value_range.classes)
    if value_range.short == "text":
        return "text in one or more languages (rdf:langString)"
    example = f", e.g. {value_range.example}" if value_range.example else ""
    return f"{value_range.datatype}{example}"


def _label_of(vocabulary: Vocabulary, name: str) -> str:
    term = vocabulary.get(name)
    return (term.label() if term else None) or name


def _term_json(term: Term, vocabulary: Vocabulary) -> dict[str, object]:
    alt_labels: dict[str, list[str]] = defaultdict(list)
    for lang, text in term.alt_labels:
        alt_labels[lang].append(text)
    example = term.example
    return {
        "name": term.name,
        "iri": term.iri,
        "kind": term.kind,
        "group": term.group,
        "write": term.write,
        "labels": dict(term.labels),
        "alt_labels": dict(alt_labels),
        "definition": term.definition,
        "broader": list(term.broader),
        "narrower": list(term.narrower),
        "properties": list(term.properties),
        "any_entity": list(vocabulary.general_properties()) if term.kind == "class" else [],
        "property_kind": term.property_kind,
        "domain": term.domain,
        "range": None
        if term.range is None
        else {
            "classes": list(term.range.classes),
            "allowed": list(term.range.allowed),
            "datatype": term.range.datatype,
            "example": term.range.example,
            "by_shape": term.range.by_shape,
        },
        "alignment": list(term.alignment),
        "example": None
        if example is None
        else {
            "path": str(example.location.path) if example.location else None,
            "line": example.location.line if example.location else None,
            "text": example.text,
        },
    }
