from __future__ import annotations

from bff.core.errors import NotFound


class ProductNotFound(NotFound):
    code = "catalog.not_found"
    default_detail = "No such product in the catalog."
