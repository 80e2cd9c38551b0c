"""The reconciliation service, and ``link suggest`` against it, over real HTTP on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest

from annograph import Project
from annograph.linking._sources import RdfFileSource, ReconciliationSource, open_source
from annograph.linking._sssom import read_mapping_set
from annograph.serve._reconciliation import ReconciliationService
from tests.conftest import ROOT, reconciliation_schema, strip_links

MIRROR = ROOT / "tests" / "data" / "links" / "wikidata-mirror.ttl"
WIKIDATA = "http://www.wikidata.org/entity/"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    records = RdfFileSource(MIRROR).records()
    app = ReconciliationService(records, "Wikidata mirror", WIKIDATA, WIKIDATA)
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/reconcile"
    finally:
        server.shutdown()
        server.server_close()


def test_the_manifest_follows_the_published_schema(service_url: str) -> None:
    manifest = httpx.get(service_url).json()
    validator = reconciliation_schema("manifest")
    validator.validate(manifest)
    assert manifest["identifierSpace"] == WIKIDATA
    # The schema does reject a manifest without what the protocol requires.
    assert not validator.is_valid({k: v for k, v in manifest.items() if k != "schemaSpace"})


def test_a_query_batch_is_answered_per_the_published_schema(service_url: str) -> None:
    queries = {"q0": {"query": "Бишкек"}, "q1": {"query": "Kyrgyzstan", "type": "Q6256"}}
    reconciliation_schema("reconciliation-query-batch").validate(queries)
    answer = httpx.post(service_url, data={"queries": json.dumps(queries)}).json()
    reconciliation_schema("reconciliation-result-batch").validate(answer)
    assert [r["id"] for r in answer["q0"]["result"]] == ["Q9361"]
    assert answer["q0"]["result"][0]["match"] is True
    assert [r["id"] for r in answer["q1"]["result"]] == ["Q813"]


def test_a_malformed_batch_is_a_400(service_url: str) -> None:
    response = httpx.post(service_url, data={"queries": "[1, 2"})
    assert response.status_code == 400


def _suggested(project: Project, service_url: str) -> set[tuple[str, str]]:
    """(entity, candidate) of what 'link suggest' finds for the unlinked project at the service."""
    strip_links(project)
    source = open_source(service_url)
    assert isinstance(source, ReconciliationSource)
    written = project.suggest_links(source)
    return {(r.subject_id, r.object_id) for r in read_mapping_set(written.path).mappings}


@pytest.mark.slow
def test_link_suggest_against_a_reconciliation_service(
    project_copy: Project, service_url: str, tmp_path: Path
) -> None:
    rows = _suggested(project_copy, service_url)
    assert ("id:bishkek", "wd:Q9361") in rows
    assert ("id:kyrgyzstan", "wd:Q9361") not in rows


@pytest.mark.slow
def test_link_suggest_finds_a_shared_entity_by_any_articles_name(
    project_copy: Project, service_url: str
) -> None:
    assert ("id:kyrgyzstan", "wd:Q813") in _suggested(project_copy, service_url)
