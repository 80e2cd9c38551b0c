"""Entities shared by articles: defined once in data/entities/, mentioned by each article."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from annograph import Project
from tests.conftest import (
    SEMINAR_ENTITIES,
    SEMINAR_HEADER,
    SEMINAR_TEXT,
    select,
    validation_problems,
)

ANNOTATIONS = SEMINAR_HEADER + SEMINAR_ENTITIES
ID = "https://w3id.org/annograph/data/id/"
AG = "https://w3id.org/annograph/ontology#"


def _add_article(project: Project, annotations: str = ANNOTATIONS, slug: str = "seminar") -> Path:
    directory = project.root / "data" / "articles" / slug
    directory.mkdir()
    (directory / "article.md").write_text(SEMINAR_TEXT, encoding="utf-8")
    path = directory / "annotations.yaml"
    path.write_text(annotations, encoding="utf-8")
    return path


def _line(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def test_a_shared_entity_has_one_iri_and_an_evidence_trail_per_article(
    project_copy: Project,
) -> None:
    _add_article(project_copy)
    project_copy.build()
    opened = ox.Store.read_only(str(project_copy.store))
    # Both articles mention IOM and Bishkek (the remittances article mentions Bishkek too); no
    # second IRI was made for either.
    mentions = select(
        opened,
        f"SELECT ?article ?entity WHERE {{ ?article <{AG}mentions> ?entity "
        f"FILTER(?entity IN (<{ID}iom>, <{ID}bishkek>)) }}",
    )
    assert {(m["article"].rsplit("/", 1)[1], m["entity"][len(ID) :]) for m in mentions} == {
        ("bishkek-migrants-day", "iom"),
        ("bishkek-migrants-day", "bishkek"),
        ("seminar", "iom"),
        ("seminar", "bishkek"),
        ("cholpon-ata-round-table", "bishkek"),
        ("remittances-report-launch", "bishkek"),
    }
    assert not select(
        opened, f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{ID}iom-2')) }}"
    )
    # The same fact, stated by both articles, has two evidence trails: one quote in each.
    trails = select(
        opened,
        f"""PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?source ?exact WHERE {{ GRAPH ?graph {{
          ?statement rdf:subject <{ID}iom> ; rdf:predicate <{AG}name> ;
            rdf:object "Международная организация по миграции"@ru .
          ?annotation oa:hasBody ?statement ; oa:hasTarget ?target .
          ?target oa:hasSource ?source ; oa:hasSelector/oa:exact ?exact .
        }} }}""",
    )
    by_source = {row["source"].rsplit("/", 1)[1]: row["exact"] for row in trails}
    assert by_source == {
        "bishkek-migrants-day": "Международной организации по миграции (МОМ)",
        "seminar": "Международная организация по миграции",
    }
    # Its class comes from data/entities/, and each article's mention supports it.
    typed = select(
        opened,
        f"""PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?source WHERE {{ GRAPH ?graph {{
          ?statement rdf:subject <{ID}iom> ; rdf:predicate rdf:type ;
            rdf:object <{AG}InternationalOrganization> .
          ?annotation oa:hasBody ?statement ; oa:hasTarget/oa:hasSource ?source .
        }} }}""",
    )
    assert len({row["source"] for row in typed}) == 2
    # Its identity links are said once, in the shared graph.
    links = select(
        opened,
        f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ID}iom> <http://www.w3.org/2002/07/owl#sameAs> ?x }} }}",
    )
    assert [row["g"] for row in links] == ["https://w3id.org/annograph/data/entities"]


def test_an_article_that_redefines_a_shared_entity_is_an_error(project_copy: Project) -> None:
    redefined = ANNOTATIONS.replace(
        "  bishkek:\n    quote:",
        "  bishkek:\n    type: City\n    sameAs: [gn:1528675/]\n    quote:",
    )
    path = _add_article(project_copy, redefined)
    problems = validation_problems(project_copy)
    places = project_copy.root / "data" / "entities" / "places.yaml"
    where = f"{places}:{_line(places, '  bishkek:')}:3"
    assert [str(p) for p in problems] == [
        f"{path}:{_line(path, 'type: City')}:5: error: 'bishkek' is a shared entity ({where}): "
        f"an article does not redefine its 'type'\n"
        f"  hint: drop 'type:' here; to change it, edit {places}",
        f"{path}:{_line(path, 'sameAs:')}:5: error: 'bishkek' is a shared entity ({where}): "
        f"an article does not redefine its 'sameAs'\n"
        f"  hint: drop 'sameAs:' here; to change it, edit {places}",
    ]


def test_one_id_defined_in_two_articles_points_to_data_entities(project_copy: Project) -> None:
    # 'conference' is the first article's own entity, not a shared one.
    twice = ANNOTATIONS.replace("  seminar:\n", "  conference:\n")
    path = _add_article(project_copy, twice)
    problems = validation_problems(project_copy)
    assert len(problems) == 1
    assert str(problems[0].location) == f"{path}:{_line(path, '  conference:')}:3"
    assert "entity id 'conference' is already used in" in problems[0].message
    assert problems[0].hint is not None and "define it once in data/entities/" in problems[0].hint


def test_a_reference_to_a_shared_entity_the_article_does_not_mention(
    project_copy: Project,
) -> None:
    unmentioned = ANNOTATIONS.replace("  bishkek:\n    quote: в Бишкеке\n", "")
    path = _add_article(project_copy, unmentioned)
    problems = validation_problems(project_copy)
    assert [(p.message, p.hint, p.location.line if p.location else None) for p in problems] == [
        (
            "'bishkek' is a shared entity that this article does not mention",
            "add 'bishkek:' under 'entities:' with the 'quote:' that mentions it",
            _line(path, "ref: bishkek"),
        )
    ]


@pytest.mark.slow
def test_near_duplicates_and_unmentioned_shared_entities_are_warnings(
    project_copy: Project,
) -> None:
    # A second id for IOM: the same name but for case, and the same class.
    near = ANNOTATIONS + (
        "  iom-again:\n"
        "    type: InternationalOrganization\n"
        "    quote: (МОМ)\n"
        "    name:\n"
        "      ru: Международная Организация по Миграции\n"
        "      quote: Международная организация по миграции (МОМ)\n"
    )
    path = _add_article(project_copy, near)
    people = project_copy.root / "data" / "entities" / "people.yaml"
    with people.open("a", encoding="utf-8") as file:
        file.write("\n  nobody-yet:\n    type: Person\n")
    validation = project_copy.validate()
    first = project_copy.root / "data/articles/bishkek-migrants-day/annotations.yaml"
    assert [(str(w.location), w.message, w.hint) for w in validation.warnings] == [
        (
            f"{people}:{_line(people, 'nobody-yet')}:3",
            "shared entity 'nobody-yet' is mentioned by no article: the graph leaves it out",
            "mention it from an article (its id, a 'quote:' and facts), or remove it",
        ),
        (
            f"{path}:{_line(path, '  iom-again:')}:3",
            "'iom-again' has the same name ('Международная Организация по Миграции') and class "
            f"as 'iom' ({first}:{_line(first, '  iom:')}:3): are they one entity?",
            "if so, define it once in data/entities/ and use one id",
        ),
    ]
    # Warnings do not stop a build, and the unmentioned entity stays out of the graph.
    project_copy.build()
    opened = ox.Store.read_only(str(project_copy.store))
    assert not list(opened.quads_for_pattern(ox.NamedNode(ID + "nobody-yet"), None, None))


@pytest.mark.parametrize(
    ("key", "value"),
    [("name", "{ru: Бишкек}"), ("quote", "В Бишкеке"), ("location", "{ref: kyrgyzstan}")],
)
def test_a_shared_entity_holds_no_facts_or_quotes(
    project_copy: Project, key: str, value: str
) -> None:
    places = project_copy.root / "data" / "entities" / "places.yaml"
    text = places.read_text(encoding="utf-8")
    places.write_text(
        text.replace(
            "  bishkek:\n    type: City\n", f"  bishkek:\n    type: City\n    {key}: {value}\n"
        ),
        encoding="utf-8",
    )
    problems = validation_problems(project_copy)
    assert len(problems) == 1
    assert problems[0].message == f"unknown key '{key}'"
    assert str(problems[0].location) == f"{places}:{_line(places, f'    {key}:')}:5"
    assert (
        problems[0].hint is not None
        and "belong in the annotations of the articles" in problems[0].hint
    )


@pytest.mark.slow
def test_saved_queries_give_each_row_once_when_two_articles_state_the_same_fact(
    project_copy: Project,
) -> None:
    """Both articles name IOM alike, and both mention IOM and Bishkek.

    pyoxigraph 0.5's union of graphs keeps a triple once per graph that holds it (oxigraph
    issue 1919), and a join over 'mentions' meets each article: saved queries must not show
    a row twice for either reason.
    """
    _add_article(project_copy)
    project_copy.build()
    ran = 0
    for query in project_copy.saved_queries():
        if "federated" in query.tags:
            continue
        for params in ({}, {"entity": ["IOM"]} if query.name == "entity" else {}):
            result = project_copy.run_query(query.name, params)
            assert isinstance(result, ox.QuerySolutions)
            names = [variable.value for variable in result.variables]
            rows = [tuple(str(solution[name]) for name in names) for solution in result]
            assert len(rows) == len(set(rows)), query.name
            ran += 1
    iom = project_copy.run_query("entity", {"entity": ["IOM"]})
    assert isinstance(iom, ox.QuerySolutions)
    quotes = {
        (s["quote"].value, s["start"].value) for s in iom if s["property"].value.endswith("#name")
    }
    # The name fact has one quote from each article.
    assert ("Международная организация по миграции", "0") in quotes
    assert ran >= 12


BRIEFING_TEXT = (
    "Руководитель офиса Международной Организации по миграции в КР Молдобаева Б. Б. "
    "провела брифинг.\n"
)
BRIEFING = """\
format: annograph/1

