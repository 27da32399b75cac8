"""Salesforce Order.Status picklist (ours: Draft and Activated are standard) as data."""

from domain.common.status import StatusTable
from domain.common.wire.salesforce import PROVIDER
from domain.orders.contract import OrderStatus

ORDER_STATUSES = StatusTable(
    provider=PROVIDER,
    entity="Order.Status",
    mapping={
        "Draft": OrderStatus.DRAFT,
        "Approved": OrderStatus.APPROVED,
        "Provisioning": OrderStatus.PROVISIONING,
        "Activated": OrderStatus.ACTIVE,
        "Failed": OrderStatus.FAILED,
        "Cancelled": OrderStatus.CANCELLED,
    },
    fallback=OrderStatus.UNKNOWN,
)
