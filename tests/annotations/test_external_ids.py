"""External identifiers in identity links: read strictly; a malformed one reported where it is."""

from __future__ import annotations

import pytest

from annograph import Project
from annograph.annotations._reader import external_iri
from annograph.errors import AnnotationErrors


@pytest.mark.parametrize(
    ("written", "iri"),
    [
        ("wd:Q9361", "http://www.wikidata.org/entity/Q9361"),
        ("http://www.wikidata.org/entity/Q9361", "http://www.wikidata.org/entity/Q9361"),
        ("gn:1528675/", "https://sws.geonames.org/1528675/"),
        ("gn:1528675", "https://sws.geonames.org/1528675/"),
        ("<https://sws.geonames.org/1528675/>", "https://sws.geonames.org/1528675/"),
        ("https://example.org/x", "https://example.org/x"),
        ("wd:9361", None),
        ("gn:Bishkek", None),
        ("Q9361", None),
        ("https://example.org/a b", None),
    ],
)
def test_external_identifiers_are_read_strictly(written: str, iri: str | None) -> None:
    assert external_iri(written) == iri


def test_a_malformed_link_is_reported_at_its_place(project_copy: Project) -> None:
    path = project_copy.root / "data/entities/places.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("sameAs: [wd:Q9361, gn:1528675/]", "sameAs: [wd:Q9361, Bishkek]"),
        encoding="utf-8",
    )
    line = next(
        n
        for n, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "Bishkek]" in row
    )
    with pytest.raises(AnnotationErrors) as caught:
        project_copy.validate()
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:{line}:24: error: 'Bishkek' is not an external identifier\n"
        "  hint: write wd:Q… (Wikidata), gn:…/ (GeoNames) or a full http(s) IRI"
    ]
