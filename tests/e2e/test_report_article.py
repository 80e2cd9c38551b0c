"""The third article: the launch of a report on remittances (written for annograph as test
material: invented organizations, people and events, real places).

The built graph answers what the article says: who wrote, presented and funded the report, what
it recommends and to whom, what was said at the presentation, and its figures with their units,
qualifiers, wholes and sources.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pyoxigraph as ox

from tests.conftest import ROOT, select

SLUG = "remittances-report-launch"
ARTICLE = ROOT / "data" / "articles" / SLUG
TEXT = (ARTICLE / "article.md").read_text(encoding="utf-8")
#: SHA-256 of the article's text as the project was given it: quotes are offsets into it.
SOURCE_SHA256 = "db4f8ce8ad809868ca10d0c2f6ad5a67950ea3c366a49654996484787431dfb6"

PREFIXES = f"""\
PREFIX ag: <https://w3id.org/annograph/ontology#>
PREFIX id: <https://w3id.org/annograph/data/id/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX graph: <https://w3id.org/annograph/data/graph/>
PREFIX article: <https://w3id.org/annograph/data/article/>
BASE <https://w3id.org/annograph/data/>
# {SLUG}
"""
AG = "https://w3id.org/annograph/ontology#"
ID = "https://w3id.org/annograph/data/id/"

#: What the report recommends, in the article's words.
RECOMMENDATIONS = {
    "lower the cost of money transfers",
    "support savings products for migrants' families",
    "include returning migrants in local employment programmes",
}
QUOTED = (
    "Remittances are not a development strategy on their own. "
    "Families need safe ways to save and invest them at home"
)


def ask(store: ox.Store, query: str) -> list[dict[str, str]]:
    return select(store, PREFIXES + query)


def local(iri: str) -> str:
    """An IRI of the data or the ontology without its namespace (id:x -> x, ag:y -> y)."""
    return iri.removeprefix(ID).removeprefix(AG)


def test_the_article_is_byte_identical_to_the_text_as_given() -> None:
    assert hashlib.sha256((ARTICLE / "article.md").read_bytes()).hexdigest() == SOURCE_SHA256


def test_the_report_is_written_by_the_two_researchers_and_presented_by_the_institute(
    store: ox.Store,
) -> None:
    rows = ask(
        store,
        """SELECT ?relation ?name {
          VALUES (?property ?relation) { (ag:author "author") (ag:presentedBy "presented by") }
          id:remittances-report ?property ?agent .
          ?agent ag:name ?name FILTER(lang(?name) = "en") }""",
    )
    assert {(r["relation"], r["name"]) for r in rows} == {
        ("author", "Nurlan Asanov"),
        ("author", "Elena Kim"),
        ("presented by", "Institute for Rural Development Studies"),
    }
    (title,) = ask(store, "SELECT ?t { id:remittances-report a ag:Report ; ag:name ?t }")
    assert title["t"] == "Remittances and Rural Households in the Kyrgyz Republic"
    (presented,) = ask(store, "SELECT ?e { ?e ag:presents id:remittances-report }")
    assert local(presented["e"]) == "remittances-report-presentation"


def test_the_researchers_hold_a_post_of_researcher_at_the_institute(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?person ?role ?organization {
          ?person ag:holdsPost ?post . ?post ag:role ?role ; ag:postIn ?organization .
          FILTER(?person IN (id:nurlan-asanov, id:elena-kim)) }""",
    )
    assert {(local(r["person"]), local(r["role"]), local(r["organization"])) for r in rows} == {
        ("nurlan-asanov", "researcher", "institute-for-rural-development-studies"),
        ("elena-kim", "researcher", "institute-for-rural-development-studies"),
    }


def test_the_foundation_funds_the_report_and_supports_the_programme(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?how ?kind ?item {
          VALUES ?how { ag:funder ag:supporter }
          ?funding a ag:Funding ; ?how id:green-valley-foundation ;
            ag:supportKind ?kind ; ag:fundedItem ?item }""",
    )
    assert {(local(r["how"]), local(r["kind"]), local(r["item"])) for r in rows} == {
        ("funder", "FinancialSupport", "remittances-report"),
        ("supporter", "UnspecifiedSupport", "rural-livelihoods-programme"),
    }
    # The report is the programme's work, and the institute implements the programme.
    rows = ask(
        store,
        """SELECT ?implementer { id:remittances-report ag:withinProgramme ?programme .
          ?programme a ag:Programme ; ag:implementer ?implementer }""",
    )
    assert [local(r["implementer"]) for r in rows] == ["institute-for-rural-development-studies"]


def test_the_report_recommends_three_things_to_the_government(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?recommendation ?text ?work ?recipient {
          ?recommendation a ag:Recommendation ; ag:text ?text ; ag:statedIn ?work ;
            ag:recipient ?recipient .
          ?article ag:mentions ?recommendation FILTER(?article = article:remittances-report-launch)
        }""",
    )
    assert len({r["recommendation"] for r in rows}) == 3
    assert {r["text"] for r in rows} == RECOMMENDATIONS
    assert {local(r["work"]) for r in rows} == {"remittances-report"}
    assert {local(r["recipient"]) for r in rows} == {"government-of-kyrgyzstan"}
    # Each recommendation's text is the article's own words, as its evidence shows.
    for text in RECOMMENDATIONS:
        assert text in TEXT


