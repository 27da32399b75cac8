"""Salesforce -> catalog: SOQL rows of Product2 (+ PricebookEntries) or PricebookEntry (+ Product2).

One product per Product2; one price per billing cycle from its active entries. A row
without a ``ProductCode`` (the sku) is unusable and raises ``ProviderPayloadError``.
"""

import json
import logging
from collections.abc import Iterable
from typing import Any

from pydantic import TypeAdapter

from domain.catalog.contract import AttributeValue, CatalogEntry, Price, Product
from domain.catalog.providers.salesforce.raw import (
    SfPricebookEntry,
    SfPricebookEntryFields,
    SfProduct2,
    SfProduct2Fields,
)
from domain.catalog.providers.salesforce.statuses import PRICE_BILLING_CYCLES, PRODUCT_FAMILIES
from domain.common.billing_cycle import ORDERABLE_CYCLES, BillingCycle
from domain.common.errors import ProviderPayloadError
from domain.common.money import JPY, Money
from domain.common.wire.salesforce import PROVIDER, query_records
from domain.common.wire.validation import maps_payload, parse_payload

logger = logging.getLogger(__name__)

_PRODUCT_ROWS = TypeAdapter(list[SfProduct2])
_ENTRY_ROWS = TypeAdapter(list[SfPricebookEntry])


def _attribute(value: Any) -> AttributeValue:
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    # Floats and nested objects become text, so no float ever reaches a contract model.
    return json.dumps(value, ensure_ascii=False)


def parse_attributes(text: str | None, *, product_id: str) -> dict[str, AttributeValue]:
    """``Portal_Attributes__c``: a JSON object; anything else is logged and ignored."""
    if not text:
        return {}
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        decoded = None
    if not isinstance(decoded, dict):
        logger.warning(
            "unreadable product attributes",
            extra={"provider": PROVIDER, "product_id": product_id},
        )
        return {}
    return {str(key): _attribute(value) for key, value in decoded.items()}


@maps_payload(PROVIDER, "Product2")
def catalog_entry_from_salesforce(
    product: SfProduct2Fields, entries: Iterable[SfPricebookEntryFields], *, currency: str = JPY
) -> CatalogEntry:
    if not product.ProductCode:
        raise ProviderPayloadError(PROVIDER, "Product2", "ProductCode", "missing")
    prices: dict[BillingCycle, Price] = {}
    entry_ids: dict[BillingCycle, str] = {}
    for entry in entries:
        cycle = PRICE_BILLING_CYCLES.lookup(entry.Billing_Cycle__c)
        # First active entry per orderable cycle wins; inactive entries and other cycles
        # cannot be ordered, so they are not offered.
        if not entry.IsActive or cycle not in ORDERABLE_CYCLES or cycle in prices:
            continue
        price = Money.of(entry.UnitPrice, entry.CurrencyIsoCode or currency)
        prices[cycle] = Price(billing_cycle=cycle, price=price)
        entry_ids[cycle] = entry.Id
    return CatalogEntry(
        product=Product(
            sku=product.ProductCode,
            name=product.Name or product.ProductCode,
            category=PRODUCT_FAMILIES.lookup(product.Family),
            description=product.Description or "",
            prices=tuple(prices.values()),
            attributes=parse_attributes(product.Portal_Attributes__c, product_id=product.Id),
        ),
        active=product.IsActive and product.Portal_Catalog__c,
        crm_product_id=product.Id,
        billing_product_id=product.WHMCS_Product_Id__c,
        pricebook_entry_ids=entry_ids,
    )


@maps_payload(PROVIDER, "Product2")
def catalog_from_salesforce_products(
    payload: Any, *, currency: str = JPY
) -> tuple[CatalogEntry, ...]:
    """Map Product2 rows carrying a ``PricebookEntries`` child subquery."""
    rows = parse_payload(
        _PRODUCT_ROWS, query_records(payload), provider=PROVIDER, entity="Product2"
    )
    return tuple(
        catalog_entry_from_salesforce(row, row.PricebookEntries, currency=currency) for row in rows
    )


@maps_payload(PROVIDER, "PricebookEntry")
def catalog_from_salesforce_pricebook_entries(
    payload: Any, *, currency: str = JPY
) -> tuple[CatalogEntry, ...]:
    """Map PricebookEntry rows carrying their parent ``Product2``, grouped per product."""
    rows = parse_payload(
        _ENTRY_ROWS, query_records(payload), provider=PROVIDER, entity="PricebookEntry"
    )
    products: dict[str, SfProduct2Fields] = {}
    entries: dict[str, list[SfPricebookEntry]] = {}
    for index, row in enumerate(rows):
        if row.Product2 is None:
            raise ProviderPayloadError(PROVIDER, "PricebookEntry", f"[{index}].Product2", "missing")
        products.setdefault(row.Product2.Id, row.Product2)
        entries.setdefault(row.Product2.Id, []).append(row)
    return tuple(
        catalog_entry_from_salesforce(product, entries[product_id], currency=currency)
        for product_id, product in products.items()
    )
