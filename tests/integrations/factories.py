"""Small builders for client tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import httpx

from domain.common.dates import JST
from domain.orders.contract import PricedOrder
from integrations.sandbox.demo_data import CATALOG

# The demo data and the clients share one "today" (Japan), pinned for the session.
TODAY = datetime.now(JST).date()


def priced_order(*lines: tuple[str, str, int], pricebook_entry_ids: dict[str, str] | None = None
                 ) -> PricedOrder:  # fmt: skip
    """``("VPN-PRO", "10", 1)`` = (sku, WHMCS pid, quantity), monthly billing."""
    products = {p.sku: p for p in CATALOG}
    priced = []
    total = Decimal("0")
    for sku, pid, quantity in lines:
        product = products[sku]
        price = product.monthly or Decimal("0")
        total += price * quantity
        priced.append(
            {
                "sku": sku,
                "name": product.name,
                "quantity": quantity,
                "billing_cycle": "monthly",
                "unit_price": {"amount": str(price), "currency": "JPY"},
                "pricebook_entry_id": (pricebook_entry_ids or {}).get(sku, "01u000000000000AAA"),
                "billing_product_id": pid,
            }
        )
    return PricedOrder.model_validate(
        {"lines": priced, "total": {"amount": str(total), "currency": "JPY"}}
    )


class Faults:
    """Drive one sandbox's control API."""

    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base = base_url

    async def set(self, **rule: object) -> None:
        (await self._client.put(f"{self._base}/_sandbox/faults", json=rule)).raise_for_status()

    async def clear(self) -> None:
        (await self._client.delete(f"{self._base}/_sandbox/faults")).raise_for_status()

    async def counts(self) -> dict[str, int]:
        response = await self._client.get(f"{self._base}/_sandbox/calls")
        response.raise_for_status()
        counts: dict[str, int] = response.json()["counts"]
        return counts

    async def post(self, path: str) -> httpx.Response:
        return await self._client.post(f"{self._base}{path}")
