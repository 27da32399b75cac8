"""Every operation of the committed spec, fuzzed in-process: no 5xx, and answers as documented.

Schemathesis generates valid and invalid requests from `openapi/openapi.json`, signed in as
the demo customer, and checks each answer: not a server error, a documented status code,
content type, headers and body schema, and the negative/positive data and auth rules.
The stateful run follows the spec's links (place an order -> get it, open a case ->
comment on it, list -> detail). A fixed seed and budget make each run the same.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi import FastAPI
from schemathesis.engine import Status, events, from_schema
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.contract.conftest import (
    FUZZ_EXAMPLES,
    FUZZ_SEED,
    DemoCustomerAuth,
    after_call,
    link_demo_customer,
    load_contract_schema,
)
from tests.helpers import TEST_DATABASE_URL

# Each test pass of CI runs this suite: the full budget once (embedded), a smaller one
# against PostgreSQL + Redis, where only the storage differs (NUL bytes, lengths, types).
EXAMPLES = FUZZ_EXAMPLES or (5 if TEST_DATABASE_URL else 15)

# Schema-valid input these operations refuse by rules JSON Schema cannot state, as the
# contract documents: a common password or the email as password (422
# `auth.weak_password`), a reset token nobody issued (400 `auth.reset_token_invalid`), and
# what depends on the live catalog: an unknown sku, a plan or top-up size the line's plan
# does not offer (422 naming the field); and an Idempotency-Key the generator already sent
# with another body (422 `idempotency.key_reused`).
_BUSINESS_REFUSALS = {
    "support_create_case": [422],
    "auth_signup": [422],
    "auth_change_password": [422],
    "auth_reset_password": [400, 422],
    "orders_create_order": [422],
    "sim_change_plan": [422],
    "sim_top_up": [422],
}


def config(*, phases: list[str]) -> dict[str, Any]:
    return {
        "seed": FUZZ_SEED,
        "suppress-health-check": ["all"],
        "generation": {
            "mode": "all",
            "max-examples": EXAMPLES,
            "deterministic": True,
            # No example database: a run never replays what an earlier run found.
            "database": "none",
        },
        "phases": {
            name: {"enabled": name in phases}
            for name in ("examples", "coverage", "fuzzing", "stateful")
        },
        # An order's event stream stays open for minutes; its first event is enough here.
        "max-stream-events": 1,
        "request-timeout": 30,
        "checks": {"enabled": True},
        # Signed in as the demo customer by `DemoCustomerAuth`, not as a fresh signup.
        "auth": {"auto-signup": False},
        "operations": [
            {
                "include-operation-id": operation,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", 401, 403, 404, 409, 429, *statuses]
                    }
                },
            }
            for operation, statuses in _BUSINESS_REFUSALS.items()
        ],
    }


def run_engine(schema: OpenApiSchema) -> tuple[list[str], int]:
    """Every failed check and engine error, described for a human; and the cases run."""
    problems: list[str] = []
    cases = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            if event.status in (Status.FAILURE, Status.ERROR):
                problems.extend(_describe(event))
        elif isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: error {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            problems.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            problems.extend(f"{f.operation}: {f.title}: {f.message}" for f in event.failures)
    return problems, cases


def _describe(event: events.ScenarioFinished) -> list[str]:
    found = []
    seen = set()
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            info = check.failure_info
            if check.status != Status.FAILURE or info is None:
                continue
            key = (event.recorder.label, check.name, info.failure.title)
            if key in seen:
                continue
            seen.add(key)
            found.append(
                f"{event.recorder.label} [{check.name}] {info.failure.title}: "
                f"{info.failure.message}\n    {info.code_sample}{_answer(event, case_id)}"
            )
    return found or [f"{event.recorder.label}: {event.status.value}"]


def _answer(event: events.ScenarioFinished, case_id: str) -> str:
    interaction = event.recorder.interactions.get(case_id)
    if interaction is None or interaction.response is None:
        return ""
    response = interaction.response
    return f"\n    -> {response.status_code} {response.content[:300]!r}"


@pytest.fixture(scope="session")
def linked_app(contract_app: FastAPI) -> FastAPI:
    link_demo_customer(load_contract_schema(contract_app, config(phases=[])))
    return contract_app


def contract_schema(app: FastAPI, *, phases: list[str]) -> OpenApiSchema:
    schema = load_contract_schema(app, config(phases=phases))
    schema.auth(refresh_interval=None)(DemoCustomerAuth)
    schema.hook(after_call)
    return schema


def test_every_operation_conforms(linked_app: FastAPI) -> None:
    started = time.monotonic()
    problems, cases = run_engine(
        contract_schema(linked_app, phases=["examples", "coverage", "fuzzing"])
    )
    print(f"schemathesis: {cases} cases in {time.monotonic() - started:.1f} s")
    assert not problems, "\n".join(problems)


def test_linked_operations_conform(linked_app: FastAPI) -> None:
    started = time.monotonic()
    problems, cases = run_engine(contract_schema(linked_app, phases=["stateful"]))
    print(f"schemathesis stateful: {cases} cases in {time.monotonic() - started:.1f} s")
    assert not problems, "\n".join(problems)
