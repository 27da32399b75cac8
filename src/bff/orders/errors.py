from __future__ import annotations

from bff.core.errors import NotFound


class OrderNotFound(NotFound):
    code = "orders.order_not_found"
    default_detail = "No such order."
