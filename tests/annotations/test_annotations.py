"""Loading annotations: the real file, and mistakes reported at their exact place."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from annograph import Project
from annograph.annotations._corpus import load_shared_entities
from annograph.annotations._model import Ref, Text
from annograph.annotations._ontology import load_ontology
from annograph.annotations._reader import load_article
from annograph.errors import AnnotationErrors
from tests.conftest import ARTICLE, FIXTURE, ROOT

ONTOLOGY = load_ontology(ROOT / "ontology" / "annograph.ttl")
SHARED = load_shared_entities(FIXTURE / "data", ONTOLOGY)


#: SHA-256 of the article's text as the project was given it: quotes are offsets into it.
SOURCE_SHA256 = "37deda8b99bcba973571c09969fdec149f9d4ab735e0214ac7f909e9a09904d6"


def test_the_article_is_byte_identical_to_the_text_as_given() -> None:
    assert hashlib.sha256((ARTICLE / "article.md").read_bytes()).hexdigest() == SOURCE_SHA256


def test_real_annotations_load_with_evidence_for_everything() -> None:
    article = load_article(ARTICLE, ONTOLOGY, shared=SHARED)
    assert article.slug == "bishkek-migrants-day"
    assert article.language == "ru"
    assert len(article.entities) > 60
    for entity in article.entities:
        assert entity.types, entity.id
        assert entity.mentions, f"{entity.id} has no mention quote"
        for fact in entity.facts:
            assert fact.values and fact.evidence, f"{entity.id}.{fact.prop}"


def test_every_quote_is_verbatim_at_its_offsets() -> None:
    article = load_article(ARTICLE, ONTOLOGY, shared=SHARED)
    evidence = [e for entity in article.entities for e in entity.mentions] + [
        e for entity in article.entities for fact in entity.facts for e in fact.evidence
    ]
    assert len(evidence) > 300
    for quote in evidence:
        assert article.text[quote.start : quote.end] == quote.exact
        assert article.text[: quote.start].endswith(quote.prefix)
        assert article.text[quote.end :].startswith(quote.suffix)


def test_names_carry_language_tags_and_abbreviations_are_alternate_names() -> None:
    article = load_article(ARTICLE, ONTOLOGY, shared=SHARED)
    entity = {e.id: e for e in article.entities}
    tac = {
        (f.prop, v.text)
        for f in entity["tian-shan-analytical-centre"].facts
        for v in f.values
        if isinstance(v, Text)
    }
    assert ("abbreviation", "ТАЦ АУЦА") in tac
    iom = {
        (f.prop, v.language, v.text)
        for f in entity["iom"].facts
        for v in f.values
        if isinstance(v, Text)
    }
    assert ("abbreviation", "ru", "МОМ") in iom
    assert ("name", "en", "International Organization for Migration") in iom
    assert ONTOLOGY.properties["abbreviation"].kind == "datatype"


def test_references_point_to_defined_entities_or_ontology_terms() -> None:
    article = load_article(ARTICLE, ONTOLOGY, shared=SHARED)
    ids = {e.id for e in article.entities}
    refs = [v for e in article.entities for f in e.facts for v in f.values if isinstance(v, Ref)]
    for ref in refs:
        assert ref.target in ids or ref.target.removeprefix("ag:") in ONTOLOGY.individuals


# -- mistakes -------------------------------------------------------------------------------


def _break(project: Project, old: str, new: str, count: int = 1) -> Path:
    path = project.root / "data" / "articles" / "bishkek-migrants-day" / "annotations.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _errors(project: Project) -> list[str]:
    with pytest.raises(AnnotationErrors) as caught:
        project.load_articles()
    return [str(error) for error in caught.value.errors]


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_unknown_class_with_suggestion(project_copy: Project) -> None:
    path = _break(project_copy, "type: Conference", "type: Confrence")
    line = _line_of(path, "type: Confrence")
    assert _errors(project_copy) == [
        f"{path}:{line}:11: error: unknown class 'Confrence'\n  hint: did you mean 'Conference'?"
    ]


def test_unknown_property_with_suggestion(project_copy: Project) -> None:
    path = _break(project_copy, "    organizer:\n", "    organiser:\n")
    line = _line_of(path, "organiser:")
    assert _errors(project_copy) == [
        f"{path}:{line}:5: error: unknown property 'organiser'\n  hint: did you mean 'organizer'?"
    ]


@pytest.mark.parametrize(
    ("old", "new", "error", "hint"),
    [
        # A label or other name of a property suggests the property.
        (
            "    organizer:\n",
            "    participant:\n",
            "unknown property 'participant'",
            "did you mean 'attendee'? ('participant' is one of its labels)",
        ),
        # A label in the article's language too.
        (
            "    organizer:\n",
            "    организатор:\n",
            "unknown property 'организатор'",
            "did you mean 'organizer'? ('организатор' is one of its labels)",
        ),
        # A class written as a key, and a property written as a class, say which they are.
        (
            "    organizer:\n",
            "    Conference:\n",
            "unknown property 'Conference'",
            "did you mean 'Conference'? ('Conference' is a class: write 'type: Conference')",
        ),
        (
            "type: Conference",
            "type: Location",
            "unknown class 'Location'",
            "did you mean 'location'? ('location' is a property: write "
            "'location: {ref: ID, quote: ...}')",
        ),
        # Case does not hide a name.
        (
            "type: Conference",
            "type: conference",
            "unknown class 'conference'",
            "did you mean 'Conference'?",
        ),
        (
            "ref: ag:persons",
            "ref: ag:Persons",
            "unknown term 'ag:Persons'",
            "did you mean 'persons'?",
        ),
        # Nothing close: where the names are listed.
        (
            "    organizer:\n",
            "    xyzzy:\n",
            "unknown property 'xyzzy'",
            "no property of that name: run 'annograph vocab' for the classes, properties and "
            "concepts annotations may use",
        ),
        (
            "type: Conference",
            "type: Xyzzy",
            "unknown class 'Xyzzy'",
            "no class of that name: run 'annograph vocab' for the classes, properties and "
            "concepts annotations may use",
        ),
    ],
)
def test_an_unknown_name_suggests_a_term_by_name_or_label(
    project_copy: Project, old: str, new: str, error: str, hint: str
) -> None:
    path = _break(project_copy, old, new)
    typed = new.strip().removeprefix("type: ").removeprefix("ref: ").rstrip(":")
    line = _line_of(path, new.strip())
    column = path.read_text(encoding="utf-8").splitlines()[line - 1].index(typed) + 1
    assert _errors(project_copy) == [f"{path}:{line}:{column}: error: {error}\n  hint: {hint}"]


def test_quote_not_in_article(project_copy: Project) -> None:
    path = _break(project_copy, "quote: В Бишкеке\n", "quote: В  Бишкеке\n")
    line = _line_of(path, "quote: В  Бишкеке")
    (error,) = _errors(project_copy)
    assert error.startswith(f"{path}:{line}:12: error: quote not found verbatim in the article")
    assert "different spacing" in error


def test_ambiguous_quote_needs_prefix_or_suffix(project_copy: Project) -> None:
    path = _break(
        project_copy, '      - exact: ТАЦ АУЦА\n        suffix: ";"\n', "      - ТАЦ АУЦА\n"
    )
    line = _line_of(path, "      - ТАЦ АУЦА")
    (error,) = _errors(project_copy)
    assert error.startswith(
        f"{path}:{line}:9: error: quote occurs 2 times in the article (lines 15, 16)"
    )


def test_reference_to_unknown_entity(project_copy: Project) -> None:
    path = _break(project_copy, "ref: batken\n", "ref: batkn\n")
    line = _line_of(path, "ref: batkn")
    assert _errors(project_copy) == [
        f"{path}:{line}:12: error: reference to unknown entity 'batkn'\n"
        "  hint: did you mean 'batken'?"
    ]


def test_wrong_number_and_language_tag_all_reported_at_once(project_copy: Project) -> None:
    path = _break(project_copy, "      value: 14000", "      value: 14 000")
    _break(project_copy, "  language: ru", "  language: russian")
    errors = _errors(project_copy)
    assert errors == [
        f"{path}:{_line_of(path, 'language: russian')}:13: "
        "error: 'russian' is not a BCP 47 language tag"
        "\n  hint: e.g. 'ru', 'en', 'ky-Cyrl'",
        f"{path}:{_line_of(path, 'value: 14 000')}:14: error: '14 000' is not a valid xsd:decimal"
        "\n  hint: write digits with an optional '.', no spaces or separators, e.g. 710000",
    ]


def test_duplicate_entity_id(project_copy: Project) -> None:
    path = _break(
        project_copy, "  head:\n    quote: руководитель", "  adviser:\n    quote: руководитель"
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    first, second = [n for n, line in enumerate(lines, start=1) if line == "  adviser:"]
    duplicate = (
        f"{path}:{second}:3: error: duplicate key 'adviser' (first at line {first})\n"
        "  hint: YAML would keep only one of them: merge them, e.g. as a list"
    )
    assert duplicate in _errors(project_copy)


def test_yaml_syntax_error_is_located(project_copy: Project) -> None:
    path = _break(
        project_copy,
        "    ref: [tian-shan-analytical-centre, centre-for-public-technologies]",
        "    ref: [tian-shan-analytical-centre, centre-for-public-technologies",
    )
    (error,) = _errors(project_copy)
    assert error.startswith(f"{path}:")
    assert "YAML syntax error" in error


def test_a_stray_carriage_return_does_not_shift_the_line_numbers(project_copy: Project) -> None:
    """YAML breaks lines at a lone CR too; the error is still shown at the editor's line."""
    broken = "    ref: [tian-shan-analytical-centre, centre-for-public-technologies"
    _break(project_copy, broken + "]", broken)
    path = _break(project_copy, "\n", "\r# a comment after a stray carriage return\n")
    text = path.read_bytes().decode("utf-8")  # read_text would turn the lone CR into a LF
    bracket = text.index(broken) + broken.index("[")
    line, column = text.count("\n", 0, bracket) + 1, bracket - text.rfind("\n", 0, bracket)
    (error,) = _errors(project_copy)
    # The parser notices the unclosed '[' lines later; the error is where the '[' is.
    assert error.startswith(f"{path}:{line}:{column}: error: "), error
    stopped = re.search(r"the parser stopped at line (\d+), column \d+", error)
    assert stopped is not None and int(stopped.group(1)) > line


def test_an_error_at_the_end_of_the_file_is_on_its_last_line(project_copy: Project) -> None:
    path = project_copy.root / "data" / "articles" / "bishkek-migrants-day" / "annotations.yaml"
    text = path.read_bytes().decode("utf-8")
    assert text.endswith("\n")
    path.write_text(text + "unclosed: [\n", encoding="utf-8")
    (error,) = _errors(project_copy)
    # YAML's own mark is past the last newline, on a line the file does not have.
    assert error.startswith(f"{path}:{text.count(chr(10)) + 1}:12: "), error


def test_fact_without_quote(project_copy: Project) -> None:
    path = _break(
        project_copy,
        "    location:\n      ref: bishkek\n      quote: В Бишкеке прошла конференция\n",
        "    location:\n      ref: bishkek\n",
    )
    line = _line_of(path, "ref: bishkek")
    assert _errors(project_copy) == [
        f"{path}:{line}:7: error: 'location' fact has no 'quote:'\n"
        "  hint: quote the words of the article that state it"
    ]
