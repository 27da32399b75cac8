"""Catalog context: products, prices, categories."""

from domain.catalog.contract import (
    AttributeValue,
    CatalogEntry,
    Price,
    Product,
    ProductCategory,
    Sku,
)

__all__ = ["AttributeValue", "CatalogEntry", "Price", "Product", "ProductCategory", "Sku"]
