"""WHMCS GetClientsProducts -> subscriptions, and the service -> SIM link."""

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.catalog import ProductCategory
from domain.common import BillingCycle, Money, ProviderPayloadError
from domain.subscriptions import SimLink, SubscriptionStatus
from domain.subscriptions.providers.whmcs import (
    SIM_ICCID_FIELD,
    SIM_MSISDN_FIELD,
    WhmcsClientProduct,
    normalize_msisdn,
    parse_clients_products,
    sim_link_from_whmcs,
    subscription_page_from_whmcs,
    subscriptions_from_whmcs,
)

Payload = Callable[[str, str], Any]


def test_services_map_with_status_cycle_category_and_identifier(payload: Payload) -> None:
    sim, fiber, vpn, esim = subscriptions_from_whmcs(payload("whmcs", "get_clients_products"))
    assert (sim.id, sim.category, sim.status, sim.billing_cycle) == (
        "55",
        ProductCategory.SIM,
        SubscriptionStatus.ACTIVE,
        BillingCycle.MONTHLY,
    )
    assert sim.identifier == "09012345678"
    assert sim.recurring_amount == Money.of(1980, "JPY")
    assert sim.registered_on == date(2026, 4, 1) and sim.next_due_on == date(2026, 12, 1)
    assert fiber.product_name == "Fiber Home 1G"  # empty translated_name falls back to name
    assert (fiber.category, fiber.status) == (
        ProductCategory.INTERNET,
        SubscriptionStatus.SUSPENDED,
    )
    assert fiber.identifier == "yamada-home.example.jp"
    assert (vpn.status, vpn.billing_cycle, vpn.next_due_on) == (
        SubscriptionStatus.CANCELLED,
        BillingCycle.ANNUALLY,
        None,
    )
    assert vpn.identifier is None
    # A SIM service whose MSISDN is not stored yet is still a SIM product, with no link.
    assert (esim.category, esim.status, esim.identifier) == (
        ProductCategory.SIM,
        SubscriptionStatus.PENDING,
        None,
    )
    assert sim.model_dump(mode="json") == {
        "id": "55",
        "productName": "データSIM 20GB",
        "category": "sim",
        "status": "active",
        "billingCycle": "monthly",
        "recurringAmount": {"amount": "1980.00", "currency": "JPY"},
        "registeredOn": "2026-04-01",
        "nextDueOn": "2026-12-01",
        "identifier": "09012345678",
    }


def test_sim_link_is_read_from_custom_fields(payload: Payload) -> None:
    services = parse_clients_products(payload("whmcs", "get_clients_products")).products
    assert sim_link_from_whmcs(services[0]) == SimLink(
        msisdn="09012345678", iccid="8981100005500000017"
    )
    assert [sim_link_from_whmcs(s) for s in services[1:]] == [None, None, None]


def test_empty_products_page(payload: Payload) -> None:
    page = subscription_page_from_whmcs(
        payload("whmcs", "get_clients_products_empty"), page=1, page_size=20
    )
    assert page.items == [] and page.total == 0


def test_page_total_comes_from_totalresults(payload: Payload) -> None:
    page = subscription_page_from_whmcs(
        payload("whmcs", "get_clients_products"), page=1, page_size=2
    )
    assert page.total == 4 and len(page.items) == 4


def _service(**fields: Any) -> WhmcsClientProduct:
    return WhmcsClientProduct.model_validate({"id": "1", "regdate": "2026-01-01", **fields})


def _with_fields(**values: str) -> WhmcsClientProduct:
    custom = [
        {"id": str(i), "name": name, "value": value}
        for i, (name, value) in enumerate(values.items())
    ]
    return _service(customfields={"customfield": custom})


def test_unreadable_sim_link_is_logged_without_the_value(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert sim_link_from_whmcs(_with_fields(MSISDN="12345")) is None
        assert sim_link_from_whmcs(_with_fields(MSISDN="09012345678", ICCID="not-an-iccid")) is None
    assert len(caplog.records) == 2
    assert all("12345" not in r.getMessage() for r in caplog.records)


def test_sim_link_matches_translated_names_case_insensitively() -> None:
    service = _service(
        customfields=[
            {
                "id": "1",
                "name": "電話番号",
                "translated_name": "msisdn",
                "value": "＋81 90 1111 2222",
            },
            {"id": "2", "name": "iccid", "value": "8981 1000 0550 0000 017f"},
        ]
    )
    assert sim_link_from_whmcs(service) == SimLink(
        msisdn="09011112222", iccid="8981100005500000017F"
    )
    assert sim_link_from_whmcs(_with_fields(MSISDN="09011112222")) == SimLink(msisdn="09011112222")


def test_service_without_registration_date_is_a_payload_error() -> None:
    with pytest.raises(ProviderPayloadError, match="regdate"):
        subscriptions_from_whmcs({"products": {"product": [{"id": "1", "regdate": "0000-00-00"}]}})


@pytest.mark.parametrize(
    ("raw", "msisdn"),
    [
        ("09012345678", "09012345678"),
        ("090-1234-5678", "09012345678"),
        ("+81 90 1234 5678", "09012345678"),
        ("０９０１２３４５６７８", "09012345678"),
        ("(090) 1234.5678", "09012345678"),
        ("0901234567", None),
        ("", None),
    ],
)
def test_normalize_msisdn(raw: str, msisdn: str | None) -> None:
    assert normalize_msisdn(raw) == msisdn


def test_field_names_are_stable() -> None:
    assert (SIM_MSISDN_FIELD, SIM_ICCID_FIELD) == ("MSISDN", "ICCID")


statuses = st.sampled_from(
    ["Pending", "Active", "Suspended", "Terminated", "Cancelled", "Fraud", "Completed", "Weird", ""]
)
cycles = st.sampled_from(
    ["Monthly", "Annually", "One Time", "Free Account", "Quarterly", "Decennially"]
)


@st.composite
def raw_services(draw: st.DrawFn) -> dict[str, Any]:
    msisdn = draw(st.from_regex(r"0[789]0\d{8}", fullmatch=True))
    fields = draw(
        st.sampled_from(
            ["", {"customfield": []}, {"customfield": {"name": "MSISDN", "value": msisdn}}]
        )
    )
    return {
        "id": str(draw(st.integers(1, 10**6))),
        "regdate": draw(
            st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1))
        ).isoformat(),
        "name": draw(st.text(min_size=1, max_size=30)),
        "groupname": draw(st.sampled_from(["SIM", "Internet", "VPN", "Options", "Legacy", ""])),
        "recurringamount": f"{draw(st.decimals(0, 100000, places=2)):.2f}",
        "billingcycle": draw(cycles),
        "nextduedate": draw(st.sampled_from(["0000-00-00", "2026-12-01", ""])),
        "status": draw(statuses),
        "customfields": fields,
    }


@given(services=st.lists(raw_services(), max_size=6))
def test_any_service_list_maps_without_crashing(
    services: list[dict[str, Any]], assert_no_floats: Callable[[Any], None]
) -> None:
    page = subscription_page_from_whmcs(
        {"totalresults": str(len(services)), "products": {"product": services} if services else ""},
        page=1,
        page_size=20,
    )
    assert [s.id for s in page.items] == [s["id"] for s in services]
    for raw, subscription in zip(services, page.items, strict=True):
        has_link = isinstance(raw["customfields"], dict) and isinstance(
            raw["customfields"]["customfield"], dict
        )
        assert (subscription.identifier is not None) == has_link
        if has_link:
            assert subscription.category is ProductCategory.SIM
    assert_no_floats(page)
