"""HTTP shapes of the catalog."""

from __future__ import annotations

from enum import StrEnum

from domain.catalog.contract import Product
from domain.common.page import Page


class CategoryFilter(StrEnum):
    """Catalog category to list."""

    SIM = "sim"
    INTERNET = "internet"
    VPN = "vpn"
    OPTION = "option"


class ProductPage(Page[Product]):
    """A page of catalog products, in catalog order (product code)."""


__all__ = ["CategoryFilter", "Product", "ProductPage"]
