"""WHMCS GetInvoices / GetInvoice / GetPayMethods -> billing contract."""

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.billing import (
    InvoiceStatus,
    PaymentMethodType,
    derive_invoice_status,
    summarize_invoices,
)
from domain.billing.providers.whmcs import (
    card_expiry,
    invoice_from_whmcs,
    invoice_page_from_whmcs,
    payment_methods_from_whmcs,
    payment_session_from_whmcs,
    payment_session_request,
)
from domain.common import Money, ProviderPayloadError

Payload = Callable[[str, str], Any]
TODAY = date(2026, 11, 23)


def test_invoice_list_maps_amounts_statuses_and_zero_dates(payload: Payload) -> None:
    page = invoice_page_from_whmcs(
        payload("whmcs", "get_invoices"), today=TODAY, page=1, page_size=4
    )
    assert page.total == 57 and page.page_size == 4
    overdue, unpaid, paid, cancelled = page.items
    assert overdue.status is InvoiceStatus.OVERDUE
    assert overdue.number == "INV-2026-1042"
    assert overdue.paid_on is None
    assert overdue.total == Money.of("1980.00", "JPY") == overdue.balance
    assert unpaid.status is InvoiceStatus.UNPAID
    assert unpaid.number == "1050"  # empty invoicenum falls back to the id
    assert unpaid.total == unpaid.subtotal + unpaid.tax - Money.of(500, "JPY")
    assert paid.status is InvoiceStatus.PAID and paid.paid_on == date(2026, 9, 10)
    assert paid.balance.is_zero
    assert cancelled.status is InvoiceStatus.CANCELLED and cancelled.tax == Money.of(50, "JPY")
    assert page.model_dump(mode="json")["items"][0] == {
        "id": "1042",
        "number": "INV-2026-1042",
        "status": "overdue",
        "issuedOn": "2026-10-01",
        "dueOn": "2026-10-15",
        "paidOn": None,
        "subtotal": {"amount": "1800.00", "currency": "JPY"},
        "tax": {"amount": "180.00", "currency": "JPY"},
        "total": {"amount": "1980.00", "currency": "JPY"},
        "balance": {"amount": "1980.00", "currency": "JPY"},
    }


@pytest.mark.parametrize(
    "name",
    [
        "get_invoices_empty_list",
        "get_invoices_empty_string",
        "get_invoices_empty_wrapper",
        "get_invoices_missing",
    ],
)
def test_no_invoices_in_every_spelling(payload: Payload, name: str) -> None:
    page = invoice_page_from_whmcs(payload("whmcs", name), today=TODAY, page=1, page_size=20)
    assert page.items == [] and page.total == 0


def test_single_invoice_object_instead_of_list(payload: Payload) -> None:
    page = invoice_page_from_whmcs(
        payload("whmcs", "get_invoices_single_object"), today=TODAY, page=1, page_size=20
    )
    assert [i.id for i in page.items] == ["77"]
    assert page.items[0].status is InvoiceStatus.PAYMENT_PENDING


