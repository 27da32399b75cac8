"""Salesforce client against the Salesforce sandbox: OAuth, query paging, CRUD, composite."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest

from domain.orders.contract import OrderStatus
from domain.support.contract import CaseStatusFilter, NewCase, NewCaseComment
from integrations.http import build_http_client
from integrations.metrics import IntegrationMetrics
from integrations.salesforce import (
    SalesforceApiError,
    SalesforceAuthError,
    SalesforceClient,
    SalesforceConfig,
    SalesforceNotFound,
    soql,
)
from integrations.sandbox import generate_dev_keypair
from integrations.sandbox.demo_data import HANAKO, KENJI, TARO
from tests.integrations.factories import Faults, priced_order


async def test_query_follows_next_records_url(salesforce: SalesforceClient) -> None:
    # The test sandbox answers in batches of 5, so 15 products take three pages.
    answer = await salesforce.query(soql("SELECT Id, ProductCode FROM Product2 ORDER BY Id"))
    assert answer["totalSize"] == len(answer["records"]) == 15
    codes = [r["ProductCode"] for r in answer["records"]]
    assert len(set(codes)) == 15


async def test_catalog_maps_every_category_with_jpy_prices(salesforce: SalesforceClient) -> None:
    catalog = await salesforce.get_catalog()
    assert len(catalog) >= 12
    assert {e.product.category.value for e in catalog} == {"sim", "internet", "vpn", "option"}
    for entry in catalog:
        assert entry.product.prices
        assert all(p.price.currency == "JPY" for p in entry.product.prices)
    sim = next(e for e in catalog if e.product.sku == "SIM-VOICE-10G")
    assert sim.billing_product_id == "2"
    assert sim.product.attributes["planCode"] == "PV010"


async def test_find_account_by_billing_client(salesforce: SalesforceClient) -> None:
    found = await salesforce.find_account(str(HANAKO.client_id))
    assert found is not None
    account, contacts = found
    assert account.account_id == HANAKO.account_id
    assert [c.contact_id for c in contacts] == [HANAKO.contact_id]
    assert await salesforce.find_account("999") is None


async def test_orders_page_newest_first_and_ownership(salesforce: SalesforceClient) -> None:
    page = await salesforce.get_orders(HANAKO.account_id, page=1, page_size=3)
    assert page.total == 4
    assert [o.created_at for o in page.items] == sorted(
        (o.created_at for o in page.items), reverse=True
    )
    order = await salesforce.get_order(HANAKO.account_id, page.items[0].id)
    assert order.status is OrderStatus.DRAFT
    assert [i.sku for i in order.items] == ["VPN-PRO"]
    with pytest.raises(SalesforceNotFound):
        await salesforce.get_order(TARO.account_id, page.items[0].id)


async def test_create_order_with_items_then_approve_and_update(
    salesforce: SalesforceClient, salesforce_sandbox: Faults
) -> None:
    catalog = {e.product.sku: e for e in await salesforce.get_catalog()}
    entries = {
        sku: catalog[sku].pricebook_entry_ids[next(iter(catalog[sku].pricebook_entry_ids))]
        for sku in ("SIM-VOICE-10G", "OPT-VOICEMAIL")
    }
    order = priced_order(
        ("SIM-VOICE-10G", "2", 1), ("OPT-VOICEMAIL", "12", 2), pricebook_entry_ids=entries
    )
    order_id = await salesforce.create_order(
        order, account_id=KENJI.account_id, effective_date=date.today()
    )
    created = await salesforce.get_order(KENJI.account_id, order_id)
    assert created.status is OrderStatus.DRAFT
    assert [i.quantity for i in created.items] == [1, 2]
    assert created.total.amount == order.total.amount

    (await salesforce_sandbox.post(f"/_sandbox/orders/{order_id}/approve")).raise_for_status()
    assert (await salesforce.get_order(KENJI.account_id, order_id)).status is OrderStatus.APPROVED

    await salesforce.update_order_status(
        order_id, OrderStatus.ACTIVE, billing_order_id="77", subscription_ids=["7", "8"]
    )
    active = await salesforce.get_order(KENJI.account_id, order_id)
    assert active.status is OrderStatus.ACTIVE
    assert active.subscription_ids == ("7", "8")


async def test_composite_all_or_none_rolls_back(salesforce: SalesforceClient) -> None:
    order = priced_order(("VPN-PRO", "10", 1), pricebook_entry_ids={"VPN-PRO": "01u5gNOPE"})
    with pytest.raises(SalesforceApiError) as caught:
        await salesforce.create_order(
            order, account_id=KENJI.account_id, effective_date=date.today()
        )
    assert caught.value.code == "FIELD_INTEGRITY_EXCEPTION"
    assert (await salesforce.get_orders(KENJI.account_id)).total == 0


async def test_sobject_create_get_update_and_collections(salesforce: SalesforceClient) -> None:
    contact_id = await salesforce.create(
        "Contact", {"AccountId": KENJI.account_id, "LastName": "佐藤", "FirstName": "次郎"}
    )
    record = await salesforce.get_record("Contact", contact_id, ["LastName", "Account.Name"])
    assert record["LastName"] == "佐藤"
    assert record["Account"]["Name"] == "佐藤 健二"
    await salesforce.update("Contact", contact_id, {"Phone": "090-9999-0000"})
    assert (await salesforce.get_record("Contact", contact_id))["Phone"] == "090-9999-0000"

    results = await salesforce.create_collection(
        [
            {"attributes": {"type": "Contact"}, "LastName": "一"},
            {"attributes": {"type": "Contact"}, "FirstName": "no last name"},
        ],
        all_or_none=False,
    )
    assert [r.success for r in results] == [True, False]
    assert results[1].errors[0].code == "REQUIRED_FIELD_MISSING"
    assert results[1].errors[0].fields == ("LastName",)
    updated = await salesforce.update_collection(
        [{"attributes": {"type": "Contact"}, "id": results[0].id, "Phone": "03-0000-0000"}]
    )
    assert updated[0].success


async def test_error_array_becomes_typed_error_without_message(
    salesforce: SalesforceClient,
) -> None:
    with pytest.raises(SalesforceApiError) as caught:
        await salesforce.query(soql("SELECT Nope__c FROM Account"))
    assert caught.value.code == "INVALID_FIELD"
    assert caught.value.status == 400
    assert "Nope__c" not in str(caught.value)
    with pytest.raises(SalesforceNotFound):
        await salesforce.get_record("Account", "001000000000000AAA")


async def test_cases_list_detail_create_and_comment(salesforce: SalesforceClient) -> None:
    open_cases = await salesforce.get_cases(HANAKO.account_id, status=CaseStatusFilter.OPEN)
    closed = await salesforce.get_cases(HANAKO.account_id, status=CaseStatusFilter.CLOSED)
    assert (open_cases.total, closed.total) == (2, 1)

    case_id = await salesforce.create_case(
        NewCase.model_validate(
            {
                "subject": "SIMが届かない",
                "description": "注文から1週間経ちました",
                "category": "order",
            }
        ),
        account_id=KENJI.account_id,
        contact_id=KENJI.contact_id,
    )
    listed = await salesforce.get_cases(KENJI.account_id)
    assert [c.id for c in listed.items] == [case_id]

    await salesforce.add_case_comment(
        KENJI.account_id,
        case_id,
        NewCaseComment.model_validate({"body": "追跡番号を教えてください"}),
    )
    detail = await salesforce.get_case(KENJI.account_id, case_id)
    assert [(c.body, c.author.value) for c in detail.comments] == [
        ("追跡番号を教えてください", "customer")
    ]
    with pytest.raises(SalesforceNotFound):
        await salesforce.get_case(TARO.account_id, case_id)
    with pytest.raises(SalesforceNotFound):
        await salesforce.add_case_comment(TARO.account_id, case_id, NewCaseComment(body="x"))


async def test_agent_comments_and_unpublished_ones(salesforce: SalesforceClient) -> None:
    cases = await salesforce.get_cases(TARO.account_id, status=CaseStatusFilter.CLOSED)
    detail = await salesforce.get_case(TARO.account_id, cases.items[0].id)
    assert [c.author.value for c in detail.comments] == ["agent", "customer"]


async def test_bad_assertion_is_refused(
    salesforce_config: SalesforceConfig, metrics: IntegrationMetrics
) -> None:
    wrong_key = replace(salesforce_config, private_key_pem=generate_dev_keypair().private_key_pem)
    wrong_user = replace(salesforce_config, username="someone@else.example")
    wrong_audience = replace(salesforce_config, audience="https://test.salesforce.com")
    for config in (wrong_key, wrong_user, wrong_audience):
        async with build_http_client(config) as http:
            client = SalesforceClient(http, config, metrics=metrics)
            with pytest.raises(SalesforceAuthError) as caught:
                await client.query(soql("SELECT Id FROM Account"))
            assert caught.value.code == "invalid_grant"


async def test_expired_session_refreshes_once_and_retries(
    salesforce: SalesforceClient, salesforce_sandbox: Faults
) -> None:
    await salesforce.query(soql("SELECT Id FROM Account"))
    (await salesforce_sandbox.post("/_sandbox/tokens/expire")).raise_for_status()
    answer = await salesforce.query(soql("SELECT Id FROM Account"))
    assert answer["totalSize"] == 3
    counts = await salesforce_sandbox.counts()
    assert counts["/services/oauth2/token"] == 2
    assert counts["query"] == 3  # first query, the refused one, its retry


async def test_a_second_invalid_session_surfaces(
    salesforce: SalesforceClient, salesforce_sandbox: Faults
) -> None:
    await salesforce_sandbox.set(path="/services/data", errorStatus=401)
    with pytest.raises(SalesforceApiError) as caught:
        await salesforce.query(soql("SELECT Id FROM Account"))
    assert caught.value.code == "INVALID_SESSION_ID"
    assert (await salesforce_sandbox.counts())["/services/oauth2/token"] == 2


async def test_token_fetch_is_single_flight_under_50_callers(
    salesforce: SalesforceClient, salesforce_sandbox: Faults
) -> None:
    await salesforce_sandbox.set(path="/services/oauth2/token", latencyMs=100)
    answers = await asyncio.gather(
        *(salesforce.count(soql("SELECT COUNT() FROM Account")) for _ in range(50))
    )
    assert answers == [3] * 50
    counts = await salesforce_sandbox.counts()
    assert counts["/services/oauth2/token"] == 1
    assert counts["query"] == 50


async def test_limit_info_is_exported(
    salesforce: SalesforceClient, metrics: IntegrationMetrics
) -> None:
    await salesforce.query(soql("SELECT Id FROM Account"))
    await salesforce.query(soql("SELECT Id FROM Contact"))
    assert metrics.salesforce_api_usage._value.get() == 2
    assert metrics.salesforce_api_limit._value.get() == 15000
