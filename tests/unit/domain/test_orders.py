"""Order contract: status machine as data, pricing against the catalog."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.catalog import CatalogEntry, Price, Product, ProductCategory
from domain.common import BillingCycle, Money, ValidationFailedError
from domain.orders import (
    FINAL_ORDER_STATUSES,
    ORDER_TRANSITIONS,
    InvalidTransitionError,
    Order,
    OrderItem,
    OrderRequest,
    OrderStatus,
    can_transition,
    ensure_transition,
    price_order,
    timeline_since,
)


def catalog_entry(
    sku: str, monthly: int, *, active: bool = True, currency: str = "JPY"
) -> CatalogEntry:
    return CatalogEntry(
        product=Product(
            sku=sku,
            name=f"Product {sku}",
            category=ProductCategory.SIM,
            prices=(Price(billing_cycle=BillingCycle.MONTHLY, price=Money.of(monthly, currency)),),
        ),
        active=active,
        crm_product_id=f"01t{sku}",
        billing_product_id=f"pid-{sku}",
        pricebook_entry_ids={BillingCycle.MONTHLY: f"01u{sku}"},
    )


CATALOG = {
    "SIM-A": catalog_entry("SIM-A", 1980),
    "OPT-B": catalog_entry("OPT-B", 330),
    "OLD-C": catalog_entry("OLD-C", 100, active=False),
    "USD-D": catalog_entry("USD-D", 5, currency="USD"),
}


def test_every_status_has_a_transition_row() -> None:
    assert set(ORDER_TRANSITIONS) == set(OrderStatus)
    for final in FINAL_ORDER_STATUSES:
        assert ORDER_TRANSITIONS[final] == frozenset()


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (OrderStatus.DRAFT, OrderStatus.APPROVED, True),
        (OrderStatus.DRAFT, OrderStatus.CANCELLED, True),
        (OrderStatus.APPROVED, OrderStatus.PROVISIONING, True),
        (OrderStatus.APPROVED, OrderStatus.FAILED, True),
        (OrderStatus.PROVISIONING, OrderStatus.ACTIVE, True),
        (OrderStatus.PROVISIONING, OrderStatus.FAILED, True),
        (OrderStatus.DRAFT, OrderStatus.ACTIVE, False),
        (OrderStatus.ACTIVE, OrderStatus.DRAFT, False),
        (OrderStatus.FAILED, OrderStatus.PROVISIONING, False),
        (OrderStatus.UNKNOWN, OrderStatus.ACTIVE, False),
    ],
)
def test_transitions(current: OrderStatus, target: OrderStatus, allowed: bool) -> None:
    assert can_transition(current, target) is allowed
    if allowed:
        ensure_transition(current, target)
    else:
        with pytest.raises(InvalidTransitionError) as caught:
            ensure_transition(current, target)
        assert caught.value.code == "orders.invalid_transition"


def test_repeating_a_status_is_allowed_for_at_least_once_workers() -> None:
    ensure_transition(OrderStatus.ACTIVE, OrderStatus.ACTIVE)


@given(st.lists(st.sampled_from(list(OrderStatus)), max_size=8))
def test_no_path_leaves_a_final_status(path: list[OrderStatus]) -> None:
    status = OrderStatus.DRAFT
    for target in path:
        if can_transition(status, target):
            assert status not in FINAL_ORDER_STATUSES
            status = target


def test_price_order_totals_lines() -> None:
    request = OrderRequest.model_validate(
        {
            "items": [
                {"sku": "SIM-A", "quantity": 2, "billingCycle": "monthly"},
                {"sku": "OPT-B", "quantity": 1, "billingCycle": "monthly"},
            ],
            "notes": "hi",
        }
    )
    priced = price_order(request, CATALOG)
    assert priced.total == Money.of(1980 * 2 + 330, "JPY")
    assert [line.pricebook_entry_id for line in priced.lines] == ["01uSIM-A", "01uOPT-B"]
    assert priced.lines[0].name == "Product SIM-A" and priced.notes == "hi"


def test_price_order_reports_every_bad_line() -> None:
    request = OrderRequest.model_validate(
        {
            "items": [
                {"sku": "NOPE", "quantity": 1, "billingCycle": "monthly"},
                {"sku": "OLD-C", "quantity": 1, "billingCycle": "monthly"},
                {"sku": "SIM-A", "quantity": 1, "billingCycle": "annually"},
            ]
        }
    )
    with pytest.raises(ValidationFailedError) as caught:
        price_order(request, CATALOG)
    assert [e.field for e in caught.value.errors] == [
        "items[0].sku",
        "items[1].sku",
        "items[2].billingCycle",
    ]


def test_price_order_refuses_mixed_currencies() -> None:
    request = OrderRequest.model_validate(
        {
            "items": [
                {"sku": "SIM-A", "quantity": 1, "billingCycle": "monthly"},
                {"sku": "USD-D", "quantity": 1, "billingCycle": "monthly"},
            ]
        }
    )
    with pytest.raises(ValidationFailedError, match="currencies"):
        price_order(request, CATALOG)


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"sku": "SIM-A", "quantity": 0, "billingCycle": "monthly"}]},
        {"items": [{"sku": "SIM-A", "quantity": 11, "billingCycle": "monthly"}]},
        {"items": [{"sku": "SIM A", "quantity": 1, "billingCycle": "monthly"}]},
        {"items": [{"sku": "SIM-A", "quantity": 1, "billingCycle": "weekly"}]},
        {"items": [{"sku": "SIM-A", "quantity": 1, "billingCycle": "quarterly"}]},
    ],
)
def test_order_request_validation(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        OrderRequest.model_validate(body)


def test_order_summary_and_timeline() -> None:
    created = datetime(2026, 11, 1, tzinfo=UTC)
    updated = datetime(2026, 11, 2, tzinfo=UTC)
    order = Order(
        id="801",
        order_number="0001",
        status=OrderStatus.ACTIVE,
        total=Money.of(1980, "JPY"),
        created_at=created,
        updated_at=updated,
        items=(
            OrderItem(
                sku="SIM-A",
                name="A",
                quantity=1,
                billing_cycle=BillingCycle.MONTHLY,
                unit_price=Money.of(1980, "JPY"),
            ),
        ),
        timeline=timeline_since(created, OrderStatus.ACTIVE, updated),
    )
    assert [t.status for t in order.timeline] == [OrderStatus.DRAFT, OrderStatus.ACTIVE]
    assert timeline_since(created, OrderStatus.DRAFT, updated)[0].at == created
    summary = order.summary()
    assert summary.model_dump(mode="json") == {
        "id": "801",
        "orderNumber": "0001",
        "status": "active",
        "total": {"amount": "1980.00", "currency": "JPY"},
        "createdAt": "2026-11-01T00:00:00Z",
        "updatedAt": "2026-11-02T00:00:00Z",
    }
    assert order.model_dump(mode="json")["timeline"][1] == {
        "status": "active",
        "at": "2026-11-02T00:00:00Z",
        "detail": None,
    }


def test_order_request_schema_lists_only_orderable_cycles() -> None:
    schema = OrderRequest.model_json_schema()
    line = schema["$defs"]["OrderLineRequest"]["properties"]["billingCycle"]
    assert line["enum"] == ["monthly", "annually", "one_time"]
