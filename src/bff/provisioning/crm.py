"""What the worker reads from and writes to the Salesforce Order.

The worker reads the Order by id alone (the job carries no customer session) together
with the Account's WHMCS client id and, per item, the product's WHMCS id
(``Product2.WHMCS_Product_Id__c``) and family. SIM products (``Family = 'SIM'``, as the
catalog marks them) need a line: its Freebit plan and SIM type come from the product's
``Portal_Attributes__c`` (``planCode``, ``simType``), the same attributes the catalog shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from domain.catalog.providers.salesforce.mapper import parse_attributes
from domain.catalog.providers.salesforce.statuses import PRICE_BILLING_CYCLES
from domain.common.model import RawModel
from domain.common.money import JPY, Money, sum_money
from domain.common.wire.lenient import DecimalValue, OptionalText, Text
from domain.common.wire.salesforce import ChildRecords, query_records
from domain.orders.contract import OrderStatus, PricedOrder, PricedOrderLine
from domain.orders.providers.salesforce.statuses import ORDER_STATUSES
from domain.sim.contract import SimType
from domain.sim.providers.freebit.statuses import SIM_TYPES
from integrations.errors import UpstreamBadResponse
from integrations.salesforce import SalesforceRestClient, soql

SIM_FAMILY = "SIM"


class _Product(RawModel):
    ProductCode: OptionalText = None
    Name: OptionalText = None
    Family: OptionalText = None
    WHMCS_Product_Id__c: OptionalText = None
    Portal_Attributes__c: OptionalText = None


class _Account(RawModel):
    WHMCS_Client_Id__c: OptionalText = None


class _Item(RawModel):
    Quantity: DecimalValue
    UnitPrice: DecimalValue
    PricebookEntryId: OptionalText = None
    Billing_Cycle__c: OptionalText = None
    Product2: _Product | None = None


class _Order(RawModel):
    Id: Text
    Status: OptionalText = None
    AccountId: OptionalText = None
    CurrencyIsoCode: OptionalText = None
    Description: OptionalText = None
    Account: _Account | None = None
    OrderItems: Annotated[tuple[_Item, ...], ChildRecords] = ()


@dataclass(frozen=True, slots=True)
class SimProduct:
    """What Freebit needs to open a line for one unit of a SIM product."""

    plan_code: str | None  # None: the product is misconfigured (no planCode attribute)
    sim_type: SimType


@dataclass(frozen=True, slots=True)
class OrderToProvision:
    order_id: str
    status: OrderStatus
    account_id: str | None
    billing_client_id: str | None
    order: PricedOrder
    # WHMCS product id -> the SIM product behind it; services of other products get no line.
    sim_products: dict[str, SimProduct]


def _sim_product(product: _Product) -> SimProduct:
    attributes = parse_attributes(
        product.Portal_Attributes__c, product_id=product.ProductCode or ""
    )
    plan_code, sim_type = attributes.get("planCode"), attributes.get("simType")
    return SimProduct(
        plan_code=plan_code if isinstance(plan_code, str) and plan_code else None,
        sim_type=SIM_TYPES.lookup(sim_type if isinstance(sim_type, str) else "physical"),
    )


def _line(item: _Item, currency: str) -> PricedOrderLine:
    product = item.Product2 or _Product()
    return PricedOrderLine(
        sku=product.ProductCode or "UNKNOWN",
        name=product.Name or product.ProductCode or "",
        quantity=int(item.Quantity),
        billing_cycle=PRICE_BILLING_CYCLES.lookup(item.Billing_Cycle__c),
        unit_price=Money.of(item.UnitPrice, currency),
        pricebook_entry_id=item.PricebookEntryId or "",
        billing_product_id=product.WHMCS_Product_Id__c or None,
    )


async def read_order(salesforce: SalesforceRestClient, order_id: str) -> OrderToProvision | None:
    """The Order with what provisioning needs, or None when it does not exist."""
    answer = await salesforce.query(
        soql(
            "SELECT Id, Status, AccountId, CurrencyIsoCode, Description, "
            "Account.WHMCS_Client_Id__c, "
            "(SELECT Quantity, UnitPrice, PricebookEntryId, Billing_Cycle__c, "
            "Product2.ProductCode, Product2.Name, Product2.Family, Product2.WHMCS_Product_Id__c, "
            "Product2.Portal_Attributes__c "
            "FROM OrderItems ORDER BY Id) FROM Order WHERE Id = :order LIMIT 1",
            order=order_id,
        )
    )
    rows = query_records(answer)
    if not rows:
        return None
    try:
        raw = _Order.model_validate(rows[0])
        currency = raw.CurrencyIsoCode or JPY
        lines = tuple(_line(item, currency) for item in raw.OrderItems)
        total = sum_money((line.unit_price.times(line.quantity) for line in lines), currency)
    except ValueError as error:  # pydantic's ValidationError included
        raise UpstreamBadResponse("salesforce", "unreadable Order for provisioning") from error
    return OrderToProvision(
        order_id=raw.Id,
        status=ORDER_STATUSES.lookup(raw.Status),
        account_id=raw.AccountId,
        billing_client_id=raw.Account.WHMCS_Client_Id__c if raw.Account else None,
        order=PricedOrder(lines=lines, total=total, notes=raw.Description),
        sim_products={
            item.Product2.WHMCS_Product_Id__c: _sim_product(item.Product2)
            for item in raw.OrderItems
            if item.Product2 is not None
            and item.Product2.Family == SIM_FAMILY
            and item.Product2.WHMCS_Product_Id__c
        },
    )
