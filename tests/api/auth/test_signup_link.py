"""Signup across WHMCS and Salesforce (resumable), and linking an existing billing customer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from integrations.sandbox import SandboxUrls
from integrations.sandbox.demo_data import HANAKO, TARO
from tests.api.auth.support import Users, bearer

SIGNUP_PASSWORD = "Kiyomizu-Temple-Stairs-9"
ACCOUNT_CREATE = "/services/data/v66.0/sobjects/Account"
ADDRESS = {
    "postcode": "600-8216",
    "prefecture": "京都府",
    "city": "京都市下京区",
    "street": "烏丸通塩小路下ル東塩小路町721-1",
    "country": "JP",
}


def signup_body(email: str | None = None, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "email": email or f"new-{uuid.uuid4().hex[:10]}@example.jp",
        "password": SIGNUP_PASSWORD,
        "firstName": "Yuki",
        "lastName": "Tanaka",
        "phone": "075-123-4567",
        "address": ADDRESS,
    }
    body.update(changes)
    return body


class Sandbox:
    def __init__(self, client: httpx.AsyncClient, urls: SandboxUrls) -> None:
        self._client = client
        self._urls = urls.control_urls()

    async def calls(self, system: str) -> dict[str, int]:
        response = await self._client.get(f"{self._urls[system]}/_sandbox/calls")
        counts: dict[str, int] = response.json()["counts"]
        return counts

    async def fault(self, system: str, **rule: object) -> None:
        response = await self._client.put(f"{self._urls[system]}/_sandbox/faults", json=rule)
        response.raise_for_status()

    async def clear(self) -> None:
        for base in self._urls.values():
            await self._client.delete(f"{base}/_sandbox/faults")


@pytest.fixture
async def sandbox(
    control: httpx.AsyncClient, auth_sandboxes: SandboxUrls
) -> AsyncIterator[Sandbox]:
    driver = Sandbox(control, auth_sandboxes)
    yield driver
    await driver.clear()


def _count(calls: dict[str, int], name: str) -> int:
    return sum(n for key, n in calls.items() if key.lower() == name.lower())


class TestSignup:
    async def test_creates_billing_and_crm_records_then_the_user(
        self, api: httpx.AsyncClient, users: Users, sandbox: Sandbox
    ) -> None:
        before = await sandbox.calls("whmcs")
        response = await api.post("/api/auth/signup", json=signup_body())
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["user"]["firstName"] == "Yuki"
        assert "bff_refresh=" in response.headers["set-cookie"]
        after = await sandbox.calls("whmcs")
        assert _count(after, "addclient") == _count(before, "addclient") + 1
        user = await users.get(uuid.UUID(body["user"]["id"]))
        assert user is not None
        assert user.whmcs_client_id is not None
        assert user.salesforce_account_id
        assert user.salesforce_contact_id
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        sessions = await api.get("/api/auth/sessions", headers=bearer(body["accessToken"]))
        assert sessions.status_code == 200

    async def test_existing_portal_email_is_409_and_creates_no_billing_client(
        self, api: httpx.AsyncClient, sandbox: Sandbox
    ) -> None:
        email = f"twice-{uuid.uuid4().hex[:8]}@example.jp"
        assert (await api.post("/api/auth/signup", json=signup_body(email))).status_code == 201
        before = await sandbox.calls("whmcs")
        again = await api.post("/api/auth/signup", json=signup_body(email.upper()))
        assert again.status_code == 409
        assert again.json()["code"] == "auth.email_taken"
        assert _count(await sandbox.calls("whmcs"), "addclient") == _count(before, "addclient")

    async def test_billing_customer_email_with_another_password_is_409(
        self, api: httpx.AsyncClient, sandbox: Sandbox
    ) -> None:
        response = await api.post("/api/auth/signup", json=signup_body(TARO.email))
        assert response.status_code == 409
        assert response.json()["code"] == "auth.email_taken"
        calls = await sandbox.calls("whmcs")
        assert _count(calls, "addclient") >= 1  # refused by WHMCS as a duplicate

    @pytest.mark.parametrize(
        ("password", "reason"),
        [
            ("short-pw", "at least 12"),
            ("password1234", "too common"),
            ("Iloveyou2026!", "too common"),
            ("111111111111", "too common"),
        ],
    )
    async def test_weak_passwords_are_422(
        self, api: httpx.AsyncClient, password: str, reason: str
    ) -> None:
        response = await api.post("/api/auth/signup", json=signup_body(password=password))
        assert response.status_code == 422
        problem = response.json()
        assert problem["code"] == "auth.weak_password"
        assert problem["errors"][0]["field"] == "password"
        assert reason in problem["errors"][0]["message"]
        assert password not in response.text

    async def test_password_equal_to_the_email_is_422(self, api: httpx.AsyncClient) -> None:
        email = f"samesame-{uuid.uuid4().hex[:6]}@example.jp"
        response = await api.post("/api/auth/signup", json=signup_body(email, password=email))
        assert response.status_code == 422
        assert "email" in response.json()["errors"][0]["message"]

    async def test_invalid_address_and_phone_are_422(self, api: httpx.AsyncClient) -> None:
        bad = signup_body(phone="call me", address={**ADDRESS, "postcode": "12"})
        response = await api.post("/api/auth/signup", json=bad)
        assert response.status_code == 422
        fields = {error["field"] for error in response.json()["errors"]}
        assert "phone" in fields
        assert any(field.startswith("address") for field in fields)

    async def test_a_signup_interrupted_after_billing_resumes_on_retry(
        self, api: httpx.AsyncClient, users: Users, sandbox: Sandbox
    ) -> None:
        body = signup_body()
        await sandbox.fault("salesforce", path=ACCOUNT_CREATE, errorStatus=500, times=1)
        failed = await api.post("/api/auth/signup", json=body)
        assert failed.status_code == 502
        assert failed.json()["code"] == "upstream.error"
        login = await api.post(
            "/api/auth/login", json={"email": body["email"], "password": SIGNUP_PASSWORD}
        )
        assert login.status_code == 401  # no half-linked portal user was left behind

        retried = await api.post("/api/auth/signup", json=body)
        assert retried.status_code == 201, retried.text
        user = await users.get(uuid.UUID(retried.json()["user"]["id"]))
        assert user is not None
        assert user.salesforce_account_id
        # The retry took over the client the first attempt created: still one client.
        other = await api.post(
            "/api/auth/signup", json=signup_body(str(body["email"]).replace("new-", "other-"))
        )
        assert other.status_code == 201

    async def test_someone_else_cannot_take_over_an_interrupted_signup(
        self, api: httpx.AsyncClient, sandbox: Sandbox
    ) -> None:
        body = signup_body()
        await sandbox.fault("salesforce", path=ACCOUNT_CREATE, errorStatus=500, times=1)
        assert (await api.post("/api/auth/signup", json=body)).status_code == 502
        hijack = await api.post(
            "/api/auth/signup", json={**body, "password": "A-Different-Secret-77"}
        )
        assert hijack.status_code == 409
        assert hijack.json()["code"] == "auth.email_taken"


class TestLink:
    async def test_links_an_existing_billing_customer_once(self, api: httpx.AsyncClient) -> None:
        credentials = {"email": HANAKO.email, "password": HANAKO.password}
        first = await api.post("/api/auth/link", json=credentials)
        # Another test module sharing this database may have linked the demo customer.
        assert first.status_code in (201, 409), first.text
        if first.status_code == 201:
            assert first.json()["user"]["email"] == HANAKO.email
            assert first.json()["user"]["lastName"] == HANAKO.last_name
        again = await api.post("/api/auth/link", json=credentials)
        assert again.status_code == 409
        assert again.json()["code"] == "auth.already_linked"
        login = await api.post("/api/auth/login", json=credentials)
        assert login.status_code == 200

    @pytest.mark.parametrize(
        "credentials",
        [
            {"email": TARO.email, "password": "not-taros-password"},
            {"email": "nobody-here@example.jp", "password": "whatever-whatever"},
        ],
    )
    async def test_wrong_billing_credentials_are_401(
        self, api: httpx.AsyncClient, credentials: dict[str, str]
    ) -> None:
        response = await api.post("/api/auth/link", json=credentials)
        assert response.status_code == 401
        assert response.json()["code"] == "auth.invalid_credentials"
