"""The second article, a round table in Cholpon-Ata: the built graph answers what it says.

The article (data/articles/cholpon-ata-round-table/) is an English press release written for the
project as test material. Every question is asked with SPARQL over the built store; each test
checks that the thing asked about exists before checking what it must not have, so that no
assertion passes on an empty answer.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from tests.conftest import ROOT, select

ARTICLE = ROOT / "data" / "articles" / "cholpon-ata-round-table"
#: SHA-256 of article.md as the project was given it: quotes are offsets into it.
SOURCE_SHA256 = "4b2fe13075fd9c327812641d94231d507c2606854b56900358430f73787dc1dd"

PREFIXES = """\
PREFIX ag: <https://w3id.org/annograph/ontology#>
PREFIX id: <https://w3id.org/annograph/data/id/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
GRAPH = "<https://w3id.org/annograph/data/graph/cholpon-ata-round-table>"
ARTICLE_IRI = "https://w3id.org/annograph/data/article/cholpon-ata-round-table"
AG = "https://w3id.org/annograph/ontology#"

OFFICIALS = "officials from four Central Asian states and the Russian Federation"
REPRESENTATIVES = (
    "representatives of the Bishkek office of the Regional Labour Rights Institute and of the "
    "Eurasian Association of Employment Agencies"
)
BEKOVA_WORDS = (
    "The states have moved from talking about migrants to working with them. "
    "The consultation centres are where this will show first"
)


def ask(store: ox.Store, query: str) -> list[dict[str, str]]:
    return select(store, PREFIXES + query)


def test_the_article_is_byte_identical_to_the_text_as_given() -> None:
    assert hashlib.sha256((ARTICLE / "article.md").read_bytes()).hexdigest() == SOURCE_SHA256


def test_who_took_part_and_whom_they_represent(store: ox.Store) -> None:
    groups = ask(
        store,
        """SELECT ?who ?represents { id:cholpon-ata-round-table ag:attendee ?group .
          ?group a ag:PersonGroup ; ag:description ?who FILTER(lang(?who) = "en")
          ?group ag:represents/ag:name ?represents FILTER(lang(?represents) = "en") }""",
    )
    assert {(r["who"], r["represents"]) for r in groups} == {
        (OFFICIALS, "four Central Asian states and the Russian Federation"),
        (REPRESENTATIVES, "Bishkek office of the Regional Labour Rights Institute"),
        (REPRESENTATIVES, "Eurasian Association of Employment Agencies"),
    }
    # The states are one group of places (a state acts through its officials).
    (states,) = ask(
        store,
        """SELECT ?class { id:cholpon-ata-officials ag:represents ?states . ?states a ?class }""",
    )
    assert states["class"] == AG + "PlaceGroup"
    # The organizations whose representatives took part are attendees; the organizers are not.
    organizations = ask(
        store,
        """SELECT ?name { id:cholpon-ata-round-table ag:attendee ?org . ?org a ?class ;
          ag:name ?name FILTER(lang(?name) = "en") FILTER(?class != ag:PersonGroup) }""",
    )
    assert {r["name"] for r in organizations} == {
        "Bishkek office of the Regional Labour Rights Institute",
        "Eurasian Association of Employment Agencies",
    }
    organizers = ask(store, "SELECT ?org { id:cholpon-ata-round-table ag:organizer ?org }")
    assert {r["org"].rsplit("/", 1)[1] for r in organizers} == {
        "migration-policy-network",
        "kyrgyz-labour-ministry",
    }
    assert not ask(
        store,
        """SELECT ?org { id:cholpon-ata-round-table ag:organizer ?org ; ag:attendee ?org }""",
    )


def test_the_bishkek_office_is_a_unit_of_the_institute_in_bishkek(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?parent ?place { id:rlri-bishkek-office a ag:OrganizationalUnit ;
          ag:parentOrganization ?parent ; ag:location ?place }""",
    )
    assert [(r["parent"].rsplit("/", 1)[1], r["place"].rsplit("/", 1)[1]) for r in rows] == [
        ("regional-labour-rights-institute", "bishkek")
    ]


def test_bekovas_quotation_is_her_exact_words_and_its_own_evidence(store: ox.Store) -> None:
    rows = ask(
        store,
        f"""SELECT ?quotation ?speaker ?text ?exact {{
          ?quotation a ag:Quotation ; ag:statedBy ?person ; ag:text ?text .
          ?person ag:name ?speaker .
          GRAPH {GRAPH} {{
            ?statement rdf:subject ?quotation ; rdf:predicate ag:text ; rdf:object ?text .
            ?annotation oa:hasBody ?statement ;
              oa:hasTarget [ oa:hasSource <{ARTICLE_IRI}> ; oa:hasSelector [ oa:exact ?exact ] ] .
          }}
        }}""",
    )
    assert [(r["speaker"], r["text"], r["exact"]) for r in rows] == [
        ("Aida Bekova", BEKOVA_WORDS, BEKOVA_WORDS)
    ]
    text = (ARTICLE / "article.md").read_text(encoding="utf-8")
    assert f"“{BEKOVA_WORDS},” said Aida Bekova" in text
    # She speaks as the network's spokesperson (a post with the shared role).
    posts = ask(
        store,
        """SELECT ?role ?org { id:aida-bekova ag:holdsPost ?post . ?post ag:role ?role ;
          ag:postIn/ag:name ?org FILTER(lang(?org) = "en") }""",
    )
    assert [(r["role"].rsplit("/", 1)[1], r["org"]) for r in posts] == [
        ("spokesperson", "Migration Policy Network of Central Asia")
    ]


def test_duration_and_end_date_are_stated_and_the_start_date_is_not(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?duration (datatype(?duration) AS ?type) ?end (datatype(?end) AS ?end_type) {
          id:cholpon-ata-round-table a ag:RoundTable ; ag:duration ?duration ;
            ag:endDate ?end }""",
    )
    assert rows == [
        {
            "duration": "P3D",
            "type": "http://www.w3.org/2001/XMLSchema#duration",
            "end": "2026-05-16",
            "end_type": "http://www.w3.org/2001/XMLSchema#date",
        }
    ]
    assert not ask(store, "SELECT ?start { id:cholpon-ata-round-table ag:startDate ?start }")
    # Nor is the workshop's day ("on the second day"): it is only a part of the round table.
    (workshop,) = ask(
        store,
        """SELECT ?workshop { id:cholpon-ata-round-table ag:subEvent ?workshop .
          ?workshop a ag:Workshop ; ag:about id:fair-recruitment }""",
    )
    assert not ask(
        store,
        f"""SELECT ?date {{ <{workshop["workshop"]}> ag:startDate|ag:endDate ?date }}""",
    )


