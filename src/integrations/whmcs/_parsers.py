"""Parsers for WHMCS actions that have no domain mapper: ValidateLogin, GetOrders,
GetProducts. They absorb the usual quirks (ids as strings or numbers, ``{"x": [...]}``
wrappers or ``""`` for empty lists, ``-1.00`` for a disabled price cycle)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from integrations.errors import UpstreamBadResponse
from integrations.whmcs._models import WhmcsLogin, WhmcsOrder, WhmcsOrderList, WhmcsProduct

__all__ = ["parse_login", "parse_orders", "parse_products"]

SYSTEM = "whmcs"


def _wrapped_rows(value: object, key: str) -> list[dict[str, Any]]:
    """``{"order": [...]}``, ``[]``, ``""`` or missing -> rows (the XML-heritage quirk)."""
    if isinstance(value, dict):
        value = value.get(key, [])
    if not isinstance(value, list):
        return []
    return [row for row in value if isinstance(row, dict)]


def _bad(entity: str) -> UpstreamBadResponse:
    return UpstreamBadResponse(SYSTEM, f"unexpected {entity} payload")


def parse_login(body: Mapping[str, Any]) -> WhmcsLogin:
    user_id = body.get("userid")
    if user_id in (None, ""):
        raise _bad("ValidateLogin")
    two_factor = body.get("twoFactorEnabled")
    return WhmcsLogin(
        user_id=str(user_id),
        two_factor_enabled=two_factor in (True, 1, "1", "true"),
    )


def _optional_id(value: object) -> str | None:
    text = str(value or "")
    return text if text not in ("", "0") else None


def parse_orders(body: Mapping[str, Any]) -> WhmcsOrderList:
    try:
        orders = tuple(
            WhmcsOrder(
                id=str(row["id"]),
                client_id=str(row["userid"]),
                status=str(row["status"]),
                payment_status=str(row.get("paymentstatus") or "") or None,
                invoice_id=_optional_id(row.get("invoiceid")),
                amount=Decimal(str(row.get("amount") or "0")),
                placed_at=str(row.get("date", "")),
                service_ids=tuple(
                    str(item["relid"])
                    for item in _wrapped_rows(row.get("lineitems"), "lineitem")
                    if item.get("type") == "product"
                ),
            )
            for row in _wrapped_rows(body.get("orders"), "order")
        )
        return WhmcsOrderList(total=int(body.get("totalresults") or 0), orders=orders)
    except (KeyError, ValueError, InvalidOperation, ValidationError) as exc:
        raise _bad("GetOrders") from exc


def parse_products(body: Mapping[str, Any]) -> tuple[WhmcsProduct, ...]:
    cycles = ("monthly", "quarterly", "semiannually", "annually", "biennially", "triennially")
    products: list[WhmcsProduct] = []
    try:
        for row in _wrapped_rows(body.get("products"), "product"):
            pricing = row.get("pricing") or {}
            currency, table = next(iter(pricing.items())) if pricing else ("", {})
            prices = {c: Decimal(str(table[c])) for c in cycles if c in table}
            fees = {c: Decimal(str(table.get(f"{c[0]}setupfee", "0"))) for c in prices}
            products.append(
                WhmcsProduct(
                    pid=str(row["pid"]),
                    group_id=str(row.get("gid", "")),
                    name=str(row.get("name", "")),
                    description=str(row.get("description", "")),
                    pay_type=str(row.get("paytype", "")),
                    currency=str(currency),
                    # "-1.00" marks a disabled cycle.
                    prices={c: p for c, p in prices.items() if p >= 0},
                    setup_fees={c: f for c, f in fees.items() if prices[c] >= 0},
                )
            )
    except (KeyError, ValueError, InvalidOperation, ValidationError, AttributeError) as exc:
        raise _bad("GetProducts") from exc
    return tuple(products)
