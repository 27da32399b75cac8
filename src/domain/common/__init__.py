"""Building blocks every context uses: Money, Address, Page, errors, dates, status tables."""

from domain.common.address import Address, normalize_postcode
from domain.common.billing_cycle import ORDERABLE_CYCLES, BillingCycle, OrderableCycle
from domain.common.dates import (
    JST,
    UtcDatetime,
    add_months,
    first_day_of_next_month,
    format_yyyymmdd,
    month_of,
    parse_iso_date,
    parse_naive_datetime,
    parse_yyyymmdd,
    yyyymm_to_month,
)
from domain.common.errors import (
    ConflictError,
    CurrencyMismatchError,
    DomainError,
    FieldError,
    NotFoundError,
    ProviderPayloadError,
    ValidationFailedError,
)
from domain.common.model import ContractModel, RawModel
from domain.common.money import JPY, Amount, Money, sum_money
from domain.common.page import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, page_offset
from domain.common.prefectures import PREFECTURES, Prefecture, find_prefecture
from domain.common.status import StatusTable

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "JPY",
    "JST",
    "MAX_PAGE_SIZE",
    "ORDERABLE_CYCLES",
    "PREFECTURES",
    "Address",
    "Amount",
    "BillingCycle",
    "ConflictError",
    "ContractModel",
    "CurrencyMismatchError",
    "DomainError",
    "FieldError",
    "Money",
    "NotFoundError",
    "OrderableCycle",
    "Page",
    "Prefecture",
    "ProviderPayloadError",
    "RawModel",
    "StatusTable",
    "UtcDatetime",
    "ValidationFailedError",
    "add_months",
    "find_prefecture",
    "first_day_of_next_month",
    "format_yyyymmdd",
    "month_of",
    "normalize_postcode",
    "page_offset",
    "parse_iso_date",
    "parse_naive_datetime",
    "parse_yyyymmdd",
    "sum_money",
    "yyyymm_to_month",
]
