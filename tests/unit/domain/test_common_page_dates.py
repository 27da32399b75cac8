from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.common import (
    Page,
    add_months,
    first_day_of_next_month,
    format_yyyymmdd,
    month_of,
    page_offset,
    parse_iso_date,
    parse_naive_datetime,
    parse_yyyymmdd,
    yyyymm_to_month,
)
from domain.common.dates import is_blank_date


def test_page_serialises_camel_case() -> None:
    page = Page[int](items=[1, 2], page=2, page_size=2, total=5)
    assert page.model_dump(mode="json") == {"items": [1, 2], "page": 2, "pageSize": 2, "total": 5}
    assert Page[int].model_validate({"items": [], "pageSize": 5, "total": 0}).page_size == 5


@pytest.mark.parametrize(
    "fields",
    [{"page": 0}, {"page_size": 0}, {"page_size": 101}, {"total": -1}],
)
def test_page_bounds(fields: dict[str, int]) -> None:
    base = {"items": [], "page": 1, "page_size": 20, "total": 0} | fields
    with pytest.raises(ValidationError):
        Page[int].model_validate(base)


def test_page_slice_and_offset() -> None:
    page = Page[int].slice(list(range(45)), page=3, page_size=20)
    assert page.items == list(range(40, 45)) and page.total == 45
    assert Page[int].slice([], page=1).items == []
    assert page_offset(3, 20) == 40


@given(st.lists(st.integers(), max_size=60), st.integers(1, 5), st.integers(1, 100))
def test_pages_cover_every_row_once(rows: list[int], page_count: int, page_size: int) -> None:
    seen: list[int] = []
    page = 1
    while (page - 1) * page_size < len(rows):
        seen.extend(Page[int].slice(rows, page=page, page_size=page_size).items)
        page += 1
    assert seen == rows


@pytest.mark.parametrize("blank", [None, "", "  ", "0000-00-00", "0000-00-00 00:00:00"])
def test_zero_and_blank_dates_are_none(blank: str | None) -> None:
    assert is_blank_date(blank)
    assert parse_iso_date(blank) is None
    assert parse_naive_datetime(blank) is None


def test_iso_date_and_naive_datetime() -> None:
    assert parse_iso_date("2016-01-08 14:06:34") == date(2016, 1, 8)
    assert parse_naive_datetime("2016-01-08 14:06:34") == datetime(2016, 1, 8, 5, 6, 34, tzinfo=UTC)
    assert parse_naive_datetime("2016-01-08") == datetime(2016, 1, 7, 15, 0, tzinfo=UTC)
    assert parse_naive_datetime("2016-01-08T00:00:00+00:00") == datetime(2016, 1, 8, tzinfo=UTC)


def test_yyyymmdd() -> None:
    assert parse_yyyymmdd("20261101") == date(2026, 11, 1)
    assert parse_yyyymmdd("00000000") is None
    assert parse_yyyymmdd("") is None
    assert parse_yyyymmdd(None) is None
    assert format_yyyymmdd(date(2026, 1, 2)) == "20260102"
    with pytest.raises(ValueError, match="YYYYMMDD"):
        parse_yyyymmdd("2026-11-01")


def test_months() -> None:
    assert yyyymm_to_month("202611") == "2026-11"
    assert yyyymm_to_month("2026-01") == "2026-01"
    for bad in ("202613", "2026", "abcdef"):
        with pytest.raises(ValueError, match="YYYYMM"):
            yyyymm_to_month(bad)
    assert month_of(date(2026, 3, 9)) == "2026-03"
    assert add_months(date(2026, 11, 1), 2) == date(2027, 1, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_first_day_of_next_month(today: date) -> None:
    first = first_day_of_next_month(today)
    assert first.day == 1
    assert first > today
    assert (first.year * 12 + first.month) - (today.year * 12 + today.month) == 1
