"""Orders: what a customer asked for, its status machine and its timeline."""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated

from pydantic import Field

from domain.catalog.contract import Sku
from domain.common.billing_cycle import BillingCycle, OrderableCycle
from domain.common.dates import UtcDatetime
from domain.common.errors import ConflictError
from domain.common.model import ContractModel
from domain.common.money import Money

MAX_QUANTITY = 10


class OrderStatus(StrEnum):
    """Where an order stands: draft -> approved -> provisioning -> active, or failed / cancelled."""

    DRAFT = "draft"
    APPROVED = "approved"
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


ORDER_TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = MappingProxyType(
    {
        OrderStatus.DRAFT: frozenset({OrderStatus.APPROVED, OrderStatus.CANCELLED}),
        OrderStatus.APPROVED: frozenset(
            {OrderStatus.PROVISIONING, OrderStatus.FAILED, OrderStatus.CANCELLED}
        ),
        OrderStatus.PROVISIONING: frozenset({OrderStatus.ACTIVE, OrderStatus.FAILED}),
        OrderStatus.ACTIVE: frozenset(),
        OrderStatus.FAILED: frozenset(),
        OrderStatus.CANCELLED: frozenset(),
        # We cannot reason about a status we do not know; refuse to move it.
        OrderStatus.UNKNOWN: frozenset(),
    }
)
"""Allowed status changes: draft -> approved -> provisioning -> active, or failed/cancelled."""

FINAL_ORDER_STATUSES = frozenset({OrderStatus.ACTIVE, OrderStatus.FAILED, OrderStatus.CANCELLED})


class InvalidTransitionError(ConflictError):
    code = "orders.invalid_transition"

    def __init__(self, current: OrderStatus, target: OrderStatus) -> None:
        super().__init__(f"order cannot go from {current} to {target}")
        self.current = current
        self.target = target


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in ORDER_TRANSITIONS[current]


def ensure_transition(current: OrderStatus, target: OrderStatus) -> None:
    """Raise ``InvalidTransitionError`` unless ``current -> target`` is allowed.

    Repeating the current status is allowed: at-least-once workers re-apply steps.
    """
    if current != target and not can_transition(current, target):
        raise InvalidTransitionError(current, target)


Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


class OrderItem(ContractModel):
    """One priced line of an order."""

    sku: Sku
    name: str
    quantity: Quantity
    billing_cycle: BillingCycle
    unit_price: Money


class TimelineEntry(ContractModel):
    """One step in an order's history."""

    status: OrderStatus
    at: UtcDatetime
    detail: str | None = None


class OrderSummary(ContractModel):
    """An order as listed: status and total, no items."""

    id: str
    order_number: str
    status: OrderStatus
    total: Money
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Order(OrderSummary):
    """An order with its items, timeline and provisioning outcome."""

    items: tuple[OrderItem, ...]
    timeline: tuple[TimelineEntry, ...] = ()
    subscription_ids: tuple[str, ...] = ()
    failure_reason: str | None = None

    def summary(self) -> OrderSummary:
        return OrderSummary.model_validate(self.model_dump(include=set(OrderSummary.model_fields)))


class OrderLineRequest(ContractModel):
    """One line of a new order: a catalog sku, how many and how it is billed."""

    sku: Sku
    quantity: Quantity
    billing_cycle: OrderableCycle


class OrderRequest(ContractModel):
    """The body of ``POST /api/orders``."""

    items: Annotated[tuple[OrderLineRequest, ...], Field(min_length=1, max_length=20)]
    notes: Annotated[str, Field(max_length=2000)] | None = None


class PricedOrderLine(OrderItem):
    """An order line priced from the catalog, with the provider ids needed to write it."""

    pricebook_entry_id: str
    billing_product_id: str | None = None


class PricedOrder(ContractModel):
    lines: tuple[PricedOrderLine, ...]
    total: Money
    notes: str | None = None


def timeline_since(
    created_at: datetime, status: OrderStatus, updated_at: datetime
) -> tuple[TimelineEntry, ...]:
    """The minimal timeline a CRM record gives: created as draft, then its current status."""
    entries = [TimelineEntry(status=OrderStatus.DRAFT, at=created_at)]
    if status is not OrderStatus.DRAFT:
        entries.append(TimelineEntry(status=status, at=updated_at))
    return tuple(entries)


class BillingOrderPlacement(ContractModel):
    """What the billing system created for an order (WHMCS AddOrder)."""

    order_id: str
    service_ids: tuple[str, ...] = ()
    addon_ids: tuple[str, ...] = ()
    domain_ids: tuple[str, ...] = ()
    invoice_id: str | None = None


class BillingOrderAcceptance(StrEnum):
    ACCEPTED = "accepted"
    NOT_PENDING = "not_pending"
    """The order was already accepted (a repeated step) or does not exist: check GetOrders."""


class BillingOrderStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    FRAUD = "fraud"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class BillingOrder(ContractModel):
    """An order as the billing system keeps it (WHMCS GetOrders), used to resume provisioning."""

    order_id: str
    order_number: str | None = None
    client_id: str | None = None
    status: BillingOrderStatus
    invoice_id: str | None = None
    service_ids: tuple[str, ...] = ()
    notes: str | None = None


class ProvisionRequest(ContractModel):
    """``OrderProvisionRequested__e``: the CRM asks the portal to fulfil an approved order."""

    order_id: str
    account_id: str | None = None
    requested_at: UtcDatetime
