"""Salesforce -> orders: Order rows (with ``OrderItems`` subquery) to Order / OrderSummary.

The timeline holds what the CRM record tells (created as draft, current status since
``Provisioned_At__c`` for an active order); the BFF adds the provisioning steps it
recorded itself.
"""

from typing import Any

from pydantic import TypeAdapter

from domain.catalog.providers.salesforce.statuses import PRICE_BILLING_CYCLES
from domain.common.errors import ProviderPayloadError
from domain.common.money import JPY, Money, sum_money
from domain.common.wire.salesforce import PROVIDER, query_records
from domain.common.wire.validation import maps_payload, parse_payload
from domain.common.wire.whmcs import split_ids
from domain.orders.contract import (
    Order,
    OrderItem,
    OrderStatus,
    OrderSummary,
    timeline_since,
)
from domain.orders.providers.salesforce.raw import SfOrder, SfOrderItem
from domain.orders.providers.salesforce.statuses import ORDER_STATUSES

_ORDER_ROWS = TypeAdapter(list[SfOrder])


def _order_item(raw: SfOrderItem, *, index: int, currency: str) -> OrderItem:
    product = raw.product
    if product is None or not product.ProductCode:
        raise ProviderPayloadError(
            PROVIDER, "OrderItem", f"OrderItems[{index}].Product2", "missing"
        )
    if raw.Quantity != raw.Quantity.to_integral_value():
        raise ProviderPayloadError(PROVIDER, "OrderItem", f"OrderItems[{index}].Quantity")
    return OrderItem(
        sku=product.ProductCode,
        name=product.Name or product.ProductCode,
        quantity=int(raw.Quantity),
        billing_cycle=PRICE_BILLING_CYCLES.lookup(raw.Billing_Cycle__c),
        unit_price=Money.of(raw.UnitPrice, currency),
    )


def _summary_fields(raw: SfOrder, currency: str) -> dict[str, Any]:
    currency = raw.CurrencyIsoCode or currency
    items = [_order_item(item, index=i, currency=currency) for i, item in enumerate(raw.OrderItems)]
    if raw.TotalAmount is not None:
        total = Money.of(raw.TotalAmount, currency)
    else:
        total = sum_money((item.unit_price.times(item.quantity) for item in items), currency)
    return {
        "id": raw.Id,
        "order_number": raw.OrderNumber or raw.Id,
        "status": ORDER_STATUSES.lookup(raw.Status),
        "total": total,
        "created_at": raw.CreatedDate,
        "updated_at": raw.LastModifiedDate or raw.CreatedDate,
        "items": tuple(items),
    }


@maps_payload(PROVIDER, "Order")
def order_from_salesforce_record(raw: SfOrder, *, currency: str = JPY) -> Order:
    fields = _summary_fields(raw, currency)
    status: OrderStatus = fields["status"]
    failure_reason = raw.Failure_Reason__c if status is OrderStatus.FAILED else None
    # The provisioned time is when the order became active; the last edit may be later.
    reached = (
        raw.Provisioned_At__c
        if status is OrderStatus.ACTIVE and raw.Provisioned_At__c
        else fields["updated_at"]
    )
    timeline = timeline_since(fields["created_at"], status, reached)
    if failure_reason and len(timeline) > 1:
        timeline = (*timeline[:-1], timeline[-1].model_copy(update={"detail": failure_reason}))
    return Order(
        **fields,
        timeline=timeline,
        subscription_ids=split_ids(raw.Subscription_Ids__c),
        failure_reason=failure_reason,
    )


@maps_payload(PROVIDER, "Order")
def order_from_salesforce(payload: Any, *, currency: str = JPY) -> Order:
    """Map one Order record (``GET sobjects/Order/{id}`` or one query row)."""
    raw = parse_payload(SfOrder, payload, provider=PROVIDER, entity="Order")
    return order_from_salesforce_record(raw, currency=currency)


@maps_payload(PROVIDER, "Order")
def orders_from_salesforce(payload: Any, *, currency: str = JPY) -> tuple[Order, ...]:
    """Map a query answer (or its ``records``) of Order rows with their OrderItems."""
    rows = parse_payload(_ORDER_ROWS, query_records(payload), provider=PROVIDER, entity="Order")
    return tuple(order_from_salesforce_record(row, currency=currency) for row in rows)


@maps_payload(PROVIDER, "Order")
def order_summaries_from_salesforce(
    payload: Any, *, currency: str = JPY
) -> tuple[OrderSummary, ...]:
    """Map Order rows for a list; the rows need no OrderItems subquery."""
    return tuple(order.summary() for order in orders_from_salesforce(payload, currency=currency))
