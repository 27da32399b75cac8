"""Every error is problem+json with a stable code and the request id, and loses nothing."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.api.conftest import PROBE_MAX_BODY
from tests.helpers import captured_log_lines

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:portal-bff:problem:{code}"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["requestId"] == response.headers["x-request-id"]
    return body


async def test_unknown_route_is_404_problem(probe: httpx.AsyncClient) -> None:
    assert_problem(await probe.get("/api/nope"), 404, "route.not_found")


async def test_wrong_method_is_405_problem_with_allow(probe: httpx.AsyncClient) -> None:
    response = await probe.delete("/health/live")
    assert_problem(response, 405, "route.method_not_allowed")
    assert response.headers["allow"] == "GET"


async def test_malformed_json_is_400(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/probe/orders", content=b'{"items": [', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "request.malformed_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_non_json_body_is_415(probe: httpx.AsyncClient, content_type: str) -> None:
    response = await probe.post(
        "/probe/orders", content=b"items=1", headers={"content-type": content_type}
    )
    assert_problem(response, 415, "request.unsupported_media_type")


async def test_json_suffix_media_types_are_accepted(probe: httpx.AsyncClient) -> None:
    body = {"items": [{"sku": "SIM-1", "quantity": 1}]}
    response = await probe.post(
        "/probe/orders",
        content=json.dumps(body),
        headers={"content-type": "application/merge-patch+json; charset=utf-8"},
    )
    assert response.status_code == 201
    assert response.json() == body


async def test_validation_errors_name_each_field(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/probe/orders", json={"items": [{"sku": "SIM-1", "quantity": 0}, {"quantity": "x"}]}
    )
    body = assert_problem(response, 422, "request.validation_failed")
    fields = {error["field"] for error in body["errors"]}  # type: ignore[attr-defined]
    assert fields == {"items[0].quantity", "items[1].sku", "items[1].quantity"}


async def test_validation_error_does_not_echo_input(probe: httpx.AsyncClient) -> None:
    secret = "hunter2-super-secret"
    response = await probe.post("/probe/orders", json={"items": [{"sku": 1, "quantity": secret}]})
    assert response.status_code == 422
    assert secret not in response.text


async def test_declared_body_over_limit_is_413(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/probe/orders",
        content=b"{" + b" " * PROBE_MAX_BODY + b"}",
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413, "request.too_large")


async def test_streamed_body_over_limit_is_413(probe: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(8):
            yield b" " * (PROBE_MAX_BODY // 4)

    response = await probe.post(
        "/probe/orders", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "request.too_large")


async def test_app_error_keeps_its_code(probe: httpx.AsyncClient) -> None:
    body = assert_problem(await probe.get("/probe/conflict"), 409, "probe.conflict")
    assert body["detail"] == "Already linked."


async def test_unhandled_error_is_generic_500(probe: httpx.AsyncClient) -> None:
    with captured_log_lines() as lines:
        response = await probe.get("/probe/boom")
    body = assert_problem(response, 500, "internal.error")
    assert "4111" not in response.text and "Traceback" not in response.text
    assert "alice" not in str(body)
    logged = "\n".join(lines)
    assert "request.unhandled_error" in logged and "RuntimeError" in logged
    assert "4111 1111" not in logged and "alice@example.com" not in logged


async def test_failed_request_leaves_nothing_half_written(probe: httpx.AsyncClient) -> None:
    assert_problem(await probe.post("/probe/write-then-fail"), 500, "internal.error")
    count = await probe.get("/probe/audit-count")
    assert count.json() == 0


async def test_request_past_its_deadline_is_504(probe: httpx.AsyncClient) -> None:
    assert_problem(await probe.get("/probe/slow"), 504, "request.timeout")


async def test_process_keeps_serving_after_bad_input(probe: httpx.AsyncClient) -> None:
    for payload in (b"\xff\xfe", b"[]", b"null", b'{"items": "x"}', b"9" * 1000):
        response = await probe.post(
            "/probe/orders", content=payload, headers={"content-type": "application/json"}
        )
        assert 400 <= response.status_code < 500
    assert (await probe.get("/health/live")).status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "code", "retry_after"),
    [
        ("upstream_unavailable", 503, "upstream.unavailable", "3"),
        ("circuit_open", 503, "upstream.unavailable", "30"),
        ("upstream_timeout", 504, "upstream.timeout", None),
        ("upstream_rejected", 502, "upstream.error", None),
        ("upstream_bad_response", 502, "upstream.error", None),
        ("bad_payload", 502, "upstream.error", None),
        ("not_found", 404, "resource.not_found", None),
        ("conflict", 409, "domain.conflict", None),
        ("validation", 422, "domain.validation_failed", None),
        ("domain", 422, "domain.currency_mismatch", None),
    ],
)
async def test_lower_layer_errors_map_to_problems(
    probe: httpx.AsyncClient, kind: str, status: int, code: str, retry_after: str | None
) -> None:
    response = await probe.get(f"/probe/raise/{kind}")
    body = assert_problem(response, status, code)
    assert response.headers.get("retry-after") == retry_after
    for provider_words in ("Client Not Found", "HTTP 500", "connect failed", "42", "total"):
        assert provider_words not in str(body["detail"])
    if kind == "validation":
        assert body["errors"] == [{"field": "items[0].sku", "message": "unknown sku"}]
