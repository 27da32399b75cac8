"""Query parameters every list endpoint shares: ``page`` (>= 1) and ``pageSize`` (1-100)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from domain.common.page import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

PageQuery = Annotated[int, Query(ge=1, description="Page number, from 1.")]
PageSizeQuery = Annotated[
    int,
    Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE, description="Items per page (1-100)."),
]

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "PageQuery", "PageSizeQuery"]
