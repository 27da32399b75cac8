"""The SOQL builder binds values safely: whatever the input, the statement the sandbox's
parser reads back has exactly one literal holding exactly that value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.salesforce import identifier, like_contains, like_prefix, literal, soql
from integrations.sandbox._soql import Comparison, Like, Token, parse

INJECTIONS = [
    "x' OR Name != '",
    "x\\' OR Name != \\'",
    "\\",
    "\\'",
    "' OR Id != null OR LastName = '",
    "') OR (LastName != '",
    "x'; DELETE FROM Contact; --",
    "O'Brien",
    'quote " double',
    "line\nbreak\r\ttab\b\f",
    "\u0000\u0001\u001f\u007f",
    "%_%",
    "日本語の名前",
    "😀 emoji",
    ":other",
]


def _bound_value(text: str) -> object:
    query = parse(
        soql("SELECT Id FROM Contact WHERE LastName = :value", value=text).text,
        today=date(2026, 1, 1),
    )
    assert isinstance(query.where, Comparison), "the value must not add conditions"
    assert query.where.op == "="
    assert isinstance(query.where.value, Token)
    return query.where.value.value


@pytest.mark.parametrize("attack", INJECTIONS)
def test_injection_attempts_stay_one_string_literal(attack: str) -> None:
    assert _bound_value(attack) == attack


@given(st.text())
def test_any_text_round_trips_as_one_literal(text: str) -> None:
    assert _bound_value(text) == text


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_lists_bind_as_in_with_each_value_escaped(values: list[str]) -> None:
    query = parse(
        soql("SELECT Id FROM Contact WHERE LastName IN :names", names=values).text,
        today=date(2026, 1, 1),
    )
    assert isinstance(query.where, Comparison)
    assert query.where.op == "in"
    assert isinstance(query.where.value, list)
    assert [t.value for t in query.where.value] == values


@given(st.text())
def test_like_patterns_treat_wildcards_in_input_literally(text: str) -> None:
    for pattern, probe in ((like_contains(text), f"a{text}b"), (like_prefix(text), f"{text}z")):
        query = parse(
            soql("SELECT Id FROM Contact WHERE LastName LIKE :p", p=pattern).text,
            today=date(2026, 1, 1),
        )
        assert isinstance(query.where, Comparison)
        assert isinstance(query.where.value, Like)
        assert query.where.value.pattern.match(probe)
    if text and "%" not in text and "_" not in text:
        return
    # A wildcard in the input must not match arbitrary text.
    query = parse(
        soql("SELECT Id FROM Contact WHERE LastName LIKE :p", p=like_prefix("50%")).text,
        today=date(2026, 1, 1),
    )
    assert isinstance(query.where, Comparison)
    assert isinstance(query.where.value, Like)
    assert not query.where.value.pattern.match("500 yen")


def test_scalar_literals() -> None:
    assert literal("O'Brien\\") == "'O\\'Brien\\\\'"
    assert literal(None) == "null"
    assert literal(True) == "true"
    assert literal(False) == "false"
    assert literal(42) == "42"
    assert literal(Decimal("1980.00")) == "1980.00"
    assert literal(Decimal("1E+3")) == "1000"
    assert literal(0.5) == "0.5"
    assert literal(date(2026, 11, 1)) == "2026-11-01"
    jst = timezone(timedelta(hours=9))
    assert literal(datetime(2026, 11, 1, 9, 0, tzinfo=jst)) == "2026-11-01T00:00:00Z"
    assert literal(datetime(2026, 11, 1, tzinfo=UTC)) == "2026-11-01T00:00:00Z"
    assert literal(["a", 1, None]) == "('a', 1, null)"


@pytest.mark.parametrize(
    "bad",
    [datetime(2026, 1, 1), float("nan"), float("inf"), Decimal("NaN"), [], object(), b"bytes"],
)
def test_values_that_cannot_be_bound_are_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        literal(bad)


def test_templates_refuse_literals_and_mismatched_names() -> None:
    with pytest.raises(ValueError, match="literals"):
        soql("SELECT Id FROM Case WHERE Status = 'New'")
    with pytest.raises(KeyError):
        soql("SELECT Id FROM Case WHERE Status = :status")
    with pytest.raises(ValueError, match="not used"):
        soql("SELECT Id FROM Case", status="New")


def test_bound_values_are_not_rescanned_for_placeholders() -> None:
    statement = soql("SELECT Id FROM Case WHERE Subject = :a AND Description = :b", a=":b", b="x")
    assert statement.text == ("SELECT Id FROM Case WHERE Subject = ':b' AND Description = 'x'")


@pytest.mark.parametrize("name", ["Name", "Account.Name", "WHMCS_Client_Id__c"])
def test_identifiers_allowed(name: str) -> None:
    assert identifier(name) == name


@pytest.mark.parametrize("name", ["Name'", "Name; DELETE", "Name FROM", "", "1Name", "a..b"])
def test_identifiers_refused(name: str) -> None:
    with pytest.raises(ValueError, match="identifier"):
        identifier(name)