def test_the_quotation_is_elena_kims_exact_words_at_the_presentation(store: ox.Store) -> None:
    (row,) = ask(
        store,
        """SELECT ?text ?by ?at { ?quotation a ag:Quotation ; ag:text ?text ;
          ag:statedBy ?by ; ag:saidAt ?at }""",
    )
    assert row["text"] == QUOTED
    assert (local(row["by"]), local(row["at"])) == ("elena-kim", "remittances-report-presentation")
    evidence = ask(
        store,
        """SELECT ?exact ?start ?end { GRAPH graph:remittances-report-launch {
          ?statement rdf:subject id:kim-quotation ; rdf:predicate ag:text ; rdf:object ?text .
          ?annotation oa:hasBody ?statement ; oa:hasTarget ?target .
          ?target oa:hasSource article:remittances-report-launch ;
            oa:hasSelector [ oa:exact ?exact ], [ oa:start ?start ; oa:end ?end ] } }""",
    )
    assert [e["exact"] for e in evidence] == [QUOTED]
    (span,) = evidence
    assert TEXT[int(span["start"]) : int(span["end"])] == QUOTED
    assert TEXT[int(span["start"]) - 1] == "“"  # the article's own quotation mark opens it


def test_the_figures_have_their_units_and_qualifiers(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?observation ?value ?unit ?qualifier {
          article:remittances-report-launch ag:mentions ?observation .
          ?observation a ag:Observation ; ag:value ?value ; ag:unit ?unit .
          OPTIONAL { ?observation ag:valueQualifier ?qualifier } }""",
    )
    found = {
        local(r["observation"]): (
            Decimal(r["value"]),
            local(r["unit"]),
            local(r.get("qualifier", "")),
        )
        for r in rows
    }
    assert found == {
        "surveyed-households-observation": (Decimal(2400), "count", ""),
        "member-abroad-observation": (Decimal(38), "percent", ""),
        "remittances-share-of-income-observation": (Decimal(41), "percent", "onAverage"),
        "poverty-difference-observation": (Decimal(24), "percentagePoint", "estimated"),
        "presentation-attendees-observation": (Decimal(80), "persons", "approximately"),
    }


def test_the_38_per_cent_is_a_share_of_the_2400_surveyed_households(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?share ?whole ?whole_value {
          ?share ag:value ?value ; ag:unit ag:percent ; ag:shareOf ?whole FILTER(?value = 38)
          ?whole a ag:Observation ; ag:value ?whole_value ; ag:unit ag:count }""",
    )
    assert [(local(r["share"]), local(r["whole"]), Decimal(r["whole_value"])) for r in rows] == [
        ("member-abroad-observation", "surveyed-households-observation", Decimal(2400))
    ]
    # The 41 per cent is a share of their income, not of the households.
    (whole,) = ask(store, "SELECT ?w { id:remittances-share-of-income-observation ag:shareOf ?w }")
    assert local(whole["w"]) == "household-income"


def test_the_attendance_is_the_articles_own_number_and_the_survey_figures_cite_the_report(
    store: ox.Store,
) -> None:
    rows = ask(
        store,
        """SELECT ?observation ?report {
          article:remittances-report-launch ag:mentions ?observation .
          ?observation a ag:Observation .
          OPTIONAL { ?observation ag:sourceReport ?report } }""",
    )
    sources = {local(r["observation"]): local(r.get("report", "")) for r in rows}
    assert sources == {
        "presentation-attendees-observation": "",
        "surveyed-households-observation": "remittances-report",
        "member-abroad-observation": "remittances-report",
        "remittances-share-of-income-observation": "remittances-report",
        "poverty-difference-observation": "remittances-report",
    }
    # The 80 are the group of representatives who attended the presentation.
    (group,) = ask(
        store,
        """SELECT ?description { id:remittances-report-presentation ag:attendee ?group .
          ?group a ag:PersonGroup ; ag:description ?description .
          id:presentation-attendees-observation ag:observationAbout ?group }""",
    )
    assert group["description"] == (
        "representatives of government bodies, banks and international organizations"
    )


def test_the_presentation_is_in_bishkek_and_has_no_date(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?p ?o { id:remittances-report-presentation ?p ?o
          FILTER(?p IN (ag:location, ag:startDate, ag:endDate, ag:organizer)) }""",
    )
    assert [(local(r["p"]), local(r["o"])) for r in rows] == [("location", "bishkek")]
