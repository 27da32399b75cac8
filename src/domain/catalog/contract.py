"""The product catalog as clients see it, plus the provider references ordering needs."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from domain.common.billing_cycle import BillingCycle, OrderableCycle
from domain.common.model import ContractModel
from domain.common.money import Money

Sku = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
AttributeValue = str | int | bool | list[str]


class ProductCategory(StrEnum):
    """Kind of catalog product."""

    SIM = "sim"
    INTERNET = "internet"
    VPN = "vpn"
    OPTION = "option"
    UNKNOWN = "unknown"


class Price(ContractModel):
    """A product's price for one billing cycle."""

    billing_cycle: OrderableCycle
    price: Money


class Product(ContractModel):
    """A catalog product with its prices and attributes."""

    sku: Sku
    name: str
    category: ProductCategory
    description: str = ""
    prices: tuple[Price, ...]
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)

    def price_for(self, cycle: BillingCycle) -> Money | None:
        return next((p.price for p in self.prices if p.billing_cycle == cycle), None)


class CatalogEntry(ContractModel):
    """A product with the provider ids the order flow needs; never sent to clients.

    ``pricebook_entry_ids`` are the Salesforce PricebookEntry ids per billing cycle (an
    OrderItem references one); ``billing_product_id`` is the WHMCS product id (``pid``).
    """

    product: Product
    active: bool = True
    crm_product_id: str
    billing_product_id: str | None = None
    pricebook_entry_ids: dict[BillingCycle, str] = Field(default_factory=dict)