def test_unknown_status_does_not_break_the_list(
    payload: Payload, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        page = invoice_page_from_whmcs(
            payload("whmcs", "get_invoices_unknown_status"), today=TODAY, page=1, page_size=20
        )
    assert [i.status for i in page.items] == [InvoiceStatus.UNKNOWN, InvoiceStatus.COLLECTIONS]
    assert any(r.message == "unknown provider status" for r in caplog.records)


def test_invoice_detail_with_items_and_empty_transactions(payload: Payload) -> None:
    invoice = invoice_from_whmcs(payload("whmcs", "get_invoice"), today=TODAY)
    assert invoice.id == "1042" and invoice.status is InvoiceStatus.OVERDUE
    assert [item.amount for item in invoice.items] == [Money.of(1500, "JPY"), Money.of(300, "JPY")]
    assert invoice.items[0].description.startswith("データSIM")
    assert invoice.model_dump(mode="json")["items"][1] == {
        "description": "通話オプション",
        "amount": {"amount": "300.00", "currency": "JPY"},
    }


def test_paid_invoice_detail_single_item_and_transactions(payload: Payload) -> None:
    invoice = invoice_from_whmcs(
        payload("whmcs", "get_invoice_paid_with_transactions"), today=TODAY, currency="JPY"
    )
    assert invoice.status is InvoiceStatus.PAID and invoice.balance.is_zero
    assert len(invoice.items) == 1 and invoice.number == "998"


def test_invoice_without_issue_date_is_a_payload_error() -> None:
    with pytest.raises(ProviderPayloadError, match="'date' is missing"):
        invoice_from_whmcs(
            {"invoiceid": "1", "subtotal": "1", "total": "1", "date": "0000-00-00"}, today=TODAY
        )


def test_invoice_without_due_date_is_due_on_issue(caplog: pytest.LogCaptureFixture) -> None:
    raw = {
        "invoiceid": "1",
        "date": "2026-11-01",
        "duedate": "",
        "subtotal": "10",
        "total": "11",
        "status": "Unpaid",
    }
    with caplog.at_level(logging.WARNING):
        invoice = invoice_from_whmcs(raw, today=TODAY)
    assert invoice.due_on == date(2026, 11, 1) and invoice.status is InvoiceStatus.OVERDUE
    assert any("differs" in r.message for r in caplog.records)


def test_overdue_is_derived_against_the_given_day() -> None:
    due = date(2026, 11, 10)
    assert derive_invoice_status(InvoiceStatus.UNPAID, due, due) is InvoiceStatus.UNPAID
    assert (
        derive_invoice_status(InvoiceStatus.UNPAID, due, due + timedelta(days=1))
        is InvoiceStatus.OVERDUE
    )
    assert (
        derive_invoice_status(InvoiceStatus.PAID, due, due + timedelta(days=9))
        is InvoiceStatus.PAID
    )


def test_payment_methods(payload: Payload) -> None:
    card, bank, bad_expiry, paypal = payment_methods_from_whmcs(payload("whmcs", "get_paymethods"))
    assert (card.id, card.type, card.expiry, card.is_default) == (
        "3",
        PaymentMethodType.CARD,
        "2028-02",
        True,
    )
    assert card.description == "Visa ending 4242"
    assert (bank.type, bank.description, bank.expiry, bank.is_default) == (
        PaymentMethodType.BANK_ACCOUNT,
        "給与口座",
        None,
        False,
    )
    assert bad_expiry.expiry is None and bad_expiry.description == "Card ending 1111"
    assert paypal.type is PaymentMethodType.UNKNOWN and paypal.description == "paypal"
    assert card.model_dump(mode="json") == {
        "id": "3",
        "type": "card",
        "description": "Visa ending 4242",
        "expiry": "2028-02",
        "isDefault": True,
    }


def test_payment_methods_explicit_default_and_empty(payload: Payload) -> None:
    methods = payment_methods_from_whmcs(payload("whmcs", "get_paymethods"), default_id="4")
    assert [m.is_default for m in methods] == [False, True, False, False]
    assert payment_methods_from_whmcs(payload("whmcs", "get_paymethods_empty")) == ()


@pytest.mark.parametrize(
    ("raw", "expiry"),
    [
        ("02/25", "2025-02"),
        ("2/2031", "2031-02"),
        ("13/25", None),
        ("", None),
        (None, None),
        ("soon", None),
    ],
)
def test_card_expiry(raw: str | None, expiry: str | None) -> None:
    assert card_expiry(raw) == expiry


# --- properties -------------------------------------------------------------------------

cents = st.decimals(
    min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False
)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
whmcs_statuses = st.sampled_from(
    [
        "Draft",
        "Unpaid",
        "Paid",
        "Cancelled",
        "Refunded",
        "Collections",
        "Payment Pending",
        "Brand New",
    ]
)


def _amount(value: Decimal, as_number: bool) -> str | float:
    return float(value) if as_number else f"{value:.2f}"


@st.composite
def raw_invoice_rows(draw: st.DrawFn) -> dict[str, Any]:
    subtotal, tax, tax2 = draw(cents), draw(cents), draw(cents)
    credit = draw(st.decimals(min_value=0, max_value=subtotal + tax + tax2, places=2))
    total = subtotal + tax + tax2 - credit
    as_number = draw(st.booleans())
    issued = draw(days)
    row: dict[str, Any] = {
        "id": draw(st.one_of(st.integers(1, 10**6), st.integers(1, 10**6).map(str))),
        "date": issued.isoformat(),
        "duedate": draw(
            st.sampled_from(["", "0000-00-00", (issued + timedelta(days=14)).isoformat()])
        ),
        "datepaid": draw(st.sampled_from(["0000-00-00 00:00:00", f"{issued} 10:00:00", ""])),
        "subtotal": _amount(subtotal, as_number),
        "credit": _amount(credit, as_number) if credit else draw(st.sampled_from(["", "0.00"])),
        "tax": _amount(tax, as_number),
        "tax2": _amount(tax2, as_number),
        "total": _amount(total, as_number),
        "status": draw(whmcs_statuses),
        "currencycode": "JPY",
    }
    row.update(
        draw(st.dictionaries(st.sampled_from(["firstname", "x_new", "paymethodid"]), st.none()))
    )
    return row


@given(
    rows=st.lists(raw_invoice_rows(), max_size=5),
    shape=st.sampled_from(["list", "wrapped", "single"]),
    today=days,
)
def test_any_valid_invoice_list_maps_consistently(
    rows: list[dict[str, Any]], shape: str, today: date, assert_no_floats: Callable[[Any], None]
) -> None:
    if shape == "single" and rows:
        invoices: Any = {"invoice": rows[0]}
        rows = rows[:1]
    elif shape == "wrapped":
        invoices = {"invoice": rows}
    else:
        invoices = rows or ""
    page = invoice_page_from_whmcs(
        {"totalresults": str(len(rows)), "invoices": invoices}, today=today, page=1, page_size=20
    )
    assert len(page.items) == len(rows)
    for raw, invoice in zip(rows, page.items, strict=True):
        credit = Money.of(Decimal(str(raw["credit"] or 0)), "JPY")
        assert invoice.total == invoice.subtotal + invoice.tax - credit
        assert invoice.due_on >= invoice.issued_on
        if invoice.status is InvoiceStatus.OVERDUE:
            assert raw["status"] == "Unpaid" and invoice.due_on < today
        assert invoice.balance in (invoice.total, Money.zero("JPY"))
    assert_no_floats(page)


def test_payment_session_request_and_answer(payload: Payload) -> None:
    assert payment_session_request(client_id="7", invoice_id="1042") == {
        "client_id": "7",
        "destination": "sso:custom_redirect",
        "sso_redirect_path": "viewinvoice.php?id=1042",
    }
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    session = payment_session_from_whmcs(payload("whmcs", "create_sso_token"), now=now)
    assert session.model_dump(mode="json") == {
        "url": "https://billing.example.jp/oauth/singlesignon.php?access_token=d8d6a8a1b2c3",
        "expiresAt": "2026-11-23T10:01:00Z",
    }
    with pytest.raises(ProviderPayloadError, match="redirect_url"):
        payment_session_from_whmcs({"result": "success"}, now=now)


def test_billing_summary_for_the_dashboard(payload: Payload) -> None:
    invoices = invoice_page_from_whmcs(
        payload("whmcs", "get_invoices"), today=TODAY, page=1, page_size=20
    ).items
    summary = summarize_invoices(invoices, currency="JPY")
    assert summary.model_dump(mode="json") == {
        "unpaidTotal": {"amount": "4780.00", "currency": "JPY"},
        "nextDue": {
            "invoiceId": "1042",
            "dueOn": "2026-10-15",
            "amount": {"amount": "1980.00", "currency": "JPY"},
        },
    }
    nothing = summarize_invoices([], currency="JPY")
    assert nothing.unpaid_total.is_zero and nothing.next_due is None
