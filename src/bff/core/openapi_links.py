"""OpenAPI links: from an operation's answer to the operations that read what it names.

Clients (and schemathesis' stateful runs) follow them: place an order, then get it and
follow its status; open a case, then read it and comment on it; list, then open the first
item. Keyed by (source operationId, status).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Link:
    target: str
    parameters: tuple[tuple[str, str], ...]
    description: str


def _to(target: str, parameter: str, pointer: str, description: str) -> Link:
    return Link(target, ((parameter, f"$response.body#{pointer}"),), description)


LINKS: dict[tuple[str, str], dict[str, Link]] = {
    ("orders_create_order", "201"): {
        "GetOrder": _to("orders_get_order", "order_id", "/id", "The order just placed."),
        "FollowOrder": _to(
            "orders_follow_order", "order_id", "/id", "Status events of the order just placed."
        ),
    },
    ("orders_list_orders", "200"): {
        "GetFirstOrder": _to("orders_get_order", "order_id", "/items/0/id", "The newest order."),
    },
    ("support_create_case", "201"): {
        "GetCase": _to("support_get_case", "case_id", "/id", "The case just opened."),
        "CommentOnCase": _to(
            "support_add_comment", "case_id", "/id", "Add a comment to the case just opened."
        ),
    },
    ("support_list_cases", "200"): {
        "GetFirstCase": _to("support_get_case", "case_id", "/items/0/id", "The newest case."),
    },
    ("billing_list_invoices", "200"): {
        "GetFirstInvoice": _to(
            "billing_get_invoice", "invoice_id", "/items/0/id", "The newest invoice."
        ),
        "PayFirstInvoice": _to(
            "billing_create_payment_session",
            "invoice_id",
            "/items/0/id",
            "Start paying the newest invoice.",
        ),
    },
    ("subscriptions_list_subscriptions", "200"): {
        "GetFirstSubscription": _to(
            "subscriptions_get_subscription",
            "subscription_id",
            "/items/0/id",
            "The first subscription.",
        ),
        "GetFirstSim": _to(
            "sim_get_sim", "subscription_id", "/items/0/id", "The first subscription's SIM line."
        ),
    },
    ("subscriptions_get_subscription", "200"): {
        "GetSim": _to("sim_get_sim", "subscription_id", "/id", "This subscription's SIM line."),
        "GetSimUsage": _to(
            "sim_get_usage", "subscription_id", "/id", "This subscription's SIM data usage."
        ),
    },
    ("catalog_list_products", "200"): {
        "GetFirstProduct": _to(
            "catalog_get_product", "sku", "/items/0/sku", "The first product of the page."
        ),
    },
}
