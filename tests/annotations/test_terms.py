"""``annograph vocab``: the names annotations take, read from the ontology, with examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from annograph import Project
from annograph._lexical import LEXICAL_EXAMPLES, LEXICAL_HINTS, is_valid_lexical
from annograph.annotations._ontology import NAMESPACE, parse_turtle
from annograph.annotations._terms import render_term, render_vocabulary, shape_ranges
from annograph.cli import cli
from annograph.errors import AnnographError
from tests.conftest import ARTICLE, FIXTURE, ROOT

ANNOTATIONS = "data/articles/bishkek-migrants-day/annotations.yaml"


def _vocab(runner: CliRunner, project: Project, *args: str) -> str:
    result = runner.invoke(cli, ["vocab", "--project", str(project.root), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _row(output: str, heading: str) -> str:
    """The text of one row of a term's entry, its wrapped lines joined."""
    lines = output.splitlines()
    width = lines[1].index(lines[1].split()[1], len("  write"))
    for number, line in enumerate(lines):
        if line[:width].strip() == heading:
            rest = [line[width:]]
            for more in lines[number + 1 :]:
                if more[:width].strip():
                    break
                rest.append(more[width:])
            return " ".join(rest)
    raise AssertionError(f"no row {heading!r} in:\n{output}")


# -- the list -------------------------------------------------------------------------------------


def test_the_list_has_every_class_property_and_concept(runner: CliRunner, project: Project) -> None:
    output = _vocab(runner, project)
    ontology = project.load_ontology()
    names = ontology.classes | set(ontology.properties) | ontology.individuals
    listed = [line.split()[0] for line in output.splitlines() if line.startswith("    ")]
    assert sorted(listed) == sorted(names)
    assert output.splitlines()[0] == (
        f"{len(ontology.classes)} classes, {len(ontology.properties)} properties, "
        f"{len(ontology.individuals)} concepts; 'annograph vocab NAME' shows one in full"
    )


def test_the_list_groups_and_aligns(runner: CliRunner, project: Project) -> None:
    lines = _vocab(runner, project).splitlines()
    assert "CLASSES: give one as 'type: Name'" in lines
    assert "  Place" in lines and "  Agent" in lines  # classes by their top class
    city = next(line for line in lines if line.startswith("    City "))
    assert re.fullmatch(r"    City +city or town +A city or town \(Russian 'г.'\)\.", city)
    # A property's row says what it applies to and what it takes, here from a shape.
    represents = next(line for line in lines if line.startswith("    represents "))
    assert re.match(
        r"    represents +represents +Agent → Agent or Place +The organization", represents
    )
    assert "  object — a reference to an entity or a concept: {ref: ID, quote: ...}" in lines
    assert "CONCEPTS: refer to one as 'ref: ag:name'" in lines
    units = lines.index("  Unit")
    assert lines[units + 1].split()[:3] == ["persons", "persons", "A"]
    # Piped, the summaries are whole; the columns line up.
    starts = {line.index("city or town") for line in lines if line.startswith("    City ")}
    assert starts == {next(line for line in lines if line.startswith("    Agent ")).index("agent")}


def test_a_terminal_gets_summaries_cut_to_its_width(project: Project) -> None:
    vocabulary = project.vocabulary()
    text = render_vocabulary(vocabulary, width=120)
    assert max(len(line) for line in text.splitlines()) <= 120
    assert any(line.endswith("…") for line in text.splitlines())
    assert max(len(line) for line in render_vocabulary(vocabulary).splitlines()) > 120


def test_the_list_as_markdown_is_a_table_per_group(runner: CliRunner, project: Project) -> None:
    lines = _vocab(runner, project, "--format", "markdown").splitlines()
    assert lines[:2] == ["## Classes", ""]
    place = lines.index("### Place")
    assert lines[place + 2 : place + 5] == [
        "| YAML name | label | definition |",
        "|---|---|---|",
        "| `Place` | place | A geographical place: country, region, district, city, village, or a "
        "group of places. |",
    ]
    assert "| `City` | city or town | A city or town (Russian 'г.'). |" in lines
    assert "| YAML name | label | applies to → takes | definition |" in lines
    assert (
        "| `attendee` | attendee | Event → Agent | Who took part in or attended the event: a "
        "person, an organization, or a group of people (ag:PersonGroup) such as 'officials from "
        "four states'. |" in lines
    )


