"""orders -> Salesforce: the Order + OrderItem records to create, and the status update.

The Order is created in ``Draft`` (items can only be added to a Draft order) against the
portal price book; each item references its PricebookEntry.
"""

from collections.abc import Sequence
from datetime import date, datetime

from domain.catalog.providers.salesforce.statuses import PRICE_BILLING_CYCLES
from domain.orders.contract import OrderStatus, PricedOrder
from domain.orders.providers.salesforce.raw import SfOrderCreate, SfOrderItemCreate, SfOrderUpdate
from domain.orders.providers.salesforce.statuses import ORDER_STATUSES


def order_to_salesforce(
    order: PricedOrder,
    *,
    account_id: str,
    pricebook_id: str,
    effective_date: date,
    order_id: str | None = None,
) -> tuple[SfOrderCreate, tuple[SfOrderItemCreate, ...]]:
    """The Order record and its OrderItem records.

    ``order_id`` is the created Order's id, or a composite reference (``@{order.id}``)
    when both are written in one composite request.
    """
    header = SfOrderCreate(
        AccountId=account_id,
        Pricebook2Id=pricebook_id,
        EffectiveDate=effective_date,
        Status=ORDER_STATUSES.reverse(OrderStatus.DRAFT),
        Description=order.notes,
    )
    items = tuple(
        SfOrderItemCreate(
            OrderId=order_id,
            PricebookEntryId=line.pricebook_entry_id,
            Quantity=line.quantity,
            UnitPrice=line.unit_price.amount,
            Billing_Cycle__c=PRICE_BILLING_CYCLES.reverse(line.billing_cycle),
        )
        for line in order.lines
    )
    return header, items


def order_status_to_salesforce(
    status: OrderStatus,
    *,
    failure_reason: str | None = None,
    billing_order_id: str | None = None,
    subscription_ids: Sequence[str] = (),
    provisioned_at: datetime | None = None,
) -> SfOrderUpdate:
    """The PATCH body that records a provisioning outcome on the Order."""
    return SfOrderUpdate(
        Status=ORDER_STATUSES.reverse(status),
        Failure_Reason__c=failure_reason,
        WHMCS_Order_Id__c=billing_order_id,
        Subscription_Ids__c=",".join(subscription_ids) or None,
        Provisioned_At__c=provisioned_at,
    )
