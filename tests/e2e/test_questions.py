"""The built graph answers the questions people ask of the article.

Each question is asked twice: with annograph's own terms, and — over the N-Quads export with the
ontology — with schema.org terms alone (plus RDFS's subClassOf/subPropertyOf, which is what a
consumer that knows only schema.org and RDFS can follow).
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from annograph import Project
from annograph.publish._export import ExportFormat
from tests.conftest import select

AG = "PREFIX ag: <https://w3id.org/annograph/ontology#>\n"


def names(store: ox.Store, query: str, var: str = "name") -> set[str]:
    return {row[var] for row in select(store, AG + query)}


def test_organizers_of_the_conference(store: ox.Store) -> None:
    found = names(
        store,
        'SELECT ?name { ?e a ag:Conference ; ag:organizer/ag:name ?name FILTER(lang(?name)="ru") }',
    )
    assert found == {"Тянь-Шанский аналитический центр", "Центр общественных технологий"}


def test_supporters_directly_or_through_the_programme(store: ox.Store) -> None:
    rows = select(
        store,
        AG
        + """SELECT ?name ?kind ?how {
          ?c a ag:Conference .
          ?f ag:supporter|ag:funder ?who ; ag:supportKind ?kind .
          ?who ag:name ?name FILTER(lang(?name) = "en")
          { ?f ag:fundedItem ?c BIND("direct" AS ?how) }
          UNION { ?c ag:withinProgramme/^ag:fundedItem ?f BIND("programme" AS ?how) }
          UNION { ?f ag:possiblyFundedItem ?c BIND("ambiguous" AS ?how) }
        }""",
    )
    ns = "https://w3id.org/annograph/ontology#"
    assert {(r["name"], r["kind"].removeprefix(ns), r["how"]) for r in rows} == {
        (
            "Mission of the International Organization for Migration in the Kyrgyz Republic",
            "UnspecifiedSupport",
            "direct",
        ),
        ("Government of Switzerland", "FinancialSupport", "programme"),
        ("Caritas France", "UnspecifiedSupport", "ambiguous"),
        ("FSDS", "UnspecifiedSupport", "ambiguous"),
    }


def test_ambiguous_support_is_not_asserted_as_funded_item(store: ox.Store) -> None:
    rows = select(
        store,
        AG
        + """SELECT ?item {
          <https://w3id.org/annograph/data/id/caritas-fsds-support> ag:fundedItem ?item }""",
    )
    assert rows == []


def test_four_reports_with_who_presented_them(store: ox.Store) -> None:
    # The article lists an organization beside each title without saying it wrote the report.
    # (The remittances article says who wrote its report: tests/e2e/test_report_article.py.)
    assert not select(
        store,
        AG
        + """SELECT ?r { ?r a ag:Report ; ag:author ?a .
          <https://w3id.org/annograph/data/article/bishkek-migrants-day> ag:mentions ?r }""",
    )
    rows = select(
        store,
        AG
        + """SELECT ?title ?author { ?s ag:presents ?r . ?r a ag:Report ; ag:name ?title ;
          ag:presentedBy/ag:name ?author
             FILTER(lang(?title) = "ru" && lang(?author) = "en") }""",
    )
    by_title = {row["title"][:25]: row["author"] for row in rows}
    assert by_title == {
        "Единый доклад по миграции": "Resource Centre for the Elderly",
        "Мониторинг и оценка эффек": "Centre for Public Technologies",
        "Оценка потребностей госуд": "Tian Shan Analytical Centre",
        "Риски незаконной миграции": "Tian Shan Analytical Centre",
    }


def test_flash_mob_places_and_their_containment(store: ox.Store) -> None:
    rows = select(
        store,
        AG
        + """SELECT ?place ?within { ?m a ag:FlashMob ; ag:location ?p . ?p ag:name ?place
             OPTIONAL { ?p ag:containedInPlace+/ag:name ?within FILTER(lang(?within) = "en") }
             FILTER(lang(?place) = "en") }""",
    )
    assert {(r["place"], r.get("within")) for r in rows} == {
        ("Belovodskoye", "Moskovsky District"),
        ("Belovodskoye", "Chüy Region"),
        ("Batken", "Batken Region"),
    }


