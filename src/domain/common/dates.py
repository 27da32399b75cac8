"""Date helpers for provider formats. No hidden clock: callers pass ``today``."""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

# Japan has no daylight saving time, so a fixed offset is exact and needs no tzdata.
JST = timezone(timedelta(hours=9), "JST")

_ZERO_DATE = re.compile(r"^0000-00-00")
_YYYYMMDD = re.compile(r"^\d{8}$")
_YYYYMM = re.compile(r"^(\d{4})(\d{2})$")


def is_blank_date(value: str | None) -> bool:
    """True for the providers' ways of saying "no date": None, "", ``0000-00-00``..."""
    return value is None or not value.strip() or bool(_ZERO_DATE.match(value.strip()))


def parse_iso_date(value: str | None) -> date | None:
    """``2016-01-08`` or ``2016-01-08 14:06:34`` to a date; zero and blank dates to None."""
    if value is None or is_blank_date(value):
        return None
    return date.fromisoformat(value.strip()[:10])


def parse_naive_datetime(value: str | None, tz: timezone = JST) -> datetime | None:
    """A naive server-local timestamp (``2016-01-08 14:06:34``) to an aware UTC datetime."""
    if value is None or is_blank_date(value):
        return None
    text = value.strip()
    parsed = datetime.fromisoformat(text) if len(text) > 10 else datetime.fromisoformat(text[:10])
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def parse_yyyymmdd(value: str | None) -> date | None:
    """``20261101`` to a date; blank or all-zero values to None."""
    if value is None or not value.strip() or set(value.strip()) == {"0"}:
        return None
    text = value.strip()
    if not _YYYYMMDD.match(text):
        raise ValueError("date must be YYYYMMDD")
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def format_yyyymmdd(day: date) -> str:
    return day.strftime("%Y%m%d")


def yyyymm_to_month(value: str) -> str:
    """``202611`` (or ``2026-11``) to the contract's month format ``2026-11``."""
    text = value.strip().replace("-", "")
    match = _YYYYMM.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError("month must be YYYYMM")
    return f"{match.group(1)}-{match.group(2)}"


def month_of(day: date) -> str:
    """The contract's month label (``2026-11``) of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def first_day_of_next_month(today: date) -> date:
    return date(today.year + 1, 1, 1) if today.month == 12 else date(today.year, today.month + 1, 1)


def add_months(month_start: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, if negative) ``month_start``."""
    index = month_start.year * 12 + month_start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(to_utc)]
"""An aware datetime, normalised to UTC so it serialises as ``...Z``."""
