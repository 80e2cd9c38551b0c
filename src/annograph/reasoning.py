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
    """HermiT needs a Java runtime, and there is none on the PATH."""


@dataclass(frozen=True, slots=True)
class Consistency:
    """The reasoner's verdict: consistent, plus the classes that can have no members."""

    consistent: bool
    unsatisfiable_classes: tuple[str, ...]
    explanation: str | None = None


def java_available() -> bool:
    """Whether a ``java`` executable is on the PATH (HermiT runs on the JVM)."""
    return shutil.which("java") is not None


def check_consistency(triples: Iterable[ox.Triple]) -> Consistency:
    """Load the triples into a fresh owlready2 world and run HermiT over them.

    :param triples: an ontology, optionally with instance data.
    :raises ReasonerUnavailable: if Java is missing.
    """
    if not java_available():
        raise ReasonerUnavailable(
            "the OWL reasoner (HermiT) needs Java, which is not installed",
            hint="install a Java runtime, e.g. 'apt-get install default-jre-headless'",
        )
    world = owlready2.World()
    data = ox.serialize(list(triples), format=_FORMAT)
    assert data is not None  # without an output file, serialize returns the bytes
    onto = world.get_ontology("urn:annograph:check").load(fileobj=io.BytesIO(data), format="rdfxml")
    try:
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as error:
        return Consistency(False, (), explanation=str(error).strip() or None)
    unsatisfiable = tuple(sorted(cls.iri for cls in world.inconsistent_classes()))
    return Consistency(not unsatisfiable, unsatisfiable)