def test_speakers_and_their_organizations(store: ox.Store) -> None:
    rows = select(
        store,
        AG
        + """SELECT ?person ?org { ?e ag:speaker ?p . ?p ag:name ?person ;
          ag:holdsPost/ag:postIn/ag:name ?org
             FILTER(lang(?person) = "ru" && lang(?org) = "ru") }""",
    )
    assert {(r["person"], r["org"]) for r in rows} == {
        ("Асанбаев А. Ж.", "Государственная служба миграции при Правительстве КР"),
        (
            "Молдобаева Б. Б.",
            "Миссия Международной организации по миграции в Кыргызской Республике",
        ),
        ("Баштовенко С.Н.", "Координационный комитет Платформы «Центральная Азия в движении»"),
        ("Баштовенко С.Н.", "Ресурсный центр для пожилых"),
    }


def test_labour_migrants_abroad_and_in_russia(store: ox.Store) -> None:
    rows = select(
        store,
        AG
        + """SELECT ?value ?where {
          ?o ag:variableMeasured/ag:name "number of people in external labour migration"@en ;
             ag:value ?value
          OPTIONAL { ?o ag:destination/ag:name ?where FILTER(lang(?where) = "en") }
        }""",
    )
    by_place = {row.get("where", "total"): float(row["value"]) for row in rows}
    assert by_place["total"] == 710_000
    assert by_place["Russian Federation"] == 616_000
    assert by_place == {
        "total": 710_000,
        "Russian Federation": 616_000,
        "Kazakhstan": 30_000,
        "Turkey": 30_000,
        "South Korea": 14_000,
        "other far-abroad countries": 20_000,
    }


def test_no_date_is_asserted(store: ox.Store) -> None:
    """The Bishkek article gives no date or year; nothing in its graph may invent one."""
    dated = """SELECT ?s ?p ?o {{ GRAPH <https://w3id.org/annograph/data/graph/{}> {{ ?s ?p ?o
             FILTER(isLiteral(?o) && datatype(?o) IN (<http://www.w3.org/2001/XMLSchema#date>,
               <http://www.w3.org/2001/XMLSchema#dateTime>,
               <http://www.w3.org/2001/XMLSchema#gYear>)) }} }}"""
    assert select(store, dated.format("bishkek-migrants-day")) == []
    # The query finds a date where an article states one (the round table's end: the fact and
    # its reified statement).
    assert {row["o"] for row in select(store, dated.format("cholpon-ata-round-table"))} == {
        "2026-05-16"
    }


# -- the same questions through schema.org terms alone ----------------------------------------

SCHEMA = "PREFIX schema: <https://schema.org/>\n"
RDFS_ENTAILMENT = [
    # Merge the named graphs, as a consumer loading the dump into one graph would.
    "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    # rdfs5 + rdfs7: a triple also holds for every super-property.
    """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    INSERT { ?s ?super ?o } WHERE { ?p rdfs:subPropertyOf+ ?super . ?s ?p ?o }""",
    # rdfs9 + rdfs11: a resource is also an instance of every super-class.
    """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    INSERT { ?s a ?super } WHERE { ?s a ?c . ?c rdfs:subClassOf+ ?super }""",
]


@pytest.fixture(scope="module")
def schema_view(built: Project) -> ox.Store:
    """What a schema.org + RDFS consumer sees: the export with the ontology, RDFS-entailed."""
    store = ox.Store()
    exported = built.export(ExportFormat.NQUADS, with_ontology=True)
    store.load(exported, format=ox.RdfFormat.N_QUADS)
    for rule in RDFS_ENTAILMENT:
        store.update(rule)
    return store


def schema_select(store: ox.Store, body: str) -> list[dict[str, str]]:
    """A query that may use schema.org terms only (the guard makes sure of it)."""
    assert not re.search(r"annograph|ag:|rdfs:|owl:", body), "only schema.org terms allowed"
    return select(store, SCHEMA + body)


