"""GET and PATCH /api/me against the WHMCS and Salesforce sandboxes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from integrations.sandbox import SandboxUrls
from integrations.sandbox.demo_data import TARO
from tests.api.auth.support import Users, bearer, login

PASSWORD = "Nara-Deer-Park-Crackers"
ADDRESS = {
    "postcode": "630-8211",
    "prefecture": "奈良県",
    "city": "奈良市",
    "street": "雑司町406-1",
    "building": "東大寺前",
    "country": "JP",
}
CONTACT_UPDATE = "/services/data/v66.0/sobjects/Contact"


async def signup(me_api: httpx.AsyncClient) -> dict[str, object]:
    """A brand-new customer (signed up through the API), with a bearer token."""
    email = f"me-{uuid.uuid4().hex[:10]}@example.jp"
    response = await me_api.post(
        "/api/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "firstName": "Sakura",
            "lastName": "Ito",
            "phone": "0742-22-5511",
            "address": ADDRESS,
            "tokenTransport": "body",
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    body["email"] = email
    return body


@pytest.fixture
async def customer(me_api: httpx.AsyncClient) -> dict[str, object]:
    return await signup(me_api)


@pytest.fixture
async def salesforce_faults(
    sandbox_control: httpx.AsyncClient, me_sandboxes: SandboxUrls
) -> AsyncIterator[str]:
    base = me_sandboxes.control_urls()["salesforce"]
    yield f"{base}/_sandbox/faults"
    await sandbox_control.delete(f"{base}/_sandbox/faults")


async def test_profile_of_a_new_customer(
    me_api: httpx.AsyncClient, customer: dict[str, object]
) -> None:
    response = await me_api.get("/api/me", headers=bearer(customer["accessToken"]))
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["id"] == customer["user"]["id"]  # type: ignore[index]
    assert profile["email"] == customer["email"]
    assert (profile["firstName"], profile["lastName"]) == ("Sakura", "Ito")
    assert profile["phone"] == "0742-22-5511"
    assert profile["address"]["prefecture"] == "奈良県"
    assert profile["address"]["building"] == "東大寺前"
    assert profile["createdAt"].endswith("Z")


async def test_profile_of_a_linked_demo_customer(me_api: httpx.AsyncClient) -> None:
    credentials = {"email": TARO.email, "password": TARO.password}
    linked = await me_api.post("/api/auth/link", json=credentials)
    assert linked.status_code in (201, 409), linked.text
    session = await login(me_api, TARO.email, TARO.password)
    profile = (await me_api.get("/api/me", headers=bearer(session["accessToken"]))).json()
    assert (profile["lastName"], profile["firstName"]) == (TARO.last_name, TARO.first_name)
    assert profile["address"]["city"] == TARO.city


async def test_patch_writes_billing_and_crm(
    me_api: httpx.AsyncClient,
    customer: dict[str, object],
    sandbox_control: httpx.AsyncClient,
    me_sandboxes: SandboxUrls,
) -> None:
    calls_url = f"{me_sandboxes.control_urls()['salesforce']}/_sandbox/calls"
    before = (await sandbox_control.get(calls_url)).json()["counts"]
    headers = bearer(customer["accessToken"])
    response = await me_api.patch("/api/me", json={"phone": "090-0000-1111"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["phone"] == "090-0000-1111"
    assert response.json()["address"]["prefecture"] == "奈良県"
    after = (await sandbox_control.get(calls_url)).json()["counts"]
    assert after.get("sobjects/Contact", 0) == before.get("sobjects/Contact", 0) + 1
    again = await me_api.get("/api/me", headers=headers)
    assert again.json()["phone"] == "090-0000-1111"

    moved = {**ADDRESS, "city": "奈良市登大路町", "building": None}
    response = await me_api.patch("/api/me", json={"address": moved}, headers=headers)
    assert response.status_code == 200
    assert response.json()["address"]["city"] == "奈良市登大路町"
    assert response.json()["address"].get("building") is None
    assert response.json()["phone"] == "090-0000-1111"


async def test_a_crm_failure_undoes_the_billing_change(
    me_api: httpx.AsyncClient,
    customer: dict[str, object],
    sandbox_control: httpx.AsyncClient,
    salesforce_faults: str,
) -> None:
    headers = bearer(customer["accessToken"])
    await sandbox_control.put(salesforce_faults, json={"path": CONTACT_UPDATE, "errorStatus": 500})
    response = await me_api.patch("/api/me", json={"phone": "090-9999-9999"}, headers=headers)
    assert response.status_code == 502
    assert response.json()["code"] == "upstream.error"
    await sandbox_control.delete(salesforce_faults)
    profile = (await me_api.get("/api/me", headers=headers)).json()
    assert profile["phone"] == "0742-22-5511"


@pytest.mark.parametrize(
    "body",
    [{}, {"phone": "not a phone"}, {"address": {"postcode": "1"}}, {"email": "x@example.jp"}],
)
async def test_invalid_updates_are_422(
    me_api: httpx.AsyncClient, customer: dict[str, object], body: dict[str, object]
) -> None:
    response = await me_api.patch("/api/me", json=body, headers=bearer(customer["accessToken"]))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_me_needs_a_token(me_api: httpx.AsyncClient) -> None:
    for method in ("GET", "PATCH"):
        response = await me_api.request(method, "/api/me", json={"phone": "090-1111-2222"})
        assert response.status_code == 401
        assert response.json()["code"] == "auth.unauthorized"


async def test_a_login_without_billing_links_is_403(
    me_api: httpx.AsyncClient, me_users: Users
) -> None:
    user = await me_users.create()
    session = await login(me_api, user.email)
    response = await me_api.get("/api/me", headers=bearer(session["accessToken"]))
    assert response.status_code == 403
    assert response.json()["code"] == "auth.not_linked"
