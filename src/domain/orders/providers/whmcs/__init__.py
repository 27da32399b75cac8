"""WHMCS AddOrder/AcceptOrder: parameters for a priced order and the answers' mappers."""

from domain.orders.providers.whmcs.mapper import (
    AddOrderLine,
    acceptance_from_whmcs,
    add_order_lines_from_params,
    order_to_whmcs_add_order,
    placement_from_whmcs,
)
from domain.orders.providers.whmcs.raw import WhmcsAddOrderResult, WhmcsResult
from domain.orders.providers.whmcs.statuses import ADD_ORDER_BILLING_CYCLES, NOT_PENDING_MESSAGE

__all__ = [
    "ADD_ORDER_BILLING_CYCLES",
    "NOT_PENDING_MESSAGE",
    "AddOrderLine",
    "WhmcsAddOrderResult",
    "WhmcsResult",
    "acceptance_from_whmcs",
    "add_order_lines_from_params",
    "order_to_whmcs_add_order",
    "placement_from_whmcs",
]