def test_schema_org_organizer(schema_view: ox.Store) -> None:
    rows = schema_select(
        schema_view,
        """SELECT ?name { ?event a schema:Event ; schema:organizer/schema:name ?name
           FILTER(lang(?name) = "en") }""",
    )
    assert {r["name"] for r in rows} == {
        "Tian Shan Analytical Centre",
        "Centre for Public Technologies",
        "Migration Policy Network of Central Asia",
        "Ministry of Labour and Social Development of the Kyrgyz Republic",
    }


def test_schema_org_funder_and_sponsor(schema_view: ox.Store) -> None:
    rows = schema_select(
        schema_view,
        """SELECT ?who ?what { ?g a schema:Grant ; schema:funder/schema:name ?who ;
           schema:fundedItem/schema:name ?what FILTER(lang(?who) = "en" && lang(?what) = "en") }""",
    )
    assert {(r["who"], r["what"][:24]) for r in rows} == {
        ("Government of Switzerland", "Global Joint Programme o"),
        ("Green Valley Foundation", "Remittances and Rural Ho"),
        ("Caspian Cooperation Fund", "regional round table on "),
    }
    sponsors = schema_select(
        schema_view,
        """SELECT DISTINCT ?who { ?g a schema:Grant ; schema:sponsor/schema:name ?who
          FILTER(lang(?who) = "en") }""",
    )
    assert {r["who"] for r in sponsors} == {
        "Government of Switzerland",
        "Caritas France",
        "FSDS",
        "Mission of the International Organization for Migration in the Kyrgyz Republic",
        "Green Valley Foundation",
        "Caspian Cooperation Fund",
    }


def test_schema_org_contributor(schema_view: ox.Store) -> None:
    rows = schema_select(
        schema_view,
        """SELECT ?report ?who { ?report a schema:Report ; schema:contributor/schema:name ?who
           FILTER(lang(?who) = "en") }""",
    )
    assert len({r["report"] for r in rows}) == 5
    assert {r["who"] for r in rows} == {
        "Resource Centre for the Elderly",
        "Centre for Public Technologies",
        "Tian Shan Analytical Centre",
        "Institute for Rural Development Studies",
    }


def test_schema_org_location_and_containment(schema_view: ox.Store) -> None:
    rows = schema_select(
        schema_view,
        """SELECT ?place ?region { ?event a schema:Event ; schema:location ?p .
           ?p schema:containedInPlace+ ?r . ?r a schema:AdministrativeArea .
           ?p schema:name ?place FILTER(lang(?place) = "en") ?r schema:name ?region
             FILTER(lang(?region) = "en") }""",
    )
    pairs = {(r["place"], r["region"]) for r in rows}
    assert {
        ("Batken", "Batken Region"),
        ("Belovodskoye", "Chüy Region"),
        ("Belovodskoye", "Moskovsky District"),
    } <= pairs


def test_schema_org_speaker_affiliation_through_roles(schema_view: ox.Store) -> None:
    """schema.org's Role pattern: person -affiliation-> OrganizationRole -affiliation-> org."""
    rows = schema_select(
        schema_view,
        """SELECT ?who ?org { ?event schema:performer ?person . ?person schema:affiliation ?role .
           ?role a schema:OrganizationRole ; schema:affiliation/schema:name ?org .
           ?person schema:name ?who FILTER(lang(?who) = "en" && lang(?org) = "en") }""",
    )
    assert {(r["who"], r["org"]) for r in rows} == {
        ("A. Zh. Asanbaev", "State Migration Service under the Government of the Kyrgyz Republic"),
        (
            "B. B. Moldobaeva",
            "Mission of the International Organization for Migration in the Kyrgyz Republic",
        ),
        ("S. N. Bashtovenko", "Coordination Committee of the Central Asia on the Move Platform"),
        ("S. N. Bashtovenko", "Resource Centre for the Elderly"),
        ("Elena Kim", "Institute for Rural Development Studies"),
    }


def test_schema_org_migrant_numbers(schema_view: ox.Store) -> None:
    rows = schema_select(
        schema_view,
        """SELECT ?value ?where { ?o a schema:Observation ; schema:value ?value .
           OPTIONAL { ?o schema:observationAbout/schema:name ?where FILTER(lang(?where) = "en") }
             }""",
    )
    values = {float(r["value"]) for r in rows}
    assert {710_000.0, 616_000.0} <= values
    # The remittances report's figures are about its three regions; the count of attendees is
    # about a group of people, which has a description and no name; the round table's count of
    # participants is about the round table.
    assert {r.get("where") for r in rows} == {
        "Kyrgyz Republic",
        "regional round table on the rights of labour migrants",
        "Naryn Region",
        "Osh Region",
        "Talas Region",
        None,
    }


