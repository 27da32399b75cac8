"""SOQL with bound values: no caller ever concatenates user input into a query.

A query is a constant template with ``:name`` placeholders; values are rendered as SOQL
literals (strings quoted and escaped, dates/datetimes/numbers/booleans/null unquoted,
sequences as ``(a, b)`` for ``IN``)::

    query = soql(
        "SELECT Id, Subject FROM Case WHERE AccountId = :account AND Status IN :statuses",
        account=account_id,
        statuses=["New", "Working"],
    )

``template`` is typed ``LiteralString``, so a type checker refuses an f-string or a
concatenation with runtime text. Field and object names are never bound: choose them
from an allow-list and pass them through :func:`identifier`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import LiteralString

__all__ = ["Soql", "SoqlValue", "identifier", "like_contains", "like_prefix", "literal", "soql"]

SoqlScalar = str | int | float | Decimal | bool | date | datetime | None
SoqlValue = SoqlScalar | Sequence[SoqlScalar]

MAX_SOQL_LENGTH = 100_000

_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_PLACEHOLDER = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$")


@dataclass(frozen=True, slots=True)
class Soql:
    """A complete SOQL statement whose values were all bound by :func:`soql`."""

    text: str

    def __str__(self) -> str:
        return self.text


def _escape(text: str, *, like: bool = False) -> str:
    out: list[str] = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif like and char in "%_":
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _quote(text: str) -> str:
    return f"'{_escape(text)}'"


@dataclass(frozen=True, slots=True)
class _LikePattern:
    rendered: str


def like_prefix(text: str) -> _LikePattern:
    """``LIKE :p`` matching values that start with ``text`` (its % and _ are literal)."""
    return _LikePattern(f"'{_escape(text, like=True)}%'")


def like_contains(text: str) -> _LikePattern:
    """``LIKE :p`` matching values that contain ``text`` (its % and _ are literal)."""
    return _LikePattern(f"'%{_escape(text, like=True)}%'")


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("SOQL numbers must be finite")
        return format(value, "f")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("SOQL numbers must be finite")
        return repr(value)
    if isinstance(value, datetime):  # before date: datetime is a date
        if value.tzinfo is None:
            raise ValueError("SOQL datetimes must be timezone-aware")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _quote(value)
    raise TypeError(f"cannot bind a {type(value).__name__} into SOQL")


def literal(value: object) -> str:
    """Render one value as a SOQL literal (a sequence becomes ``('a', 'b')``)."""
    if isinstance(value, _LikePattern):
        return value.rendered
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        if not value:
            raise ValueError("IN needs at least one value")
        return "(" + ", ".join(_scalar(v) for v in value) + ")"
    return _scalar(value)


def identifier(name: str) -> str:
    """Check a field/object name (``Account.Name``) chosen at runtime; raise if unsafe."""
    if not _IDENTIFIER.match(name):
        raise ValueError("not a SOQL identifier")
    return name


def soql(template: LiteralString, **values: SoqlValue | _LikePattern) -> Soql:
    """Bind ``values`` into ``template``'s ``:name`` placeholders."""
    if "'" in template or '"' in template:
        raise ValueError("templates carry no literals; bind them as values")
    used: set[str] = set()

    def bind(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value bound for :{name}")
        used.add(name)
        return literal(values[name])

    text = _PLACEHOLDER.sub(bind, template)
    unused = set(values) - used
    if unused:
        raise ValueError(f"values not used by the template: {sorted(unused)}")
    if len(text) > MAX_SOQL_LENGTH:
        raise ValueError("SOQL statement too long")
    return Soql(text)
