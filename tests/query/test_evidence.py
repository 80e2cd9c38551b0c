"""`annograph why`: every fact about an entity, with the quotes behind it, for every entity."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph import Project
from annograph.cli import cli
from annograph.query._evidence import EntityNotFound, Explanation
from tests.conftest import FIXTURE

#: Each article's text, by slug: a quote's offsets are into the text of its own article.
TEXTS = {
    path.parent.name: path.read_bytes().decode("utf-8")
    for path in (FIXTURE / "data" / "articles").glob("*/article.md")
}
BISHKEK = "https://w3id.org/annograph/data/id/bishkek"


@pytest.mark.parametrize(
    "name", ["bishkek", "id:bishkek", BISHKEK, f"<{BISHKEK}>", "Бишкек", "бИШКЕК", "Bishkek"]
)
def test_an_entity_is_found_by_id_curie_iri_or_any_name(built: Project, name: str) -> None:
    assert built.why(name).entity.value == BISHKEK


@pytest.mark.slow
def test_every_fact_of_every_entity_has_quotes_and_links_have_none(built: Project) -> None:
    ids = {entity.id for article in built.load_articles() for entity in article.entities}
    # Entities each article annotates (shared ones it mentions included): 157 mentions of 148.
    assert {a.slug: len(a.entities) for a in built.load_articles()} == {
        "bishkek-migrants-day": 81,
        "cholpon-ata-round-table": 36,
        "remittances-report-launch": 40,
    }
    assert len(ids) == 148
    for entity_id in sorted(ids):
        explanation = built.why(entity_id)
        assert explanation.types, entity_id
        for fact in explanation.facts:
            assert bool(fact.quotes) != fact.is_link, (entity_id, fact)
            for quote in fact.quotes:
                slug = quote.source.rsplit("/article/", 1)[1]
                assert TEXTS[slug][quote.start : quote.end] == quote.exact


def test_facts_in_and_out_with_their_quotes(built: Project) -> None:
    facts = {
        (fact.incoming, fact.predicate.value.rsplit("#", 1)[-1], str(fact.object)): fact
        for fact in built.why("bishkek").facts
    }
    # Two events and an office are in Bishkek, each with its own article's words.
    locations = {
        (fact.subject.value.rsplit("/", 1)[1], tuple(q.exact for q in fact.quotes))
        for fact in built.why("bishkek").facts
        if fact.incoming and fact.predicate.value.endswith("#location")
    }
    assert locations == {
        ("conference", ("В Бишкеке прошла конференция",)),
        ("remittances-report-presentation", ("attended the presentation in Bishkek",)),
        ("rlri-bishkek-office", ("the Bishkek office",)),
    }
    (city,) = built.why("bishkek").types
    assert city.value.endswith("#City")
    mention = next(f for (incoming, p, _), f in facts.items() if not incoming and p == "type")
    assert all(q.mention for q in mention.quotes)


def test_unknown_name_suggests_the_closest(built: Project) -> None:
    with pytest.raises(EntityNotFound) as caught:
        built.why("Бишкекк")
    assert caught.value.hint == "did you mean 'Бишкек'?"


def test_a_name_cannot_inject_sparql(built: Project) -> None:
    with pytest.raises(EntityNotFound, match="no entity"):
        built.why('Бишкек" } UNION { ?s ?p ?o } #')


def test_why_command_prints_quotes_with_positions(runner: CliRunner, built: Project) -> None:
    result = runner.invoke(cli, ["why", "--store", str(built.store), "Бишкек"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "id:bishkek  Bishkek@en · Бишкек@ru"
    assert "  ← conference dedicated to International Migrants Day ag:location" in lines
    start = TEXTS["bishkek-migrants-day"].index("В Бишкеке прошла конференция")
    end = start + len("В Бишкеке прошла конференция")
    assert (
        f"      “В Бишкеке прошла конференция”  [{start}:{end}] article:bishkek-migrants-day"
        in lines
    )


def test_why_command_unknown_entity_is_a_clean_error(runner: CliRunner, built: Project) -> None:
    result = runner.invoke(cli, ["why", "--store", str(built.store), "Atlantis"])
    assert result.exit_code == 1
    assert result.output.startswith("error: no entity with the id, IRI or name 'Atlantis'")
    assert "Traceback" not in result.output


def test_curated_links_are_shown_as_such(runner: CliRunner, built: Project) -> None:
    result = runner.invoke(cli, ["why", "--store", str(built.store), "bishkek"])
    lines = result.output.splitlines()
    at = lines.index("  owl:sameAs wd:Q9361")
    assert lines[at + 1] == "      (curated identity link)"
    assert "  owl:sameAs <https://sws.geonames.org/1528675/>" in lines


@pytest.mark.slow
def test_why_shows_control_and_bidi_characters_as_escapes(
    runner: CliRunner, project_copy: Project
) -> None:
    """A name with U+202E (right-to-left override) or NUL must not reach the terminal raw."""
    # Batken: only the Bishkek article names it (Bishkek's English name is in three articles).
    path = project_copy.data / "articles" / "bishkek-migrants-day" / "annotations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("      en: Batken\n", '      en: "Batken\\u202Enektab\\0\\e[31m"\n', 1),
        encoding="utf-8",
    )
    project_copy.build()
    result = runner.invoke(cli, ["why", "--project", str(project_copy.root), "batken"])
    assert result.exit_code == 0, result.output
    assert "Batken\\u202enektab\\u0000\\u001b[31m" in result.output
    assert not any(c in result.output for c in ("\u202e", "\x00", "\x1b"))


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "en",
            [
                "  ag:about migrants' rights",
                "  ag:dedicatedTo International Migrants Day",
                "  ag:location Batken",
            ],
        ),
        (
            "ru",
            [
                "  ag:about права мигрантов",
                "  ag:dedicatedTo Международный день мигранта",
                "  ag:location Баткен",
            ],
        ),
    ],
)
def test_why_names_what_the_facts_link_to_in_the_language_asked(
    runner: CliRunner, built: Project, lang: str, lines: list[str]
) -> None:
    args = ["why", "--store", str(built.store), "flash-mob-batken", "--lang", lang]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    shown = result.output.splitlines()
    assert [line for line in shown if line in lines] == lines
    # The telebridge has no name: it is shown by its id.
    assert "  ← id:partner-telebridge ag:showsEvent" in shown
    assert not any("id:migrants-rights" in line or "id:batken" in line for line in shown)


def test_why_marks_curators_notes_as_notes(runner: CliRunner, built: Project) -> None:
    result = runner.invoke(cli, ["why", "--store", str(built.store), "flash-mob-batken"])
    lines = result.output.splitlines()
    # The entity's own note, under its names.
    assert lines[1] == "  note: See flash-mob-belovodskoye."
    # A fact's note, under the quote it is about.
    at = lines.index("  ← id:partner-telebridge ag:showsEvent")
    assert lines[at + 1].startswith("      “Так в с. Беловодское")
    assert lines[at + 2 : at + 4] == [
        '      note: "Так" introduces the flash mobs as examples of the partner events shared '
        "over the",
        "            telebridge.",
    ]


def test_a_name_falls_back_to_another_language_then_to_nothing() -> None:
    node = ox.NamedNode(BISHKEK)
    explanation = Explanation(node, (), (), names={node: (ox.Literal("Бишкек", language="ru"),)})
    assert explanation.name_of(node, "en") == explanation.name_of(node, "ru") == "Бишкек"
    assert explanation.name_of(ox.NamedNode(BISHKEK + "-x"), "en") is None
