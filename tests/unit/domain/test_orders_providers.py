"""Orders <-> Salesforce (Order/OrderItem) and orders <-> WHMCS (AddOrder/AcceptOrder)."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.common import BillingCycle, Money, ProviderPayloadError, ValidationFailedError
from domain.orders import (
    BillingOrderAcceptance,
    BillingOrderStatus,
    OrderStatus,
    PricedOrder,
    PricedOrderLine,
)
from domain.orders.providers.salesforce import (
    order_from_salesforce,
    order_status_to_salesforce,
    order_summaries_from_salesforce,
    order_to_salesforce,
    orders_from_salesforce,
    provision_request_from_salesforce_event,
)
from domain.orders.providers.whmcs import (
    acceptance_from_whmcs,
    add_order_lines_from_params,
    billing_orders_from_whmcs,
    order_to_whmcs_add_order,
    placement_from_whmcs,
)

Payload = Callable[[str, str], Any]


def test_orders_from_query_rows(payload: Payload) -> None:
    active, failed, draft, odd = orders_from_salesforce(payload("salesforce", "orders"))
    assert (active.status, active.order_number, active.total) == (
        OrderStatus.ACTIVE,
        "00000101",
        Money.of(3960, "JPY"),
    )
    assert active.items[0].quantity == 2 and active.items[0].sku == "SIM-DATA-20G"
    assert active.subscription_ids == ("61", "62") and active.failure_reason is None
    assert active.updated_at == datetime(2026, 11, 1, 1, 5, 30, tzinfo=UTC)
    assert [t.status for t in active.timeline] == [OrderStatus.DRAFT, OrderStatus.ACTIVE]
    assert failed.failure_reason == "The selected plan is not available in your area."
    assert failed.timeline[-1].detail == failed.failure_reason
    # No TotalAmount: the total is the sum of the lines; product via PricebookEntry.Product2.
    assert failed.total == Money.of(5500, "JPY") and failed.items[0].sku == "NET-FIBER-1G"
    assert draft.items == () and [t.status for t in draft.timeline] == [OrderStatus.DRAFT]
    assert odd.status is OrderStatus.UNKNOWN and odd.items == ()
    assert active.model_dump(mode="json")["items"][0] == {
        "sku": "SIM-DATA-20G",
        "name": "データSIM 20GB",
        "quantity": 2,
        "billingCycle": "monthly",
        "unitPrice": {"amount": "1980.00", "currency": "JPY"},
    }


def test_single_order_record_and_summaries(payload: Payload) -> None:
    order = order_from_salesforce(payload("salesforce", "order"))
    assert order.status is OrderStatus.APPROVED and len(order.items) == 2
    summaries = order_summaries_from_salesforce(payload("salesforce", "orders")["records"])
    assert [s.order_number for s in summaries] == ["00000101", "00000102", "00000103", "00000104"]
    assert "items" not in summaries[0].model_dump()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"Id": "802", "Quantity": 1, "UnitPrice": 1}, "OrderItems[0].Product2"),
        (
            {"Id": "802", "Quantity": 1.5, "UnitPrice": 1, "Product2": {"ProductCode": "X"}},
            "OrderItems[0].Quantity",
        ),
    ],
)
def test_order_items_we_cannot_read_are_payload_errors(item: dict[str, Any], field: str) -> None:
    record = {
        "Id": "801",
        "Status": "Draft",
        "CreatedDate": "2026-11-01T00:00:00.000+0000",
        "OrderItems": {"records": [item]},
    }
    with pytest.raises(ProviderPayloadError) as caught:
        order_from_salesforce(record)
    assert caught.value.field == field


def test_order_without_created_date_is_a_payload_error() -> None:
    with pytest.raises(ProviderPayloadError, match="CreatedDate"):
        order_from_salesforce({"Id": "801", "Status": "Draft"})


def _priced(lines: list[tuple[str, int, BillingCycle, int]]) -> PricedOrder:
    priced_lines = tuple(
        PricedOrderLine(
            sku=sku,
            name=f"name {sku}",
            quantity=quantity,
            billing_cycle=cycle,
            unit_price=Money.of(price, "JPY"),
            pricebook_entry_id=f"01u{sku}",
            billing_product_id=f"{index + 1}",
        )
        for index, (sku, quantity, cycle, price) in enumerate(lines)
    )
    total = Money.of(sum(q * p for _, q, _, p in lines), "JPY")
    return PricedOrder(lines=priced_lines, total=total, notes="deliver after 18:00")


def test_order_to_salesforce_records() -> None:
    order = _priced(
        [("SIM-A", 2, BillingCycle.MONTHLY, 1980), ("FEE", 1, BillingCycle.ONE_TIME, 3300)]
    )
    header, items = order_to_salesforce(
        order,
        account_id="001A",
        pricebook_id="01sP",
        effective_date=date(2026, 11, 23),
        order_id="@{order.id}",
    )
    assert header.as_json() == {
        "attributes": {"type": "Order"},
        "AccountId": "001A",
        "Pricebook2Id": "01sP",
        "EffectiveDate": "2026-11-23",
        "Status": "Draft",
        "Description": "deliver after 18:00",
    }
    assert [item.as_json() for item in items] == [
        {
            "attributes": {"type": "OrderItem"},
            "OrderId": "@{order.id}",
            "PricebookEntryId": "01uSIM-A",
            "Quantity": 2,
            "UnitPrice": 1980,
            "Billing_Cycle__c": "Monthly",
        },
        {
            "attributes": {"type": "OrderItem"},
            "OrderId": "@{order.id}",
            "PricebookEntryId": "01uFEE",
            "Quantity": 1,
            "UnitPrice": 3300,
            "Billing_Cycle__c": "One-time",
        },
    ]


def test_order_status_update_body() -> None:
    assert order_status_to_salesforce(
        OrderStatus.ACTIVE, billing_order_id="31", subscription_ids=["61", "62"]
    ).as_json() == {
        "Status": "Activated",
        "WHMCS_Order_Id__c": "31",
        "Subscription_Ids__c": "61,62",
    }
    assert order_status_to_salesforce(OrderStatus.FAILED, failure_reason="No stock").as_json() == {
        "Status": "Failed",
        "Failure_Reason__c": "No stock",
    }
    provisioned = datetime(2026, 11, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert order_status_to_salesforce(OrderStatus.ACTIVE, provisioned_at=provisioned).as_json() == {
        "Status": "Activated",
        "Provisioned_At__c": "2026-11-02T03:04:05.678+0000",
    }


def test_an_active_order_reached_active_at_its_provisioned_time(payload: Payload) -> None:
    row = payload("salesforce", "orders")["records"][0]
    row = row | {"Provisioned_At__c": "2026-10-31T23:00:00.000+0000"}
    (active,) = orders_from_salesforce([row])
    assert active.timeline[-1].status is OrderStatus.ACTIVE
    assert active.timeline[-1].at == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert active.updated_at == datetime(2026, 11, 1, 1, 5, 30, tzinfo=UTC)  # a later edit


lines_strategy = st.lists(
    st.tuples(
        st.from_regex(r"[A-Z]{2,5}-[0-9]{1,3}", fullmatch=True),
        st.integers(1, 10),
        st.sampled_from([BillingCycle.MONTHLY, BillingCycle.ANNUALLY, BillingCycle.ONE_TIME]),
        st.integers(0, 100_000),
    ),
    min_size=1,
    max_size=5,
)


@given(lines=lines_strategy, decimal_prices=st.booleans())
def test_salesforce_round_trip(
    lines: list[tuple[str, int, BillingCycle, int]],
    decimal_prices: bool,
    assert_no_floats: Callable[[Any], None],
) -> None:
    """Written records, read back as Salesforce returns them, give the same order lines."""
    order = _priced(lines)
    header, items = order_to_salesforce(
        order, account_id="001A", pricebook_id="01sP", effective_date=date(2026, 1, 1)
    )
    record = {
        "attributes": {"type": "Order"},
        "Id": "801X",
        "OrderNumber": "00000001",
        "Status": header.Status,
        "CreatedDate": "2026-01-01T00:00:00.000+0000",
        "OrderItems": {
            "totalSize": len(items),
            "done": True,
            "records": [
                {
                    **item.as_json(),
                    "Id": f"802{i}",
                    "Quantity": float(item.Quantity),
                    "UnitPrice": float(item.UnitPrice)
                    if decimal_prices
                    else item.as_json()["UnitPrice"],
                    "Product2": {"ProductCode": line.sku, "Name": line.name},
                }
                for i, (item, line) in enumerate(zip(items, order.lines, strict=True))
            ],
        },
    }
    read = order_from_salesforce(record)
    assert_no_floats(read)
    assert read.status is OrderStatus.DRAFT and read.total == order.total
    assert [(i.sku, i.quantity, i.billing_cycle, i.unit_price) for i in read.items] == [
        (line.sku, line.quantity, line.billing_cycle, line.unit_price) for line in order.lines
    ]


def test_add_order_params() -> None:
    order = _priced(
        [("SIM-A", 2, BillingCycle.MONTHLY, 1980), ("FEE", 1, BillingCycle.ONE_TIME, 3300)]
    )
    params = order_to_whmcs_add_order(
        order, client_id="7", payment_method="stripe", custom_fields={13: "801X"}
    )
    assert (
        params["clientid"] == "7"
        and params["paymentmethod"] == "stripe"
        and params["noemail"] == "true"
    )
    assert (params["pid[0]"], params["qty[0]"], params["billingcycle[0]"]) == ("1", "2", "monthly")
    assert params["billingcycle[1]"] == "onetime"
    assert params["customfields[0]"] == params["customfields[1]"]
    assert "noemail" not in order_to_whmcs_add_order(
        order, client_id="7", payment_method="x", send_email=True
    )


def test_add_order_refuses_lines_without_billing_product() -> None:
    order = _priced([("SIM-A", 1, BillingCycle.MONTHLY, 1)])
    broken = order.model_copy(
        update={"lines": (order.lines[0].model_copy(update={"billing_product_id": None}),)}
    )
    with pytest.raises(ValidationFailedError, match=r"items\[0\]\.sku"):
        order_to_whmcs_add_order(broken, client_id="7", payment_method="stripe")


@given(
    lines=lines_strategy,
    fields=st.dictionaries(st.integers(1, 99), st.text(max_size=20), max_size=3),
)
def test_whmcs_add_order_round_trip(
    lines: list[tuple[str, int, BillingCycle, int]], fields: dict[int, str]
) -> None:
    order = _priced(lines)
    params = order_to_whmcs_add_order(
        order, client_id="7", payment_method="stripe", custom_fields=fields
    )
    assert all(isinstance(v, str) for v in params.values())
    read = add_order_lines_from_params(params)
    assert [(r.product_id, r.quantity, r.billing_cycle, r.custom_fields) for r in read] == [
        (line.billing_product_id, line.quantity, line.billing_cycle, fields) for line in order.lines
    ]


def test_add_order_params_without_pid_are_refused() -> None:
    with pytest.raises(ProviderPayloadError, match=r"pid\[0\]"):
        add_order_lines_from_params({"qty[0]": "1"})


def test_add_order_results(payload: Payload) -> None:
    placement = placement_from_whmcs(payload("whmcs", "add_order"))
    assert (
        placement.order_id,
        placement.service_ids,
        placement.addon_ids,
        placement.invoice_id,
    ) == (
        "31",
        ("61", "62"),
        (),
        "1101",
    )
    legacy = placement_from_whmcs(payload("whmcs", "add_order_legacy_noinvoice"))
    assert (legacy.order_id, legacy.service_ids, legacy.invoice_id) == ("32", ("63",), None)
    with pytest.raises(ProviderPayloadError, match="orderid"):
        placement_from_whmcs({"result": "success"})


def test_accept_order_results(payload: Payload) -> None:
    assert (
        acceptance_from_whmcs(payload("whmcs", "accept_order")) is BillingOrderAcceptance.ACCEPTED
    )
    assert (
        acceptance_from_whmcs(payload("whmcs", "accept_order_not_pending"))
        is BillingOrderAcceptance.NOT_PENDING
    )
    with pytest.raises(ProviderPayloadError, match="result"):
        acceptance_from_whmcs({"result": "error", "message": "Something else"})


def test_get_orders(payload: Payload) -> None:
    active, custom = billing_orders_from_whmcs(payload("whmcs", "get_orders"))
    assert (active.order_id, active.order_number, active.client_id, active.status) == (
        "31",
        "7391048211",
        "7",
        BillingOrderStatus.ACTIVE,
    )
    assert active.service_ids == ("61", "62") and active.invoice_id == "1101"
    assert active.notes == "sf:801RO0000001AAAYA2"
    assert (custom.status, custom.invoice_id, custom.service_ids, custom.notes) == (
        BillingOrderStatus.UNKNOWN,
        None,
        ("63",),
        None,
    )
    assert billing_orders_from_whmcs(payload("whmcs", "get_orders_empty")) == ()


def test_provision_event(payload: Payload) -> None:
    request = provision_request_from_salesforce_event(
        payload("salesforce", "order_provision_requested_event")
    )
    assert request.model_dump(mode="json") == {
        "orderId": "801RO0000005AAAYA2",
        "accountId": None,
        "requestedAt": "2026-11-23T00:00:00.123000Z",
    }
    iso = provision_request_from_salesforce_event(
        {"CreatedDate": "2026-11-23T09:00:00.000+0900", "Order_Id__c": "801X"}
    )
    assert iso.requested_at == datetime(2026, 11, 23, tzinfo=UTC)
    with pytest.raises(ProviderPayloadError, match="Order_Id__c"):
        provision_request_from_salesforce_event({"CreatedDate": 0})
