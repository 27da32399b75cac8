"""Pydantic types that absorb the quirks all three providers share."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator

from domain.common.dates import parse_iso_date


def as_list(value: Any) -> list[Any]:
    """A collection that may come as a list, a single object, ``""``, ``{}`` or null."""
    if value is None or (isinstance(value, str | dict | list) and not value):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    raise ValueError("expected a list")


def blank_to_none(value: Any) -> Any:
    """``""`` and whitespace-only strings mean "absent"."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _number_string(value: Any) -> Any:
    value = blank_to_none(value)
    if isinstance(value, float):
        # JSON numbers arrive as floats; their shortest repr is the decimal the sender wrote.
        return Decimal(repr(value))
    if isinstance(value, str):
        return value.strip().replace(",", "")
    return value


def _zero_if_blank(value: Any) -> Any:
    value = _number_string(value)
    return Decimal(0) if value is None else value


def _text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _flag(value: Any) -> Any:
    if isinstance(value, str):
        folded = value.strip().casefold()
        if folded in {"", "0", "false", "off", "no"}:
            return False
        if folded in {"1", "true", "on", "yes"}:
            return True
    if value is None:
        return False
    return value


def _optional_text(value: Any) -> Any:
    return blank_to_none(_text(value))


def _optional_date(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return parse_iso_date(value)
    return value


DecimalValue = Annotated[Decimal, BeforeValidator(_number_string)]
"""A number sent as a JSON number or a string (``"15.95"``, ``"1,980"``)."""

OptionalDecimal = Annotated[Decimal | None, BeforeValidator(_number_string)]


DecimalOrZero = Annotated[Decimal, BeforeValidator(_zero_if_blank)]
"""An amount where ``""``, null and missing mean zero (credits, second tax)."""

IntValue = Annotated[int, BeforeValidator(_number_string)]
"""An integer sent as a number or a string (``"1"``)."""

OptionalInt = Annotated[int | None, BeforeValidator(_number_string)]

Text = Annotated[str, BeforeValidator(_text)]
"""A string that some actions send as a number (ids: ``1`` vs ``"1"``)."""

OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]
"""A string where ``""``, null and missing all mean absent."""

Flag = Annotated[bool, BeforeValidator(_flag)]
"""A boolean sent as ``true``/``false``, ``0``/``1``, ``"0"``/``"1"`` or ``""``."""

OptionalDate = Annotated[date | None, BeforeValidator(_optional_date)]
"""A date where zero dates (``0000-00-00``), ``""`` and null mean none."""
