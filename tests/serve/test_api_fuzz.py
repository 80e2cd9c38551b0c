"""The saved-query API against its own OpenAPI document, with requests schemathesis generates.

Each operation gets valid and invalid parameter values; every answer must be a documented
status with a documented content type and body, and never a server error.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import settings

from annograph import Project
from annograph._limits import refused_service
from annograph.serve._openapi import openapi
from tests.conftest import ROOT, Server

pytestmark = pytest.mark.slow

# The document the server publishes, made here from the same queries (so it is known at
# collection time): those it runs, all but the ones calling another endpoint, which it may
# not call unless told to. The requests go to a real 'annograph serve'.
published = [q for q in Project(ROOT).saved_queries() if refused_service(q.text, ()) is None]
schema = schemathesis.openapi.from_dict(openapi(published, server="http://127.0.0.1"))


def test_the_document_is_the_one_the_server_publishes(served: Server) -> None:
    assert httpx.get(served.url + "/api/openapi.json").json() == openapi(
        published, server=served.url
    )


@schema.parametrize()
@settings(max_examples=25, deadline=None)
def test_every_generated_request_gets_a_documented_answer(
    case: schemathesis.Case, served: Server
) -> None:
    case.call_and_validate(base_url=served.url)
