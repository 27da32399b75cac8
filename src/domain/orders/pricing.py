"""Price an order request against the catalog; every problem is reported with its field path."""

from collections.abc import Mapping

from domain.catalog.contract import CatalogEntry
from domain.common.errors import FieldError, ValidationFailedError
from domain.common.money import sum_money
from domain.orders.contract import OrderRequest, PricedOrder, PricedOrderLine


def price_order(request: OrderRequest, catalog: Mapping[str, CatalogEntry]) -> PricedOrder:
    """Validate each line against the catalog (by sku) and price it.

    Raises ``ValidationFailedError`` listing every bad line: unknown or inactive sku, or a
    billing cycle the product is not sold with. All lines must share one currency.
    """
    errors: list[FieldError] = []
    lines: list[PricedOrderLine] = []
    for index, line in enumerate(request.items):
        entry = catalog.get(line.sku)
        if entry is None or not entry.active:
            errors.append(FieldError(f"items[{index}].sku", "unknown or unavailable product"))
            continue
        unit_price = entry.product.price_for(line.billing_cycle)
        entry_id = entry.pricebook_entry_ids.get(line.billing_cycle)
        if unit_price is None or entry_id is None:
            errors.append(
                FieldError(f"items[{index}].billingCycle", "not offered for this product")
            )
            continue
        lines.append(
            PricedOrderLine(
                sku=line.sku,
                name=entry.product.name,
                quantity=line.quantity,
                billing_cycle=line.billing_cycle,
                unit_price=unit_price,
                pricebook_entry_id=entry_id,
                billing_product_id=entry.billing_product_id,
            )
        )
    currencies = {line.unit_price.currency for line in lines}
    if len(currencies) > 1:
        errors.append(FieldError("items", "products are priced in different currencies"))
    if errors:
        raise ValidationFailedError(errors)
    currency = lines[0].unit_price.currency
    total = sum_money((line.unit_price.times(line.quantity) for line in lines), currency)
    return PricedOrder(lines=tuple(lines), total=total, notes=request.notes)
