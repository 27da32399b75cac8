"""Salesforce Product2 + PricebookEntry rows -> catalog."""

import logging
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.catalog import CatalogEntry, Product, ProductCategory
from domain.catalog.providers.salesforce import (
    catalog_from_salesforce_pricebook_entries,
    catalog_from_salesforce_products,
    parse_attributes,
)
from domain.common import BillingCycle, Money, ProviderPayloadError

Payload = Callable[[str, str], Any]


def test_products_with_pricebook_entry_subquery(
    payload: Payload, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        sim, fiber, gift, vpn = catalog_from_salesforce_products(
            payload("salesforce", "catalog_products")
        )
    assert sim.product.sku == "SIM-DATA-20G" and sim.product.category is ProductCategory.SIM
    assert sim.product.price_for(BillingCycle.MONTHLY) == Money.of(1980, "JPY")
    assert sim.product.price_for(BillingCycle.ANNUALLY) == Money.of(21780, "JPY")
    assert sim.product.price_for(BillingCycle.ONE_TIME) is None
    # The inactive 1500 entry is not offered.
    assert sim.pricebook_entry_ids == {
        BillingCycle.MONTHLY: "01uRO0000001AAAYA1",
        BillingCycle.ANNUALLY: "01uRO0000001AABYA1",
    }
    assert (sim.active, sim.crm_product_id, sim.billing_product_id) == (
        True,
        "01tRO00000A1AAAYA3",
        "3",
    )
    assert sim.product.attributes == {
        "dataCapMb": 20480,
        "voice": False,
        "topUpSizesMb": ["1024", "3072"],
        "network": '{"lte": true}',
        "speedMbps": "225.5",
    }
    assert fiber.product.description == "" and fiber.product.attributes == {}
    assert [p.billing_cycle for p in fiber.product.prices] == [
        BillingCycle.MONTHLY,
        BillingCycle.ONE_TIME,
    ]
    assert gift.product.category is ProductCategory.UNKNOWN and gift.product.prices == ()
    assert gift.active is False and gift.product.attributes == {}
    assert vpn.product.attributes == {}  # a JSON array is not an attribute object
    assert [p.billing_cycle for p in vpn.product.prices] == [BillingCycle.MONTHLY]
    messages = {r.getMessage() for r in caplog.records}
    assert {"unknown provider status", "unreadable product attributes"} <= messages


def test_product_json_matches_the_contract(payload: Payload) -> None:
    entry = catalog_from_salesforce_products(payload("salesforce", "catalog_products"))[1]
    assert entry.product.model_dump(mode="json") == {
        "sku": "NET-FIBER-1G",
        "name": "Fiber Home 1G",
        "category": "internet",
        "description": "",
        "prices": [
            {"billingCycle": "monthly", "price": {"amount": "5500.00", "currency": "JPY"}},
            {"billingCycle": "one_time", "price": {"amount": "16500.00", "currency": "JPY"}},
        ],
        "attributes": {},
    }


def test_pricebook_entry_rows_are_grouped_per_product(payload: Payload) -> None:
    sim, voice = catalog_from_salesforce_pricebook_entries(
        payload("salesforce", "catalog_pricebook_entries")
    )
    assert sim.product.sku == "SIM-DATA-20G"
    assert [p.billing_cycle for p in sim.product.prices] == [
        BillingCycle.MONTHLY,
        BillingCycle.ANNUALLY,
    ]
    assert voice.product.category is ProductCategory.OPTION and voice.billing_product_id == "12"


def test_both_query_shapes_give_the_same_product(payload: Payload) -> None:
    from_products = catalog_from_salesforce_products(payload("salesforce", "catalog_products"))[0]
    from_entries = catalog_from_salesforce_pricebook_entries(
        payload("salesforce", "catalog_pricebook_entries")
    )[0]
    assert from_entries.product.model_copy(
        update={"attributes": {}}
    ) == from_products.product.model_copy(update={"attributes": {}})


def test_rows_missing_what_we_need_are_payload_errors() -> None:
    with pytest.raises(ProviderPayloadError, match="ProductCode"):
        catalog_from_salesforce_products([{"Id": "01t1", "Name": "No code"}])
    with pytest.raises(ProviderPayloadError, match=r"\[0\]\.Product2"):
        catalog_from_salesforce_pricebook_entries({"records": [{"Id": "01u1", "UnitPrice": 1}]})
    with pytest.raises(ProviderPayloadError, match="UnitPrice"):
        catalog_from_salesforce_products(
            [
                {
                    "Id": "01t1",
                    "ProductCode": "X",
                    "PricebookEntries": {"records": [{"Id": "01u", "UnitPrice": "n/a"}]},
                }
            ]
        )


def test_parse_attributes_edge_cases() -> None:
    assert parse_attributes(None, product_id="x") == {}
    assert parse_attributes('{"a": [1, "b"]}', product_id="x") == {"a": '[1, "b"]'}


prices = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def product_rows(draw: st.DrawFn) -> dict[str, Any]:
    entries = [
        {
            "attributes": {"type": "PricebookEntry"},
            "Id": f"01u{index}",
            "UnitPrice": float(draw(prices))
            if draw(st.booleans())
            else int(draw(st.integers(0, 10**6))),
            "IsActive": draw(st.booleans()),
            "Billing_Cycle__c": draw(
                st.sampled_from(["Monthly", "Annually", "One-time", "Weekly", None])
            ),
        }
        for index in range(draw(st.integers(0, 4)))
    ]
    return {
        "attributes": {"type": "Product2", "url": "/x"},
        "Id": draw(st.from_regex(r"01t[A-Za-z0-9]{5}", fullmatch=True)),
        "Name": draw(st.one_of(st.none(), st.text(min_size=1, max_size=20))),
        "ProductCode": draw(st.from_regex(r"[A-Z][A-Z0-9-]{2,12}", fullmatch=True)),
        "Family": draw(st.sampled_from(["SIM", "Internet", "VPN", "Option", "Other", None])),
        "IsActive": draw(st.booleans()),
        "PricebookEntries": {"totalSize": len(entries), "done": True, "records": entries}
        if entries
        else None,
    }


@given(rows=st.lists(product_rows(), max_size=5))
def test_any_catalog_maps_to_one_price_per_cycle_and_no_float(
    rows: list[dict[str, Any]], assert_no_floats: Callable[[Any], None]
) -> None:
    entries = catalog_from_salesforce_products(
        {"totalSize": len(rows), "done": True, "records": rows}
    )
    assert len(entries) == len(rows)
    for entry in entries:
        cycles = [p.billing_cycle for p in entry.product.prices]
        assert len(cycles) == len(set(cycles)) and BillingCycle.UNKNOWN not in cycles
        assert set(entry.pricebook_entry_ids) == set(cycles)
        assert_no_floats(entry)
        assert Product.model_validate_json(entry.product.model_dump_json()) == entry.product
        # The BFF caches whole entries as JSON; they must come back identical.
        assert CatalogEntry.model_validate_json(entry.model_dump_json()) == entry
