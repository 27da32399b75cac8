import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.common import CurrencyMismatchError, Money, sum_money

amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)


def test_serialises_amount_as_two_decimal_string() -> None:
    assert Money.of(1980, "JPY").model_dump(mode="json") == {"amount": "1980.00", "currency": "JPY"}
    assert Money.of("0.5", "usd").model_dump_json() == '{"amount":"0.50","currency":"USD"}'


def test_rounds_half_up_to_cents() -> None:
    assert Money.of("1.005", "JPY").amount == Decimal("1.01")
    assert Money.of("-1.005", "JPY").amount == Decimal("-1.01")


@pytest.mark.parametrize("bad", [1.5, "abc", "NaN", "Infinity", None, True])
def test_refuses_floats_and_non_numbers(bad: object) -> None:
    with pytest.raises(ValidationError):
        Money(amount=bad, currency="JPY")


@pytest.mark.parametrize("currency", ["JP", "JPYY", "12A", ""])
def test_refuses_non_iso_currency(currency: str) -> None:
    with pytest.raises(ValidationError):
        Money.of(1, currency)


def test_arithmetic_and_comparison_need_one_currency() -> None:
    yen, dollar = Money.of(100, "JPY"), Money.of(100, "USD")
    for operation in (
        lambda: yen + dollar,
        lambda: yen - dollar,
        lambda: yen < dollar,
        lambda: yen <= dollar,
        lambda: yen > dollar,
        lambda: yen >= dollar,
    ):
        with pytest.raises(CurrencyMismatchError):
            operation()


def test_arithmetic() -> None:
    a, b = Money.of("10.10", "JPY"), Money.of("0.90", "JPY")
    assert (a + b).amount == Decimal("11.00")
    assert (a - b).amount == Decimal("9.20")
    assert (-a).amount == Decimal("-10.10")
    assert a.times(3) == Money.of("30.30", "JPY")
    assert b < a and b <= a and a > b and a >= b
    assert Money.zero("JPY").is_zero and not a.is_zero
    assert str(a) == "10.10 JPY"
    assert sum_money([a, b], "JPY") == Money.of(11, "JPY")
    assert sum_money([], "EUR") == Money.zero("EUR")


def test_money_is_immutable() -> None:
    money = Money.of(1, "JPY")
    with pytest.raises(ValidationError):
        money.amount = Decimal(2)  # type: ignore[misc]


@given(amounts, amounts)
def test_addition_is_exact_and_round_trips_through_json(a: Decimal, b: Decimal) -> None:
    total = Money.of(a, "JPY") + Money.of(b, "JPY")
    assert total.amount == a + b
    dumped = total.model_dump(mode="json")
    assert isinstance(dumped["amount"], str)
    assert len(dumped["amount"].split(".")[1]) == 2
    assert Money.model_validate(dumped) == total


@given(amounts)
def test_json_schema_pattern_matches_every_serialised_amount(a: Decimal) -> None:
    pattern = Money.model_json_schema(mode="serialization")["properties"]["amount"]["pattern"]
    assert re.match(pattern, Money.of(a, "JPY").model_dump(mode="json")["amount"])
