"""Curated identity links: the demo's are only the identifiers verified in docs/external-ids.md
(which annograph init copies with them), and the repository writes GeoNames ids one way.

How an identifier is read, and a malformed one reported: tests/annotations/test_external_ids.py."""

from __future__ import annotations

import re

import pyoxigraph as ox

from annograph.annotations._reader import external_iri
from tests.conftest import ROOT, select

EXTERNAL_IDS = ROOT / "docs" / "external-ids.md"
ROW = re.compile(
    r"^\| (?P<entity>[^|]+) \| (?P<wd>[^|]+) \| (?P<wd_status>[^|]+) \| "
    r"(?P<gn>[^|]+) \| (?P<gn_status>[^|]+) \|$"
)


def _verified_iris() -> set[str]:
    """The Wikidata and GeoNames IRIs that external-ids.md marks verified."""
    iris = set()
    for line in EXTERNAL_IDS.read_text(encoding="utf-8").splitlines():
        row = ROW.match(line.strip())
        if row is None:
            continue
        # Wikidata ids are written as Wikidata writes them (Q813), GeoNames ids as CURIEs.
        for key, prefix, form in (("wd", "wd:", r"Q[0-9]+"), ("gn", "", r"gn:[0-9]+/")):
            value = row[key].strip()
            if row[f"{key}_status"].strip().startswith("verified") and value not in ("—", "-"):
                assert re.fullmatch(form, value), line
                iri = external_iri(prefix + value)
                assert iri is not None, line
                iris.add(iri)
    assert len(iris) > 20
    return iris


def _links(store: ox.Store, predicate: str) -> set[tuple[str, str]]:
    rows = select(store, f"SELECT ?s ?o {{ ?s <{predicate}> ?o }}")
    return {(row["s"], row["o"]) for row in rows}


def test_exactly_the_verified_identifiers_are_asserted(store: ox.Store) -> None:
    owl = _links(store, "http://www.w3.org/2002/07/owl#sameAs")
    assert {target for _, target in owl} == _verified_iris()


def test_every_owl_link_is_mirrored_for_schema_org(store: ox.Store) -> None:
    owl = _links(store, "http://www.w3.org/2002/07/owl#sameAs")
    assert _links(store, "https://schema.org/sameAs") == owl
    assert (
        "https://w3id.org/annograph/data/id/bishkek",
        "https://sws.geonames.org/1528675/",
    ) in owl
    assert (
        "https://w3id.org/annograph/data/id/iom",
        "http://www.wikidata.org/entity/Q472311",
    ) in owl


# Other spellings of a GeoNames id than gn:ID/ and https://sws.geonames.org/ID/.
OTHER_GEONAMES_FORMS = re.compile(
    r"\bgeonames:|http://sws\.geonames\.org|www\.geonames\.org/[0-9]|\bgn:[0-9]+(?![0-9/])"
)


def test_docs_data_and_queries_write_geonames_ids_one_way() -> None:
    files = [
        ROOT / "README.md",
        ROOT / "CHANGELOG.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "data").rglob("*.yaml"),
        *(ROOT / "queries").glob("*.rq"),
    ]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OTHER_GEONAMES_FORMS.search(line)
    ]
    assert found == []
