"""GET /api/me is cached per owner; a PATCH is visible at once."""

from __future__ import annotations

import httpx
import pytest

from integrations.sandbox import SandboxUrls
from tests.api.auth.support import bearer
from tests.api.me.test_me import signup


@pytest.fixture
async def customer(me_api: httpx.AsyncClient) -> dict[str, object]:
    return await signup(me_api)


async def _whmcs_calls(control: httpx.AsyncClient, urls: SandboxUrls) -> int:
    counts = (await control.get(f"{urls.control_urls()['whmcs']}/_sandbox/calls")).json()
    return sum(counts["counts"].values())


async def test_a_repeated_get_calls_no_provider_and_a_patch_shows_at_once(
    me_api: httpx.AsyncClient,
    customer: dict[str, object],
    sandbox_control: httpx.AsyncClient,
    me_sandboxes: SandboxUrls,
) -> None:
    headers = bearer(customer["accessToken"])
    first = await me_api.get("/api/me", headers=headers)
    calls = await _whmcs_calls(sandbox_control, me_sandboxes)
    second = await me_api.get("/api/me", headers=headers)
    assert second.status_code == 200
    assert second.content == first.content
    assert second.headers["cache-control"] == "no-store"  # personal: never in shared caches
    assert await _whmcs_calls(sandbox_control, me_sandboxes) == calls

    patched = await me_api.patch("/api/me", json={"phone": "090-1234-5678"}, headers=headers)
    assert patched.status_code == 200, patched.text
    after = await me_api.get("/api/me", headers=headers)
    assert after.json()["phone"] == "090-1234-5678"
    assert after.json() == patched.json()


async def test_each_customer_gets_only_their_own_profile(
    me_api: httpx.AsyncClient,
    customer: dict[str, object],
) -> None:
    other = await signup(me_api)
    for _ in range(2):  # cold, then from the caches
        mine = (await me_api.get("/api/me", headers=bearer(customer["accessToken"]))).json()
        theirs = (await me_api.get("/api/me", headers=bearer(other["accessToken"]))).json()
        assert (mine["email"], theirs["email"]) == (customer["email"], other["email"])
        assert mine["id"] == customer["user"]["id"]  # type: ignore[index]
        assert theirs["id"] == other["user"]["id"]  # type: ignore[index]
