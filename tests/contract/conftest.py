"""The app under schemathesis: in-process (ASGI), against its own sandboxes and database.

Schemathesis drives the app from synchronous test code through its ASGI transport, which
runs the app's lifespan and every request on one event-loop thread of its own. The
sandboxes are real servers, so they get a loop thread of their own too (an anyio portal);
the suite's session loop is not running while a synchronous test runs.

The app has its own database (a SQLite file, or a fresh PostgreSQL database when
`BFF_TEST_DATABASE_URL` is set): the demo customer is linked here, and WHMCS client ids
are unique per portal user.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import schemathesis
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI
from pydantic import SecretStr
from schemathesis.python import asgi
from schemathesis.specs.openapi.schemas import OpenApiSchema

from bff.app import create_app
from bff.settings import Settings
from integrations.sandbox import SandboxUrls, generate_dev_keypair, running_sandboxes
from integrations.sandbox.demo_data import TARO
from tests.helpers import TEST_REDIS_URL, make_settings, migrated_database

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
WEBHOOK_SECRET = "contract-test-webhook-secret-0123456789abcdef"

# `make fuzz` raises these; CI runs the defaults. Same seed, same cases, every run.
FUZZ_EXAMPLES = int(os.environ.get("BFF_FUZZ_EXAMPLES", "0"))
FUZZ_SEED = int(os.environ.get("BFF_FUZZ_SEED", "20261123"))


def contract_settings(database_url: str, redis_url: str, urls: SandboxUrls, key: str) -> Settings:
    return make_settings(
        database_url,
        redis_url,
        whmcs={"api_url": urls.whmcs_api_url, "webhook_secret": WEBHOOK_SECRET},
        salesforce={"login_url": urls.salesforce_login_url, "private_key_pem": SecretStr(key)},
        freebit={"base_url": urls.freebit_base_url},
        # The fuzzer fails thousands of logins from one client: no throttling delays, and
        # argon2 at its cheapest (hashing is not what this suite measures).
        auth={
            "throttle_account_free_attempts": 1_000_000,
            "throttle_ip_free_attempts": 1_000_000,
            "argon2_time_cost": 1,
            "argon2_memory_kib": 8 * 1024,
            "outbox_drain_interval_s": 0,
        },
    )


@pytest.fixture(scope="session")
def contract_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with migrated_database(tmp_path_factory.mktemp("contract")) as url:
        yield url


@pytest.fixture(scope="session")
def contract_app(contract_database: str) -> Iterator[FastAPI]:
    keys = generate_dev_keypair()
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(
            running_sandboxes(
                salesforce_public_key_pem=keys.public_key_pem,
                freebit_async_delay_seconds=0.05,
                pubsub_port=None,
            )
        ) as urls,
    ):
        settings = contract_settings(
            contract_database, TEST_REDIS_URL or "memory://", urls, keys.private_key_pem
        )
        app = create_app(settings)
        try:
            yield app
        finally:
            # Schemathesis started the app's lifespan on first use; close it (engine, Redis,
            # provider clients) while the sandboxes still answer.
            asgi.shutdown_lifespans()


def load_contract_schema(app: FastAPI, config: dict[str, Any]) -> OpenApiSchema:
    """The committed spec (what integrators read), bound to the in-process app."""
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=schemathesis.Config.from_dict(config))
    schema.app = app
    return schema


class DemoCustomerAuth:
    """A bearer token of the demo customer, fetched again once the session behind it ended.

    The fuzzer ends sessions too (`logout-all`, `DELETE /api/auth/sessions/{id}`): a 401
    to a request carrying the token (see `forget_ended_session`) makes the next case log in
    again. Schemathesis' own cache refreshes on a 401 only outside stateful runs.
    """

    token: ClassVar[str | None] = None

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        if DemoCustomerAuth.token is None:
            login = case.operation.schema["/api/auth/login"]["POST"]
            response = login.Case(
                body={"email": TARO.email, "password": TARO.password, "tokenTransport": "body"},
                media_type="application/json",
            ).call()
            assert response.status_code == 200, response.text
            DemoCustomerAuth.token = response.json()["accessToken"]
        return DemoCustomerAuth.token

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def after_call(
    context: schemathesis.HookContext, case: schemathesis.Case, response: schemathesis.Response
) -> None:
    """Forget the demo customer's token once a request carrying it is refused."""
    sent = response.request.headers.get("Authorization")
    if response.status_code == 401 and sent == f"Bearer {DemoCustomerAuth.token}":
        DemoCustomerAuth.token = None


def link_demo_customer(schema: OpenApiSchema) -> None:
    """Turn the demo customer's WHMCS login into a portal login (once per database)."""
    link = schema["/api/auth/link"]["POST"]
    response = link.Case(
        body={"email": TARO.email, "password": TARO.password, "tokenTransport": "body"},
        media_type="application/json",
    ).call()
    assert response.status_code in (201, 409), response.text
