"""Federated saved queries: SERVICE clauses answered by a real SPARQL endpoint on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph import Project
from annograph.cli import cli
from annograph.errors import QueryError
from annograph.linking._sources import SparqlEndpointSource, open_source
from annograph.linking._sssom import read_mapping_set
from annograph.query._saved import SERVICE_ALIASES
from tests.conftest import ROOT, Server, oxigraph_server, strip_links

pytestmark = pytest.mark.slow

MIRROR = ROOT / "tests" / "data" / "links" / "wikidata-mirror.ttl"
WIKIDATA = "http://www.wikidata.org/entity/"


@pytest.fixture(scope="module")
def wikidata_mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with oxigraph_server(MIRROR, tmp_path_factory.mktemp("mirror")) as server:
        yield server


def _rows(built: Project, server: Server, alias: str) -> list[dict[str, str]]:
    result = built.run_query("wikidata-crosscheck", services={alias: server.query_url})
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def test_the_saved_query_joins_our_links_with_the_endpoints_data(
    built: Project, wikidata_mirror: Server
) -> None:
    rows = _rows(built, wikidata_mirror, "wikidata")
    joined = {(row["wikidata"], row["label"]) for row in rows}
    assert (f"{WIKIDATA}Q813", "Kirgisistan") in joined
    assert (f"{WIKIDATA}Q813", "Кыргызстан") in joined
    assert (f"{WIKIDATA}Q159", "Russland") in joined
    # Only countries are asked for: Bishkek (a city in the mirror) is not joined.
    assert f"{WIKIDATA}Q9361" not in {row["wikidata"] for row in rows}
    # Wikidata's GeoNames ids agree with every curated GeoNames link.
    assert {row["agrees"] for row in rows} == {"true"}
    assert {row["entity"].rsplit("/", 1)[1] for row in rows} == {
        "kyrgyzstan",
        "russia",
        "kazakhstan",
        "switzerland",
    }


def test_the_endpoint_iri_works_as_alias_too(built: Project, wikidata_mirror: Server) -> None:
    by_alias = _rows(built, wikidata_mirror, "wikidata")
    by_iri = _rows(built, wikidata_mirror, SERVICE_ALIASES["wikidata"])
    assert by_iri == by_alias


def test_query_service_option_on_the_command_line(
    built: Project, wikidata_mirror: Server, runner: CliRunner
) -> None:
    args = ["query", "--project", str(built.root), "--store", str(built.store)]
    service = f"wikidata={wikidata_mirror.query_url}"
    result = runner.invoke(cli, [*args, "wikidata-crosscheck", "--service", service, "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "Kirghizistan" in result.output


def test_a_service_the_query_does_not_use_is_an_error(built: Project) -> None:
    with pytest.raises(QueryError, match="no SERVICE <http://example.org/sparql>"):
        built.run_query("organizers", services={"http://example.org/sparql": "http://127.0.0.1:1/"})


def test_a_mirror_that_is_not_an_iri_is_refused(built: Project) -> None:
    with pytest.raises(QueryError, match="not a valid IRI"):
        built.run_query("wikidata-crosscheck", services={"wikidata": "http://127.0.0.1/ x>"})


def test_a_closed_port_is_a_clear_error(built: Project, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="the query failed"):
        built.run_query("wikidata-crosscheck", services={"wikidata": "http://127.0.0.1:1/query"})


def test_link_suggest_against_a_sparql_endpoint(
    project_copy: Project, wikidata_mirror: Server
) -> None:
    strip_links(project_copy)
    source = open_source(wikidata_mirror.query_url)
    assert isinstance(source, SparqlEndpointSource)
    written = project_copy.suggest_links(source)
    rows = {
        (r.subject_id, r.object_id, r.object_category)
        for r in read_mapping_set(written.path).mappings
    }
    assert ("id:bishkek", "wd:Q9361", "wd:Q515") in rows
    assert ("id:kyrgyzstan", "wd:Q813", "wd:Q6256") in rows
    # The city is not offered for the country, nor the country for the city.
    assert not {(s, o) for s, o, _ in rows} & {
        ("id:kyrgyzstan", "wd:Q9361"),
        ("id:bishkek", "wd:Q813"),
    }
