"""Finding the WHMCS order placed for a Salesforce Order, by its tag.

AddOrder writes the Salesforce Order id into a service custom field
(``BFF_PROVISIONING__ORDER_TAG_FIELD_ID``) on every line. ``GetOrders`` does not return
custom fields, so the tagged services are found with ``GetClientsProducts`` (which does),
and their ``orderid`` names the WHMCS order; ``GetOrders`` then gives its status.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TypeVar

from bff.provisioning.concurrency import all_of
from domain.common.wire.validation import parse_payload
from domain.common.wire.whmcs import PROVIDER
from domain.subscriptions.providers.whmcs.raw import (
    WhmcsClientProduct,
    WhmcsClientsProducts,
    WhmcsClientsProductTags,
)
from integrations.whmcs import WhmcsClient

_PAGE = 250
_Page = TypeVar("_Page", WhmcsClientsProducts, WhmcsClientsProductTags)


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    order_id: str
    status: str  # WHMCS order status: Pending, Active, ...
    service_ids: tuple[str, ...]


async def client_services(whmcs: WhmcsClient, client_id: str) -> AsyncIterator[WhmcsClientProduct]:
    """Every service of the client, page by page, with its custom fields."""
    async for page in _pages(whmcs, client_id, WhmcsClientsProducts):
        for service in page.products:
            yield service


async def _pages(whmcs: WhmcsClient, client_id: str, model: type[_Page]) -> AsyncIterator[_Page]:
    offset = 0
    while True:
        body = await whmcs.call(
            "GetClientsProducts",
            {"clientid": client_id, "limitstart": str(offset), "limitnum": str(_PAGE)},
            idempotent=True,
        )
        page = parse_payload(model, body, provider=PROVIDER, entity="GetClientsProducts")
        yield page
        offset += len(page.products)
        if not page.products or offset >= page.totalresults:
            return


async def order_services(
    whmcs: WhmcsClient, *, client_id: str, service_ids: tuple[str, ...]
) -> list[WhmcsClientProduct]:
    """The client's services among ``service_ids``, in that order, one small
    ``GetClientsProducts`` call each (a client may have hundreds of services), made at once:
    they are independent reads."""

    async def service(service_id: str) -> list[WhmcsClientProduct]:
        body = await whmcs.call(
            "GetClientsProducts", {"clientid": client_id, "serviceid": service_id}, idempotent=True
        )
        page = parse_payload(
            WhmcsClientsProducts, body, provider=PROVIDER, entity="GetClientsProducts"
        )
        return [s for s in page.products if s.id == service_id]

    pages = await all_of(service(service_id) for service_id in service_ids)
    return [found for page in pages for found in page]


async def find_tagged_order(
    whmcs: WhmcsClient, *, client_id: str, tag_field_id: int, salesforce_order_id: str
) -> PlacedOrder | None:
    """The client's WHMCS order whose services carry ``salesforce_order_id``, if any."""
    order_ids: list[str] = []
    async for page in _pages(whmcs, client_id, WhmcsClientsProductTags):
        for service in page.products:
            tagged = any(
                field.id == str(tag_field_id) and field.value == salesforce_order_id
                for field in service.customfields
            )
            if tagged and service.orderid and service.orderid not in order_ids:
                order_ids.append(service.orderid)
    if not order_ids:
        return None
    # More than one would mean an earlier duplicate; the oldest (lowest id) is the one.
    order_id = min(order_ids, key=int)
    found = await whmcs.get_orders(order_id=order_id, limit=1)
    if not found.orders:
        return None
    order = found.orders[0]
    return PlacedOrder(order_id=order.id, status=order.status, service_ids=order.service_ids)


async def order_status(whmcs: WhmcsClient, order_id: str) -> PlacedOrder | None:
    found = await whmcs.get_orders(order_id=order_id, limit=1)
    if not found.orders:
        return None
    order = found.orders[0]
    return PlacedOrder(order_id=order.id, status=order.status, service_ids=order.service_ids)