def test_the_declaration_its_parties_and_its_two_commitments(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?party ?adopted_at ?text {
          ?declaration a ag:Declaration ; ag:party/ag:name ?party ; ag:adoptedAt ?adopted_at .
          ?commitment a ag:Commitment ; ag:statedIn ?declaration ; ag:text ?text .
          FILTER(lang(?party) = "en" && lang(?text) = "en") }""",
    )
    assert {(r["party"], r["adopted_at"].rsplit("/", 1)[1], r["text"]) for r in rows} == {
        (
            "four Central Asian states and the Russian Federation",
            "cholpon-ata-round-table",
            "to exchange data on labour migration every year",
        ),
        (
            "four Central Asian states and the Russian Federation",
            "cholpon-ata-round-table",
            "to open consultation centres for migrants in the main regions of origin",
        ),
    }
    # Each commitment is the participating states' own, as "they agreed" says.
    parties = ask(
        store,
        """SELECT ?commitment ?party { ?commitment a ag:Commitment ;
          ag:statedIn id:cholpon-ata-declaration ; ag:party ?party }""",
    )
    assert {r["party"].rsplit("/", 1)[1] for r in parties} == {
        "four-central-asian-states-and-russia"
    }
    assert len({r["commitment"] for r in parties}) == 2


def test_more_than_60_participants_is_the_articles_own_number(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?observation ?value ?qualifier ?unit ?variable {
          ?observation a ag:Observation ; ag:observationAbout id:cholpon-ata-round-table ;
            ag:value ?value ; ag:valueQualifier ?qualifier ; ag:unit ?unit ;
            ag:variableMeasured/ag:name ?variable }""",
    )
    assert [(float(r["value"]), r["qualifier"], r["unit"], r["variable"]) for r in rows] == [
        (60.0, AG + "moreThan", AG + "persons", "number of participants")
    ]
    observation = rows[0]["observation"]
    assert not ask(store, f"SELECT ?report {{ <{observation}> ag:sourceReport ?report }}")
    # Its evidence is the article's own words.
    (evidence,) = ask(
        store,
        f"""SELECT ?exact {{ GRAPH {GRAPH} {{
          ?statement rdf:subject <{observation}> ; rdf:predicate ag:valueQualifier .
          ?annotation oa:hasBody ?statement ;
            oa:hasTarget [ oa:hasSource <{ARTICLE_IRI}> ; oa:hasSelector [ oa:exact ?exact ] ]
        }} }}""",
    )
    assert evidence["exact"] == "more than 60"


def test_the_institutes_help_is_assistance_and_not_funding(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?help ?provider ?recipient_class ?topic {
          ?help ag:provider/ag:name ?provider ; ag:recipient ?recipient ; ag:about ?topic .
          ?recipient a ?recipient_class FILTER(lang(?provider) = "en") }""",
    )
    assert [(r["provider"], r["recipient_class"], r["topic"]) for r in rows] == [
        (
            "Regional Labour Rights Institute",
            AG + "PlaceGroup",
            "https://w3id.org/annograph/data/id/labour-migration",
        )
    ]
    classes = ask(store, f"SELECT ?class {{ <{rows[0]['help']}> a ?class }}")
    assert {r["class"] for r in classes} == {AG + "Assistance"}
    # The round table's funding, by contrast, is financial support.
    funding = ask(
        store,
        """SELECT ?funder ?kind { ?funding a ag:Funding ;
          ag:fundedItem id:cholpon-ata-round-table ; ag:funder/ag:name ?funder ;
          ag:supportKind ?kind FILTER(lang(?funder) = "en") }""",
    )
    assert [(r["funder"], r["kind"]) for r in funding] == [
        ("Caspian Cooperation Fund", AG + "FinancialSupport")
    ]


def test_cholpon_ata_is_a_resort_town_on_the_northern_shore(store: ox.Store) -> None:
    rows = ask(
        store,
        """SELECT ?class { id:cholpon-ata-round-table ag:location ?town . ?town a ?class }""",
    )
    assert {r["class"] for r in rows} == {AG + "City", AG + "Resort"}
    (shore,) = ask(
        store,
        """SELECT ?shore ?class { id:cholpon-ata ag:containedInPlace ?shore .
          ?shore a ?class ; ag:name "northern shore of Lake Issyk-Kul"@en }""",
    )
    assert shore["class"] == AG + "GeographicRegion"
    # A shore is not a part of the lake, and the article says nothing of it being so.
    assert not ask(store, "SELECT ?p { ?x ag:containedInPlace id:issyk-kul-lake }")
