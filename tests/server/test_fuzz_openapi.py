"""Schemathesis against the served OpenAPI spec: no 5xx, no response outside the spec."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.llm.conftest import NO_WAIT, Brain
from tests.server.conftest import serve_memory

from engramdb import Memory
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.providers.llm import OpenAICompatible
from engramdb.testing import HashEmbedder
from engramdb.testing.llm_server import ScriptedLLMServer

# a scripted model, so that the LLM endpoints are exercised too (without one they are 501)
LLM_SERVER = ScriptedLLMServer(Brain()).__enter__()
MEMORY = Memory.open(
    ":memory:", embedder=HashEmbedder(), parser=RulesParser(), background=False,
    llm=OpenAICompatible(base_url=LLM_SERVER.url, model="scripted"), llm_policy=NO_WAIT,
)  # fmt: skip
SERVED = serve_memory(MEMORY)
MEMORY.for_tenant("acme").add(
    [{"role": "user", "name": "Ana", "content": "I live in Boston with my dog Max"}], user_id="u1"
)
schemathesis.serializer.alias("application/x-ndjson", "text/plain")  # export lines are text
schema = schemathesis.openapi.from_asgi("/openapi.json", SERVED.app)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


#: a bounded run in CI; ENGRAMDB_FUZZ_EXAMPLES=500 is the longer run of docs/benchmarks.md
EXAMPLES = int(os.environ.get("ENGRAMDB_FUZZ_EXAMPLES", "25"))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_spec(case: schemathesis.Case) -> None:
    secret = SERVED.admin if "/admin/" in case.path else SERVED.acme
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
