"""Salesforce Order and OrderItem records, read (SOQL rows) and written (REST bodies).

Custom fields the portal relies on: ``Order.Failure_Reason__c`` (safe text shown to the
customer), ``Order.WHMCS_Order_Id__c``, ``Order.Subscription_Ids__c`` (comma-joined
WHMCS service ids), ``Order.Provisioned_At__c`` (datetime: when provisioning finished),
``OrderItem.Billing_Cycle__c`` (same picklist as PricebookEntry).
"""

from datetime import date
from typing import Annotated

from domain.common.wire.lenient import DecimalValue, OptionalDecimal, OptionalText, Text
from domain.common.wire.salesforce import (
    ChildRecords,
    SalesforceDatetime,
    SalesforceDatetimeOut,
    SalesforceNumber,
    SfWrite,
    SObject,
)


class SfProductRef(SObject):
    """``Product2`` as a relationship sub-object (only the fields an order line needs)."""

    Id: OptionalText = None
    ProductCode: OptionalText = None
    Name: OptionalText = None


class SfPricebookEntryRef(SObject):
    Id: OptionalText = None
    Product2: SfProductRef | None = None


class SfOrderItem(SObject):
    Id: Text
    OrderId: OptionalText = None
    # Quantity is a double in Salesforce: 1 comes back as 1.0.
    Quantity: DecimalValue
    UnitPrice: DecimalValue
    TotalPrice: OptionalDecimal = None
    PricebookEntryId: OptionalText = None
    Billing_Cycle__c: OptionalText = None
    Product2: SfProductRef | None = None
    PricebookEntry: SfPricebookEntryRef | None = None

    @property
    def product(self) -> SfProductRef | None:
        if self.Product2 is not None:
            return self.Product2
        return self.PricebookEntry.Product2 if self.PricebookEntry is not None else None


class SfOrder(SObject):
    """An Order row; ``OrderItems`` is present when the query has that child subquery."""

    Id: Text
    OrderNumber: OptionalText = None
    Status: OptionalText = None
    StatusCode: OptionalText = None
    AccountId: OptionalText = None
    EffectiveDate: OptionalText = None
    TotalAmount: OptionalDecimal = None
    CurrencyIsoCode: OptionalText = None
    Description: OptionalText = None
    CreatedDate: SalesforceDatetime
    LastModifiedDate: SalesforceDatetime | None = None
    Failure_Reason__c: OptionalText = None
    WHMCS_Order_Id__c: OptionalText = None
    Subscription_Ids__c: OptionalText = None
    Provisioned_At__c: SalesforceDatetime | None = None
    OrderItems: Annotated[tuple[SfOrderItem, ...], ChildRecords] = ()


class SfOrderCreate(SfWrite):
    sobject_type = "Order"

    AccountId: str
    Pricebook2Id: str
    EffectiveDate: date
    Status: str
    Description: str | None = None


class SfOrderItemCreate(SfWrite):
    """``OrderId`` may be a composite reference such as ``@{order.id}``."""

    sobject_type = "OrderItem"

    OrderId: str | None = None
    PricebookEntryId: str
    Quantity: int
    UnitPrice: SalesforceNumber
    Billing_Cycle__c: str


class SfOrderUpdate(SfWrite):
    Status: str
    Failure_Reason__c: str | None = None
    WHMCS_Order_Id__c: str | None = None
    Subscription_Ids__c: str | None = None
    Provisioned_At__c: SalesforceDatetimeOut | None = None
