"""WHMCS AddOrder/AcceptOrder: parameters for a priced order and the answers' mappers."""

from domain.orders.providers.whmcs.mapper import (
    AddOrderLine,
    acceptance_from_whmcs,
    add_order_lines_from_params,
    billing_orders_from_whmcs,
    order_to_whmcs_add_order,
    placement_from_whmcs,
)
from domain.orders.providers.whmcs.raw import (
    WhmcsAddOrderResult,
    WhmcsOrder,
    WhmcsOrderLineItem,
    WhmcsOrders,
    WhmcsResult,
)
from domain.orders.providers.whmcs.statuses import (
    ADD_ORDER_BILLING_CYCLES,
    NOT_PENDING_MESSAGE,
    ORDER_STATUSES,
)

__all__ = [
    "ADD_ORDER_BILLING_CYCLES",
    "NOT_PENDING_MESSAGE",
    "ORDER_STATUSES",
    "AddOrderLine",
    "WhmcsAddOrderResult",
    "WhmcsOrder",
    "WhmcsOrderLineItem",
    "WhmcsOrders",
    "WhmcsResult",
    "acceptance_from_whmcs",
    "add_order_lines_from_params",
    "billing_orders_from_whmcs",
    "order_to_whmcs_add_order",
    "placement_from_whmcs",
]
