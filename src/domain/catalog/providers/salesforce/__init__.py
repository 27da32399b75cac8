"""Salesforce catalog rows (Product2, PricebookEntry) and their mappers."""

from domain.catalog.providers.salesforce.mapper import (
    catalog_entry_from_salesforce,
    catalog_from_salesforce_pricebook_entries,
    catalog_from_salesforce_products,
    parse_attributes,
)
from domain.catalog.providers.salesforce.raw import (
    SfPricebookEntry,
    SfPricebookEntryFields,
    SfProduct2,
    SfProduct2Fields,
)
from domain.catalog.providers.salesforce.statuses import PRICE_BILLING_CYCLES, PRODUCT_FAMILIES

__all__ = [
    "PRICE_BILLING_CYCLES",
    "PRODUCT_FAMILIES",
    "SfPricebookEntry",
    "SfPricebookEntryFields",
    "SfProduct2",
    "SfProduct2Fields",
    "catalog_entry_from_salesforce",
    "catalog_from_salesforce_pricebook_entries",
    "catalog_from_salesforce_products",
    "parse_attributes",
]
