"""The terms the query editor of ``annograph serve`` completes, read from the served store."""

from __future__ import annotations

import pyoxigraph as ox

from annograph import Project
from annograph.serve._vocabulary import editor_vocabulary

AG = "https://w3id.org/annograph/ontology#"


def test_the_vocabulary_is_the_ontology_s_classes_and_properties(
    store: ox.Store, built: Project
) -> None:
    vocabulary = editor_vocabulary(store)
    ontology = built.load_ontology()
    assert {AG + name for name in ontology.classes} <= set(vocabulary.classes)
    assert {AG + name for name in ontology.properties} <= set(vocabulary.properties)
    assert not set(vocabulary.classes) & set(vocabulary.properties)
    assert list(vocabulary.classes) == sorted(vocabulary.classes)
    # Entities of the data are not vocabulary, even where the data types them.
    assert not any("/data/id/" in iri for iri in vocabulary.classes + vocabulary.properties)
