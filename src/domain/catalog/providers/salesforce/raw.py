"""Salesforce catalog rows: Product2 with its PricebookEntries, or PricebookEntry with Product2.

Custom fields the portal relies on (set up in the org):
``Product2.Portal_Catalog__c`` (checkbox: sold in the portal),
``Product2.WHMCS_Product_Id__c`` (text: the WHMCS ``pid`` provisioning orders),
``Product2.Portal_Attributes__c`` (long text: a JSON object shown as ``attributes``),
``PricebookEntry.Billing_Cycle__c`` (picklist: Monthly, Annually, One-time).
"""

from typing import Annotated

from domain.common.wire.lenient import DecimalValue, Flag, OptionalText, Text
from domain.common.wire.salesforce import ChildRecords, SObject


class SfProduct2Fields(SObject):
    Id: Text
    Name: OptionalText = None
    ProductCode: OptionalText = None
    Family: OptionalText = None
    Description: OptionalText = None
    IsActive: Flag = True
    Portal_Catalog__c: Flag = True
    WHMCS_Product_Id__c: OptionalText = None
    Portal_Attributes__c: OptionalText = None


class SfPricebookEntryFields(SObject):
    Id: Text
    Product2Id: OptionalText = None
    Pricebook2Id: OptionalText = None
    UnitPrice: DecimalValue
    # Absent in single-currency orgs.
    CurrencyIsoCode: OptionalText = None
    IsActive: Flag = True
    Billing_Cycle__c: OptionalText = None


class SfPricebookEntry(SfPricebookEntryFields):
    """A PricebookEntry row, with its parent ``Product2`` when the query selects it."""

    Product2: SfProduct2Fields | None = None


class SfProduct2(SfProduct2Fields):
    """A Product2 row, with ``(SELECT ... FROM PricebookEntries)`` as a child subquery."""

    PricebookEntries: Annotated[tuple[SfPricebookEntryFields, ...], ChildRecords] = ()
