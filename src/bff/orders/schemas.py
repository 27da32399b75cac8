"""HTTP shapes of orders (the domain's contract models, plus the page wrapper)."""

from __future__ import annotations

from domain.common.page import Page
from domain.orders.contract import Order, OrderRequest, OrderSummary, TimelineEntry


class OrderPage(Page[OrderSummary]):
    """A page of the caller's orders, newest first."""


__all__ = ["Order", "OrderPage", "OrderRequest", "OrderSummary", "TimelineEntry"]