def test_every_term_used_in_the_data_reaches_schema_org_or_is_documented(built: Project) -> None:
    """The alignment promise, checked on the data rather than on the ontology alone."""
    store = ox.Store()
    store.load(built.export(ExportFormat.NQUADS, with_ontology=True), format=ox.RdfFormat.N_QUADS)
    unaligned = select(
        store,
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?p { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/annograph/ontology>)
          FILTER(STRSTARTS(STR(?p), "https://w3id.org/annograph/ontology#"))
          FILTER NOT EXISTS { ?p rdfs:subPropertyOf* ?sp FILTER(STRSTARTS(STR(?sp),
            "https://schema.org/")) } }""",
    )
    local = {re.sub(r".*#", "", r["p"]) for r in unaligned}
    # schema.org has no term for these (see the ontology's definitions).
    assert local <= {
        "memberState",
        "possiblyFundedItem",
        "supportKind",
        "valueQualifier",
        "destination",
        "ageGroup",
        "role",
        "represents",
        "party",
        "breakdownOf",
        "shareOf",
        "includes",
    }


def test_a_sum_of_the_migration_rows_cannot_count_anyone_twice(store: ox.Store) -> None:
    # "порядка 710 тыс. человек, из них в России — 616 тысяч, ...": the destinations are parts
    # of the total, and say so; the rows that are no part of another add up to the total alone.
    rows = select(
        store,
        AG
        + """PREFIX id: <https://w3id.org/annograph/data/id/>
        SELECT ?o ?value ?total { ?o ag:variableMeasured id:migrants-abroad ;
             ag:value ?value OPTIONAL { ?o ag:breakdownOf ?total } }""",
    )
    totals = {r["total"] for r in rows if "total" in r}
    assert totals == {"https://w3id.org/annograph/data/id/migrants-abroad-total"}
    assert len([r for r in rows if "total" in r]) == 5
    assert [float(r["value"]) for r in rows if "total" not in r] == [710000.0]


def test_the_percentages_by_age_say_what_they_are_shares_of(store: ox.Store) -> None:
    rows = select(
        store,
        AG
        + """SELECT ?value ?whole { ?o ag:unit ag:percent ; ag:value ?value ;
             ag:shareOf/ag:description ?whole FILTER(lang(?whole) = "en") }""",
    )
    assert {(float(r["value"]), r["whole"]) for r in rows} == {
        (48.0, "those who leave Kyrgyzstan mainly to find work"),
        (37.0, "those who leave Kyrgyzstan mainly to find work"),
    }


def test_what_the_speakers_noted_is_attributed_to_them(store: ox.Store) -> None:
    rows = select(
        store,
        AG
        + """SELECT ?who ?event { ?s a ag:Statement ; ag:statedBy/ag:name ?who ; ag:saidAt ?e ;
             ag:text ?text FILTER(lang(?who) = "en" && lang(?text) = "ru"
               && STRSTARTS(?text, "за последние годы в Кыргызстане"))
             ?e ag:name ?event FILTER(lang(?event) = "en") }""",
    )
    assert {(r["who"], r["event"]) for r in rows} == {
        ("A. Zh. Asanbaev", "welcome speeches"),
        ("B. B. Moldobaeva", "welcome speeches"),
        ("S. N. Bashtovenko", "welcome speeches"),
    }


def test_topics_are_shared_concepts_not_strings(store: ox.Store) -> None:
    rows = select(
        store,
        AG
        + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?topic ?name { ?thing ag:about ?topic .
             ?topic a/rdfs:subClassOf* skos:Concept ;
             ag:name ?name FILTER(lang(?name) = "en") }""",
    )
    names = {r["name"] for r in rows}
    assert {"migration", "migrants' rights"} <= names
    assert all(r["topic"].startswith("https://w3id.org/annograph/data/id/") for r in rows)
