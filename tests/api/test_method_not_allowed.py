"""405 names every method of the path, also when they are separate routes (GET and POST)."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/orders", "GET, POST"),
        ("DELETE", "/api/me", "GET, PATCH"),
        ("PATCH", "/api/support/cases/5005g0000000001AAA", "GET"),
        ("GET", "/api/auth/login", "POST"),
    ],
)
async def test_allow_lists_every_method_of_the_path(
    client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json()["code"] == "route.method_not_allowed"
