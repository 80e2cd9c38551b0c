"""The saved-query API against its own OpenAPI document, with requests schemathesis generates.

Each operation gets valid and invalid parameter values; every answer must be a documented
status with a documented content type and body, and never a server error.
"""

from __future__ import annotations

import schemathesis
from hypothesis import settings

from annograph.project import Project
from annograph.server import openapi
from tests.conftest import ROOT, Server

# The document the server publishes, made here from the same queries (so it is known at
# collection time); the requests go to a real 'annograph serve'.
schema = schemathesis.openapi.from_dict(
    openapi(Project(ROOT).saved_queries(), server="http://127.0.0.1")
)


@schema.parametrize()
@settings(max_examples=25, deadline=None)
def test_every_generated_request_gets_a_documented_answer(
    case: schemathesis.Case, served: Server
) -> None:
    case.call_and_validate(base_url=served.url)
