"""`/api/support/cases` against the Salesforce sandbox."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.api.features.conftest import Sandbox, as_

NEW_CASE = {
    "subject": "APNが分からない",
    "description": "設定方法を教えてください。",
    "category": "sim",
}


async def _case_id(api: httpx.AsyncClient, customer: str, number: str) -> str:
    body = (await api.get("/api/support/cases", headers=as_(customer))).json()
    return str(next(c["id"] for c in body["items"] if c["caseNumber"] == number))


async def test_list_newest_first(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/support/cases", headers=as_("hanako"))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    numbers = [c["caseNumber"] for c in body["items"]]
    assert numbers == ["00001003", "00001004", "00001005"]
    assert set(body["items"][0]) == {
        "id", "caseNumber", "subject", "description", "category", "status", "priority",
        "createdAt", "updatedAt",
    }  # fmt: skip


@pytest.mark.parametrize(("status", "total"), [("open", 2), ("closed", 1)])
async def test_status_filter(api: httpx.AsyncClient, status: str, total: int) -> None:
    body = (
        await api.get("/api/support/cases", params={"status": status}, headers=as_("hanako"))
    ).json()
    assert body["total"] == total
    assert all((c["status"] == "closed") == (status == "closed") for c in body["items"])


async def test_paging(api: httpx.AsyncClient) -> None:
    body = (
        await api.get(
            "/api/support/cases", params={"pageSize": 2, "page": 2}, headers=as_("hanako")
        )
    ).json()
    assert body["total"] == 3 and len(body["items"]) == 1


async def test_detail_has_public_comments_only(api: httpx.AsyncClient) -> None:
    case_id = await _case_id(api, "taro", "00001002")
    response = await api.get(f"/api/support/cases/{case_id}", headers=as_("taro"))
    assert response.status_code == 200
    comments = response.json()["comments"]
    assert [c["author"] for c in comments] == ["agent", "customer"]
    assert all("internal" not in c["body"] for c in comments)


@pytest.mark.parametrize("case_id", ["500000000000000AAA", "not-an-id"])
async def test_missing_case_is_404(api: httpx.AsyncClient, case_id: str) -> None:
    response = await api.get(f"/api/support/cases/{case_id}", headers=as_("taro"))
    assert response.status_code == 404
    assert response.json()["code"] == "support.case_not_found"


async def test_create_case_and_comment(api: httpx.AsyncClient) -> None:
    created = await api.post("/api/support/cases", json=NEW_CASE, headers=as_("kenji"))
    assert created.status_code == 201
    case = created.json()
    assert case["subject"] == NEW_CASE["subject"] and case["category"] == "sim"
    assert case["priority"] == "medium" and case["status"] == "new"
    assert created.headers["Location"] == f"/api/support/cases/{case['id']}"
    comment = await api.post(
        f"/api/support/cases/{case['id']}/comments",
        json={"body": "追記です。"},
        headers=as_("kenji"),
    )
    assert comment.status_code == 201
    assert comment.json()["author"] == "customer"
    detail = (await api.get(f"/api/support/cases/{case['id']}", headers=as_("kenji"))).json()
    assert [c["body"] for c in detail["comments"]] == ["追記です。"]
    listed = (await api.get("/api/support/cases", headers=as_("kenji"))).json()
    assert listed["total"] == 1


async def test_create_validation(api: httpx.AsyncClient) -> None:
    for body in ({**NEW_CASE, "subject": ""}, {**NEW_CASE, "category": "gossip"}, {}):
        response = await api.post("/api/support/cases", json=body, headers=as_("kenji"))
        assert response.status_code == 422
    empty = await api.post(
        "/api/support/cases/500000000000000AAA/comments", json={"body": ""}, headers=as_("kenji")
    )
    assert empty.status_code == 422


async def test_create_with_idempotency_key_under_concurrency(
    api: httpx.AsyncClient, salesforce_box: Sandbox
) -> None:
    await salesforce_box.fault(path="/services/data/v66.0/sobjects/Case", latencyMs=200)
    headers = as_("kenji", **{"Idempotency-Key": "case-1"})
    responses = await asyncio.gather(
        *(api.post("/api/support/cases", json=NEW_CASE, headers=headers) for _ in range(8))
    )
    assert {r.status_code for r in responses} <= {201, 409}
    await salesforce_box.clear()
    replay = await api.post("/api/support/cases", json=NEW_CASE, headers=headers)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers["Location"].endswith(replay.json()["id"])
    listed = (await api.get("/api/support/cases", headers=as_("kenji"))).json()
    assert listed["total"] == 1


async def test_same_key_different_case_is_422(api: httpx.AsyncClient) -> None:
    headers = as_("kenji", **{"Idempotency-Key": "case-2"})
    assert (await api.post("/api/support/cases", json=NEW_CASE, headers=headers)).status_code == 201
    other = await api.post(
        "/api/support/cases", json={**NEW_CASE, "subject": "別件"}, headers=headers
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"


async def test_keys_are_per_customer(api: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "shared-key"}
    a = await api.post("/api/support/cases", json=NEW_CASE, headers=as_("kenji", **key))
    b = await api.post("/api/support/cases", json=NEW_CASE, headers=as_("taro", **key))
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert "Idempotent-Replayed" not in b.headers


@pytest.mark.parametrize(
    ("rule", "status"),
    [({"errorStatus": 503}, 503), ({"hang": True}, 504), ({"errorStatus": 500}, 502)],
)
async def test_salesforce_faults(
    api: httpx.AsyncClient, salesforce_box: Sandbox, rule: dict[str, object], status: int
) -> None:
    await salesforce_box.fault(path="/services/data", **rule)
    response = await api.get("/api/support/cases", headers=as_("taro"))
    assert response.status_code == status


async def test_a_page_beyond_the_soql_offset_limit_is_empty(api: httpx.AsyncClient) -> None:
    response = await api.get(
        "/api/support/cases", params={"page": 30, "pageSize": 100}, headers=as_("hanako")
    )
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["total"] == 3
