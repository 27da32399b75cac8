"""Money: a Decimal amount in an ISO 4217 currency, serialised as a two-decimal string."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Self

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema, field_validator

from domain.common.errors import CurrencyMismatchError
from domain.common.model import ContractModel

CENT = Decimal("0.01")
JPY = "JPY"
"""The portal's home currency, used when a provider payload does not name one."""

CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["JPY"])]


def to_decimal(value: object) -> Decimal:
    """Accept Decimal, int or a numeric string; refuse floats, which are already inexact."""
    if isinstance(value, Decimal):
        decimal = value
    elif isinstance(value, int) and not isinstance(value, bool):
        decimal = Decimal(value)
    elif isinstance(value, str):
        try:
            decimal = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError("amount must be a decimal number") from None
    else:
        raise ValueError("amount must be a Decimal, int or decimal string, never a float")
    if not decimal.is_finite():
        raise ValueError("amount must be finite")
    return decimal.quantize(CENT, rounding=ROUND_HALF_UP)


def _format_amount(amount: Decimal) -> str:
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):f}"


Amount = Annotated[
    Decimal,
    BeforeValidator(to_decimal),
    PlainSerializer(_format_amount, return_type=str, when_used="json"),
    # One schema for input and output: a decimal string, never a JSON number.
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1980.00"]}),
]


class Money(ContractModel):
    """An amount with exactly two fraction digits (rounded half-up on construction)."""

    amount: Amount
    currency: CurrencyCode

    @field_validator("currency", mode="before")
    @classmethod
    def _upper_currency(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Self:
        return cls(amount=to_decimal(amount), currency=currency)

    @classmethod
    def zero(cls, currency: str) -> Self:
        return cls(amount=Decimal(0), currency=currency)

    def _same_currency(self, other: "Money") -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(self.currency, other.currency)

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __neg__(self) -> "Money":
        return Money(amount=-self.amount, currency=self.currency)

    def times(self, quantity: int | Decimal) -> "Money":
        """Multiply by a quantity (never by a float)."""
        return Money(amount=self.amount * to_decimal(quantity), currency=self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: "Money") -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def __gt__(self, other: "Money") -> bool:
        self._same_currency(other)
        return self.amount > other.amount

    def __ge__(self, other: "Money") -> bool:
        self._same_currency(other)
        return self.amount >= other.amount

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{_format_amount(self.amount)} {self.currency}"


def sum_money(amounts: Iterable[Money], currency: str) -> Money:
    """Sum amounts of one currency; an empty iterable gives zero in ``currency``."""
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total