def test_the_list_as_json(runner: CliRunner, project: Project) -> None:
    listed = json.loads(_vocab(runner, project, "--format", "json"))
    ontology = project.load_ontology()
    assert sorted(listed) == ["classes", "concepts", "properties"]
    assert {item["name"] for item in listed["classes"]} == set(ontology.classes)
    assert {item["name"] for item in listed["properties"]} == set(ontology.properties)
    assert {item["name"] for item in listed["concepts"]} == set(ontology.individuals)
    (attendee,) = [item for item in listed["properties"] if item["name"] == "attendee"]
    assert attendee == {
        "name": "attendee",
        "iri": NAMESPACE + "attendee",
        "group": "object",
        "label": "attendee",
        "summary": "Who took part in or attended the event: a person, an organization, or a "
        "group of people (ag:PersonGroup) such as 'officials from four states'.",
        "domain": "Event",
        "range": "Agent",
    }
    (percent,) = [item for item in listed["concepts"] if item["name"] == "percent"]
    assert percent["group"] == "Unit" and percent["label"] == "percent"


def test_the_output_file(runner: CliRunner, project: Project, tmp_path: Path) -> None:
    target = tmp_path / "vocabulary.md"
    result = runner.invoke(
        cli, ["vocab", "--project", str(project.root), "-f", "markdown", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8").startswith("## Classes\n")


# -- one term ------------------------------------------------------------------------------------


def test_attendee(runner: CliRunner, project: Project) -> None:
    output = _vocab(runner, project, "attendee")
    assert output.splitlines()[0] == "attendee  (property, ag:attendee)"
    assert _row(output, "write") == "attendee: {ref: ID, quote: ...}"
    assert _row(output, "labels") == "attendee (en); участник (ru)"
    assert _row(output, "also called") == "participant, took part (en)"
    assert _row(output, "kind") == "object: a reference, 'ref:'"
    assert _row(output, "applies to") == "Event (and its subclasses)"
    assert _row(output, "takes") == "Agent (agent)"
    assert _row(output, "aligned to") == "schema:attendee"
    allowed = _row(output, "allowed").split(", ")
    assert allowed[:4] == ["Agent", "Person", "Organization", "PersonGroup"]
    assert "NGO" in allowed and "Place" not in allowed


@pytest.mark.parametrize(
    "name", ["participant", "Attendee", "ag:attendee", NAMESPACE + "attendee", "участник"]
)
def test_a_term_by_label_case_curie_or_iri(runner: CliRunner, project: Project, name: str) -> None:
    assert _vocab(runner, project, name) == _vocab(runner, project, "attendee")


def test_represents_takes_what_the_shape_allows(runner: CliRunner, project: Project) -> None:
    output = _vocab(runner, project, "represents")
    assert _row(output, "takes") == (
        "an agent or a place: Agent or Place (a shape in ontology/shapes.ttl)"
    )
    assert _row(output, "applies to") == "Agent (and its subclasses)"
    assert "Country" in _row(output, "allowed").split(", ")
    shapes = shape_ranges(parse_turtle(ROOT / "ontology" / "shapes.ttl"))
    assert shapes == {name: ("Agent", "Place") for name in ("represents", "recipient", "party")}


def test_without_the_shape_a_property_takes_anything(
    runner: CliRunner, project_copy: Project
) -> None:
    shapes = project_copy.root / "ontology" / "shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    shapes.write_text(
        text.replace("sh:or ( [ sh:class ag:Agent ] [ sh:class ag:Place ] ) ;", ""),
        encoding="utf-8",
    )
    output = _vocab(runner, project_copy, "represents")
    assert _row(output, "takes") == "any entity or concept"
    assert "  allowed" not in output


def test_a_class_with_its_place_and_properties(runner: CliRunner, project: Project) -> None:
    output = _vocab(runner, project, "Conference")
    assert _row(output, "write") == "type: Conference"
    assert _row(output, "subclass of") == "Event"
    # Its own (none) and its superclass's: attendee and organizer have the domain Event.
    properties = _row(output, "properties").split(", ")
    assert {"attendee", "organizer", "subEvent"} <= set(properties)
    assert _row(output, "aligned to") == "none of its own; see Event"
    ontology = project.load_ontology()
    general = sorted((p.name for p in ontology.properties.values() if not p.domain), key=str.lower)
    assert _row(output, "and any entity's").split(", ") == general
    agent = _vocab(runner, project, "Agent")
    assert _row(agent, "subclasses") == "Person, Organization, PersonGroup, OrganizationGroup"
    assert _row(agent, "aligned to") == "prov:Agent"


def test_a_datatype_property_gives_a_valid_example_value(
    runner: CliRunner, project: Project
) -> None:
    output = _vocab(runner, project, "startDate")
    assert _row(output, "write") == "startDate: {value: 2023-12-18, quote: ...}"
    assert _row(output, "takes") == "xsd:date, e.g. 2023-12-18"
    assert _row(output, "kind") == "datatype: a value, 'value:'"
    name = _vocab(runner, project, "name")
    assert _row(name, "takes") == "text in one or more languages (rdf:langString)"
    assert _row(name, "applies to") == "any entity"


def test_every_example_value_is_valid() -> None:
    assert sorted(LEXICAL_EXAMPLES) == sorted(LEXICAL_HINTS)  # one for each checked datatype
    assert [dt for dt, value in LEXICAL_EXAMPLES.items() if not is_valid_lexical(value, dt)] == []


def test_a_concept(runner: CliRunner, project: Project) -> None:
    output = _vocab(runner, project, "percent")
    assert output.splitlines()[0] == "percent  (concept, ag:percent)"
    assert _row(output, "write") == "ref: ag:percent"
    assert _row(output, "concept of") == "Unit"
    assert _row(output, "value of") == "unit"
    assert _row(_vocab(runner, project, "unit"), "write") == "unit: {ref: ag:persons, quote: ...}"


# -- examples ------------------------------------------------------------------------------------


def _first_line(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line == text)


def test_the_example_is_the_first_use_in_the_annotations(
    runner: CliRunner, project: Project
) -> None:
    output = _vocab(runner, project, "organizer")
    line = _first_line(ARTICLE / "annotations.yaml", "    organizer:")
    example = output.splitlines()[-4:]
    assert example[0] == f"  example     {ANNOTATIONS}:{line}"
    assert example[1:3] == [
        "                organizer:",
        "                  ref: [tian-shan-analytical-centre, centre-for-public-technologies]",
    ]
    assert example[3].startswith("                  quote: Организаторами мероприятия")


def test_a_class_example_shows_the_entity_and_its_type(runner: CliRunner, project: Project) -> None:
    output = _vocab(runner, project, "Conference")
    line = _first_line(ARTICLE / "annotations.yaml", "    type: Conference")
    assert output.splitlines()[-3:] == [
        f"  example           {ANNOTATIONS}:{line}",
        "                      conference:",
        "                        type: Conference",
    ]
    # A class only the shared entities use: its example is from data/entities/.
    city = _vocab(runner, project, "City")
    line = _first_line(FIXTURE / "data" / "entities" / "places.yaml", "    type: City")
    assert f"data/entities/places.yaml:{line}" in city


def test_a_concept_example_is_the_fact_that_refers_to_it(
    runner: CliRunner, project: Project
) -> None:
    output = _vocab(runner, project, "FinancialSupport")
    line = _first_line(ARTICLE / "annotations.yaml", "      ref: ag:FinancialSupport")
    lines = output.splitlines()
    assert lines[-4] == f"  example     {ANNOTATIONS}:{line}"
    assert lines[-3:-1] == [
        "                supportKind:",
        "                  ref: ag:FinancialSupport",
    ]


def test_a_long_fact_is_cut(project: Project) -> None:
    example = project.lookup_term("subEvent").example
    assert example is not None and example.location is not None
    shown = example.text.splitlines()
    assert shown[0] == "subEvent:" and shown[-1] == "…" and len(shown) == 7


def test_an_unused_term_has_no_example(runner: CliRunner, project: Project) -> None:
    output = _vocab(runner, project, "Campaign")
    assert output.splitlines()[-1] == "  example           none yet"


def test_the_ontologys_example_comes_first(runner: CliRunner, project_copy: Project) -> None:
    ontology = project_copy.root / "ontology" / "annograph.ttl"
    text = ontology.read_text(encoding="utf-8")
    given = 'skos:example "organizer: {ref: iom, quote: МОМ провела}" ;\n'
    ontology.write_text(
        text.replace(
            "ag:organizer a owl:ObjectProperty ;\n",
            "ag:organizer a owl:ObjectProperty ;\n    " + given,
        ),
        encoding="utf-8",
    )
    output = _vocab(runner, project_copy, "organizer")
    assert output.splitlines()[-2:] == [
        "  example     the ontology's skos:example",
        "                organizer: {ref: iom, quote: МОМ провела}",
    ]


# -- json ----------------------------------------------------------------------------------------


def _documented_keys() -> list[str]:
    """The keys render_term's docstring documents for its JSON."""
    doc = render_term.__doc__ or ""
    return re.findall(r"^        ([a-z_]+) ", doc.split("::", 1)[1], flags=re.MULTILINE)


def test_a_term_as_json_has_the_documented_keys(runner: CliRunner, project: Project) -> None:
    keys = _documented_keys()
    assert len(keys) == 17
    for name in ("attendee", "City", "percent", "startDate"):
        entry = json.loads(_vocab(runner, project, name, "--format", "json"))
        assert list(entry) == keys, name
    attendee = json.loads(_vocab(runner, project, "participant", "-f", "json"))
    assert attendee["name"] == "attendee" and attendee["kind"] == "property"
    assert attendee["domain"] == "Event" and attendee["alignment"] == ["schema:attendee"]
    assert attendee["alt_labels"] == {"en": ["participant", "took part"]}
    assert attendee["range"]["classes"] == ["Agent"] and not attendee["range"]["by_shape"]
    organizer = json.loads(_vocab(runner, project, "organizer", "-f", "json"))
    line = _first_line(ARTICLE / "annotations.yaml", "    organizer:")
    assert organizer["example"]["path"] == ANNOTATIONS and organizer["example"]["line"] == line
    represents = json.loads(_vocab(runner, project, "represents", "-f", "json"))
    assert represents["range"]["classes"] == ["Agent", "Place"] and represents["range"]["by_shape"]


def test_a_term_as_markdown(runner: CliRunner, project: Project) -> None:
    lines = _vocab(runner, project, "organizer", "--format", "markdown").splitlines()
    assert lines[:5] == [
        "## `organizer` (property, `ag:organizer`)",
        "",
        "|  |  |",
        "|---|---|",
        "| write | `organizer: {ref: ID, quote: ...}` |",
    ]
    assert "| takes | Agent (agent) |" in lines
    line = _first_line(ARTICLE / "annotations.yaml", "    organizer:")
    assert f"Example ({ANNOTATIONS}:{line}):" in lines
    assert lines[lines.index("```yaml") + 1] == "organizer:"


# -- errors --------------------------------------------------------------------------------------


def test_an_unknown_term_names_the_closest(runner: CliRunner, project: Project) -> None:
    result = runner.invoke(cli, ["vocab", "--project", str(project.root), "atendee"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no class, property or concept 'atendee' in the ontology\n"
        "  hint: did you mean 'attendee' or 'locationCreated'? "
        "(run 'annograph vocab' for the full list)\n"
    )
    result = runner.invoke(cli, ["vocab", "--project", str(project.root), "Organisation"])
    assert result.stderr.splitlines()[1] == (
        "  hint: did you mean 'Organization' or 'OrganizationGroup'? "
        "(run 'annograph vocab' for the full list)"
    )
    # A close label suggests its term's YAML name: 'participant' is a label of 'attendee'.
    result = runner.invoke(cli, ["vocab", "--project", str(project.root), "participnt"])
    assert result.stderr.splitlines()[1].startswith("  hint: did you mean 'attendee', ")
    result = runner.invoke(cli, ["vocab", "--project", str(project.root), "xyzzy"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == "  hint: run 'annograph vocab' for the full list"


def test_a_name_of_two_terms_asks_which(runner: CliRunner, project: Project) -> None:
    result = runner.invoke(cli, ["vocab", "--project", str(project.root), "ROLE"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: 'ROLE' names 2 terms: Role (class), role (property)\n"
        "  hint: give the YAML name, e.g. 'annograph vocab Role' or 'annograph vocab role'\n"
    )
    # Written with its case, each is found.
    assert _vocab(runner, project, "Role").startswith("Role  (class, ag:Role)\n")
    assert _vocab(runner, project, "role").startswith("role  (property, ag:role)\n")


# -- the library ---------------------------------------------------------------------------------


def test_the_vocabulary_needs_no_store(project_copy: Project) -> None:
    assert not project_copy.store.exists()
    vocabulary = project_copy.vocabulary()
    assert vocabulary.get("Person") is not None and vocabulary.get("Person").group == "Agent"
    assert project_copy.lookup_term("city or town").name == "City"
    with pytest.raises(AnnographError, match="no class, property or concept 'Town'"):
        project_copy.lookup_term("Town")


def test_every_term_has_a_label_and_a_definition(project: Project) -> None:
    vocabulary = project.vocabulary()
    assert [t.name for t in vocabulary.terms if not t.label() or not t.definition] == []
    text = render_term(project.lookup_term("Agent"), vocabulary)
    assert text.splitlines()[0] == "Agent  (class, ag:Agent)"