article:
  language: ru
  headline:
    ru: Брифинг
    quote: брифинг

entities:
  moldobaeva:
    quote: Молдобаева Б. Б.
    holdsPost:
      ref: iom-kyrgyzstan-head
      quote: Руководитель офиса Международной Организации по миграции в КР Молдобаева Б. Б.
  iom-kyrgyzstan-head:
    quote: Руководитель офиса Международной Организации по миграции в КР
    role:
      ref: head
      quote: Руководитель офиса
    postIn:
      ref: iom-kyrgyzstan
      quote: офиса Международной Организации по миграции в КР
  head:
    quote: Руководитель
  iom-kyrgyzstan:
    quote: офиса Международной Организации по миграции в КР
  briefing:
    type: PressConference
    quote: провела брифинг
    speaker:
      ref: moldobaeva
      quote: Молдобаева Б. Б. провела брифинг
"""


@pytest.mark.slow
def test_a_post_and_its_role_are_shared_by_the_articles_that_name_them(
    project_copy: Project,
) -> None:
    # The IOM office's head is one post, however many articles name it: it is defined once in
    # data/entities/, with the role 'head' (shared too), and each article gives its own quotes.
    first = project_copy.root / "data" / "articles" / "bishkek-migrants-day" / "annotations.yaml"
    text = first.read_text(encoding="utf-8")
    assert text.count("  iom-kyrgyzstan-head:\n    type: Post\n") == 1
    first.write_text(
        text.replace("  iom-kyrgyzstan-head:\n    type: Post\n", "  iom-kyrgyzstan-head:\n")
    )
    (project_copy.root / "data" / "entities" / "posts.yaml").write_text(
        "format: annograph/1\n\nentities:\n  iom-kyrgyzstan-head:\n    type: Post\n",
        encoding="utf-8",
    )
    directory = project_copy.root / "data" / "articles" / "briefing"
    directory.mkdir()
    (directory / "article.md").write_text(BRIEFING_TEXT, encoding="utf-8")
    (directory / "annotations.yaml").write_text(BRIEFING, encoding="utf-8")
    assert validation_problems(project_copy) == []
    project_copy.build()
    opened = ox.Store.read_only(str(project_copy.store))
    rows = select(
        opened,
        f"""SELECT DISTINCT ?article ?role ?organization {{
          ?article <{AG}mentions> <{ID}iom-kyrgyzstan-head> .
          <{ID}iom-kyrgyzstan-head> <{AG}role> ?role ; <{AG}postIn> ?organization }}""",
    )
    assert {row["article"].rsplit("/", 1)[-1] for row in rows} == {
        "bishkek-migrants-day",
        "briefing",
    }
    assert {(row["role"], row["organization"]) for row in rows} == {
        (ID + "head", ID + "iom-kyrgyzstan")
    }
