"""orders <-> WHMCS: the ``AddOrder`` parameters for a priced order, and the answers of
``AddOrder``, ``AcceptOrder`` and ``GetOrders``.

Parameters are form fields (``pid[0]=...``), every value a string; custom fields go in
as base64 of PHP ``serialize`` (``customfields[i]``), one blob per line.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.common.billing_cycle import BillingCycle
from domain.common.errors import FieldError, ProviderPayloadError, ValidationFailedError
from domain.common.wire.validation import maps_payload, parse_payload
from domain.common.wire.whmcs import (
    PROVIDER,
    decode_custom_fields,
    encode_custom_fields,
    split_ids,
)
from domain.orders.contract import (
    BillingOrder,
    BillingOrderAcceptance,
    BillingOrderPlacement,
    PricedOrder,
)
from domain.orders.providers.whmcs.raw import WhmcsAddOrderResult, WhmcsOrders, WhmcsResult
from domain.orders.providers.whmcs.statuses import (
    ADD_ORDER_BILLING_CYCLES,
    NOT_PENDING_MESSAGE,
    ORDER_STATUSES,
)

_INDEXED_PARAM = re.compile(r"^(\w+)\[(\d+)\]$")
_NO_INVOICE = {"", "0"}


def order_to_whmcs_add_order(
    order: PricedOrder,
    *,
    client_id: str,
    payment_method: str,
    custom_fields: Mapping[int, str] | None = None,
    send_email: bool = False,
) -> dict[str, str]:
    """``AddOrder`` form fields for ``order``.

    ``custom_fields`` (field id -> value) is set on every line, e.g. the Salesforce Order
    id, so a crashed provisioning step can find its WHMCS services again.
    Raises ``ValidationFailedError`` for a line with no WHMCS product id or cycle.
    """
    params: dict[str, str] = {"clientid": client_id, "paymentmethod": payment_method}
    if not send_email:
        params["noemail"] = "true"
    errors: list[FieldError] = []
    encoded_fields = encode_custom_fields(custom_fields) if custom_fields else None
    for index, line in enumerate(order.lines):
        cycle = ADD_ORDER_BILLING_CYCLES.get(line.billing_cycle)
        if line.billing_product_id is None or cycle is None:
            errors.append(FieldError(f"items[{index}].sku", "has no billing product or cycle"))
            continue
        params[f"pid[{index}]"] = line.billing_product_id
        params[f"qty[{index}]"] = str(line.quantity)
        params[f"billingcycle[{index}]"] = cycle
        if encoded_fields is not None:
            params[f"customfields[{index}]"] = encoded_fields
    if errors:
        raise ValidationFailedError(errors)
    return params


@dataclass(frozen=True)
class AddOrderLine:
    """One line read back from AddOrder form fields (sandboxes and tests use this)."""

    product_id: str
    quantity: int
    billing_cycle: BillingCycle
    custom_fields: dict[int, str]


def add_order_lines_from_params(params: Mapping[str, str]) -> tuple[AddOrderLine, ...]:
    """Inverse of ``order_to_whmcs_add_order`` for the per-line arrays."""
    indexed: dict[int, dict[str, str]] = {}
    for key, value in params.items():
        match = _INDEXED_PARAM.match(key)
        if match:
            indexed.setdefault(int(match.group(2)), {})[match.group(1)] = value
    cycles = {value: cycle for cycle, value in ADD_ORDER_BILLING_CYCLES.items()}
    lines = []
    for index in sorted(indexed):
        fields = indexed[index]
        if "pid" not in fields:
            raise ProviderPayloadError(PROVIDER, "AddOrder", f"pid[{index}]", "missing")
        encoded = fields.get("customfields")
        lines.append(
            AddOrderLine(
                product_id=fields["pid"],
                quantity=int(fields.get("qty", "1")),
                billing_cycle=cycles.get(fields.get("billingcycle", ""), BillingCycle.UNKNOWN),
                custom_fields=decode_custom_fields(encoded) if encoded else {},
            )
        )
    return tuple(lines)


def _invoice_id(value: str | None) -> str | None:
    return value if value not in _NO_INVOICE else None


@maps_payload(PROVIDER, "AddOrder")
def placement_from_whmcs(payload: Any) -> BillingOrderPlacement:
    """Map an ``AddOrder`` answer. With ``noinvoice`` the invoice id is empty or ``0``."""
    raw = parse_payload(WhmcsAddOrderResult, payload, provider=PROVIDER, entity="AddOrder")
    return BillingOrderPlacement(
        order_id=raw.orderid,
        service_ids=split_ids(raw.serviceids or raw.productids),
        addon_ids=split_ids(raw.addonids),
        domain_ids=split_ids(raw.domainids),
        invoice_id=_invoice_id(raw.invoiceid),
    )


def acceptance_from_whmcs(payload: Any) -> BillingOrderAcceptance:
    """Map an ``AcceptOrder`` answer, treating "Status not Pending" as an earlier success.

    Any other error is not an acceptance result and raises ``ProviderPayloadError``.
    """
    raw = parse_payload(WhmcsResult, payload, provider=PROVIDER, entity="AcceptOrder")
    if raw.result.casefold() == "success":
        return BillingOrderAcceptance.ACCEPTED
    if raw.message and NOT_PENDING_MESSAGE.casefold() in raw.message.casefold():
        return BillingOrderAcceptance.NOT_PENDING
    raise ProviderPayloadError(PROVIDER, "AcceptOrder", "result", "an unexpected error")


@maps_payload(PROVIDER, "orders")
def billing_orders_from_whmcs(payload: Any) -> tuple[BillingOrder, ...]:
    """Map ``GetOrders``; the service ids are the ``relid`` of product line items."""
    raw = parse_payload(WhmcsOrders, payload, provider=PROVIDER, entity="orders")
    return tuple(
        BillingOrder(
            order_id=order.id,
            order_number=order.ordernum,
            client_id=order.userid,
            status=ORDER_STATUSES.lookup(order.status),
            invoice_id=_invoice_id(order.invoiceid),
            service_ids=tuple(
                item.relid
                for item in order.lineitems
                if item.relid and (item.type or "product").casefold() == "product"
            ),
            notes=order.notes,
        )
        for order in raw.orders
    )
