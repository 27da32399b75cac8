"""WHMCS client against the WHMCS sandbox: every action, the envelope, the quirks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.billing.contract import InvoiceStatus
from domain.customer.contract import ContactDetails, ProfileUpdate
from domain.orders.contract import BillingOrderAcceptance
from integrations.sandbox.demo_data import HANAKO, KENJI, TARO
from integrations.whmcs import (
    WhmcsAuthError,
    WhmcsClient,
    WhmcsConfig,
    WhmcsDuplicateEmail,
    WhmcsInvalidLogin,
    WhmcsNotFound,
)
from tests.integrations.factories import Faults, priced_order


async def test_validate_login_accepts_every_demo_customer(whmcs: WhmcsClient) -> None:
    for customer in (TARO, HANAKO, KENJI):
        login = await whmcs.validate_login(customer.email, customer.password)
        assert login.user_id == str(customer.user_id)
        assert login.two_factor_enabled is False


async def test_validate_login_refuses_a_wrong_password(whmcs: WhmcsClient) -> None:
    with pytest.raises(WhmcsInvalidLogin) as caught:
        await whmcs.validate_login(TARO.email, "wrong-password")
    assert TARO.email not in str(caught.value)


async def test_wrong_api_credentials_are_an_auth_error(
    whmcs_config: WhmcsConfig, whmcs: WhmcsClient
) -> None:
    from dataclasses import replace

    from integrations.http import build_http_client

    bad = replace(whmcs_config, secret="nope")
    async with build_http_client(bad) as http:
        with pytest.raises(WhmcsAuthError):
            await WhmcsClient(http, bad).get_client("1")


async def test_get_client_and_find_by_email(whmcs: WhmcsClient) -> None:
    account = await whmcs.get_client(str(TARO.client_id))
    assert account.client_id == "1"
    assert account.contact.email == TARO.email
    found = await whmcs.find_client_by_email(HANAKO.email)
    assert found is not None
    assert found.client_id == "2"
    assert await whmcs.find_client_by_email("nobody@example.jp") is None
    with pytest.raises(WhmcsNotFound):
        await whmcs.get_client("999")


async def test_add_client_then_update_it(whmcs: WhmcsClient) -> None:
    contact = ContactDetails.model_validate(
        {
            "email": "new.customer@example.jp",
            "first_name": "一郎",
            "last_name": "田中",
            "phone": "090-0000-1111",
            "address": {
                "postcode": "100-0001",
                "prefecture": "東京都",
                "city": "千代田区",
                "street": "千代田1-1",
                "country": "JP",
            },
        }
    )
    client_id = await whmcs.add_client(contact, password="Sandbox-Password-1")
    assert (await whmcs.validate_login(contact.email, "Sandbox-Password-1")).user_id
    with pytest.raises(WhmcsDuplicateEmail):
        await whmcs.add_client(contact)
    update = ProfileUpdate.model_validate({"phone": "080-2222-3333"})
    assert await whmcs.update_client(client_id, update) == client_id
    assert (await whmcs.get_client(client_id)).contact.phone == "080-2222-3333"


async def test_get_invoices_pages_newest_first(whmcs: WhmcsClient) -> None:
    first = await whmcs.get_invoices(str(TARO.client_id), page=1, page_size=5)
    second = await whmcs.get_invoices(str(TARO.client_id), page=2, page_size=5)
    assert first.total == second.total == 20
    assert len(first.items) == len(second.items) == 5
    dates = [i.issued_on for i in [*first.items, *second.items]]
    assert dates == sorted(dates, reverse=True)
    assert {i.id for i in first.items}.isdisjoint({i.id for i in second.items})


async def test_get_invoices_filters_overdue(whmcs: WhmcsClient) -> None:
    overdue = await whmcs.get_invoices(str(TARO.client_id), status=InvoiceStatus.OVERDUE)
    assert overdue.total == 1
    assert overdue.items[0].status is InvoiceStatus.OVERDUE
    assert (await whmcs.get_invoices(str(KENJI.client_id))).total == 0


async def test_get_invoice_with_items_and_ownership(whmcs: WhmcsClient) -> None:
    page = await whmcs.get_invoices(str(HANAKO.client_id), page_size=1)
    invoice_id = page.items[0].id
    detail = await whmcs.get_invoice(invoice_id, client_id=str(HANAKO.client_id))
    assert len(detail.items) == 4
    assert detail.total.amount == sum(i.amount.amount for i in detail.items) * Decimal("1.1")
    with pytest.raises(WhmcsNotFound):
        await whmcs.get_invoice(invoice_id, client_id=str(TARO.client_id))
    with pytest.raises(WhmcsNotFound):
        await whmcs.get_invoice("424242", client_id=str(TARO.client_id))


async def test_pay_methods(whmcs: WhmcsClient) -> None:
    methods = await whmcs.get_pay_methods(str(HANAKO.client_id))
    assert [m.type.value for m in methods] == ["bank_account", "card"]
    assert methods[0].is_default
    card = (await whmcs.get_pay_methods(str(TARO.client_id)))[0]
    assert card.expiry == "2028-02"
    assert await whmcs.get_pay_methods(str(KENJI.client_id)) == ()


async def test_sso_link_for_one_invoice(whmcs: WhmcsClient) -> None:
    link = await whmcs.invoice_payment_link(str(TARO.client_id), "1019")
    assert "access_token=" in link.url
    home = await whmcs.create_sso_token(str(TARO.client_id))
    assert home.url != link.url


async def test_services_of_a_customer(whmcs: WhmcsClient) -> None:
    page = await whmcs.get_clients_products(str(HANAKO.client_id), page_size=10)
    assert page.total == 4
    assert {s.status.value for s in page.items} == {"active", "suspended"}
    service = await whmcs.get_service(str(HANAKO.client_id), "4")
    assert service.id == "4"
    with pytest.raises(WhmcsNotFound):
        await whmcs.get_service(str(TARO.client_id), "4")
    assert (await whmcs.get_clients_products(str(KENJI.client_id))).total == 0


async def test_add_order_then_accept_it_creates_active_services(
    whmcs: WhmcsClient, whmcs_sandbox: Faults
) -> None:
    placement = await whmcs.add_order(
        priced_order(("VPN-PRO", "10", 1)), client_id=str(KENJI.client_id)
    )
    assert placement.invoice_id is not None
    assert len(placement.service_ids) == 1
    pending = await whmcs.get_orders(order_id=placement.order_id)
    assert pending.orders[0].status == "Pending"
    assert await whmcs.accept_order(placement.order_id) is BillingOrderAcceptance.ACCEPTED
    assert await whmcs.accept_order(placement.order_id) is BillingOrderAcceptance.NOT_PENDING
    services = await whmcs.get_clients_products(str(KENJI.client_id))
    assert [s.status.value for s in services.items] == ["active"]
    orders = await whmcs.get_orders(client_id=str(KENJI.client_id))
    assert orders.total == 1
    assert orders.orders[0].service_ids == placement.service_ids
    assert (await whmcs_sandbox.counts())["AddOrder"] == 1


async def test_service_custom_fields_are_merged_and_rewriting_them_is_harmless(
    whmcs: WhmcsClient,
) -> None:
    placement = await whmcs.add_order(
        priced_order(("SIM-DATA-3G", "1", 1)),
        client_id=str(KENJI.client_id),
        custom_fields={5: "8015g0000000001AAA"},
    )
    (service_id,) = placement.service_ids
    for _ in range(2):  # the same values again change nothing
        await whmcs.update_service_custom_fields(
            service_id, {1: "07070000001", 2: "8981100000070000001"}
        )
    (sim,) = (await whmcs.get_clients_products(str(KENJI.client_id))).items
    assert (sim.category.value, sim.identifier) == ("sim", "07070000001")
    body = await whmcs.call("GetClientsProducts", {"serviceid": service_id}, idempotent=True)
    fields = {
        f["id"]: f["value"] for f in body["products"]["product"][0]["customfields"]["customfield"]
    }
    assert fields == {"1": "07070000001", "2": "8981100000070000001", "5": "8015g0000000001AAA"}
    with pytest.raises(WhmcsNotFound):
        await whmcs.update_service_custom_fields("999", {1: "07070000001"})


async def test_get_products_parses_jpy_pricing(whmcs: WhmcsClient) -> None:
    products = await whmcs.get_products()
    assert len(products) >= 12
    sim = next(p for p in products if p.pid == "2")
    assert sim.currency == "JPY"
    assert sim.prices == {"monthly": Decimal("1980.00")}
    only = await whmcs.get_products(product_ids=["6", "9"])
    assert {p.pid for p in only} == {"6", "9"}
    assert only[0].prices["annually"] > 0
