"""A page of a list, as every list endpoint returns it."""

from collections.abc import Sequence
from typing import Annotated, Generic, Self, TypeVar

from pydantic import Field

from domain.common.model import ContractModel

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

PageNumber = Annotated[int, Field(ge=1)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]


class Page(ContractModel, Generic[T]):
    items: list[T]
    page: PageNumber = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE
    total: Annotated[int, Field(ge=0)]

    @classmethod
    def slice(cls, rows: Sequence[T], *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Self:
        """Cut one page out of a complete, already ordered list."""
        start = page_offset(page, page_size)
        items = list(rows[start : start + page_size])
        return cls(items=items, page=page, page_size=page_size, total=len(rows))


def page_offset(page: int, page_size: int) -> int:
    """Zero-based index of a page's first row (WHMCS ``limitstart``, SOQL ``OFFSET``)."""
    return (page - 1) * page_size
