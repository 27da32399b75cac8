"""Small behaviours of shared types not exercised through a mapper."""

from datetime import date

from domain.billing import Invoice, InvoiceStatus
from domain.common import ConflictError, DomainError, Money, NotFoundError
from domain.common.wire.salesforce import unwrap_child_records
from domain.customer.addressing import split_street_lines
from domain.orders import InvalidTransitionError, OrderStatus


def test_error_hierarchy_and_codes() -> None:
    missing = NotFoundError("invoice", "42")
    assert isinstance(missing, DomainError) and missing.code == "domain.not_found"
    assert (missing.entity, missing.entity_id, str(missing)) == (
        "invoice",
        "42",
        "invoice 42 not found",
    )
    transition = InvalidTransitionError(OrderStatus.ACTIVE, OrderStatus.DRAFT)
    assert isinstance(transition, ConflictError) and isinstance(transition, DomainError)


def test_invoice_is_payable_only_when_unpaid_or_overdue() -> None:
    yen = Money.of(1, "JPY")
    invoice = Invoice(
        id="1",
        number="1",
        status=InvoiceStatus.OVERDUE,
        issued_on=date(2026, 1, 1),
        due_on=date(2026, 1, 2),
        subtotal=yen,
        tax=yen,
        total=yen,
        balance=yen,
    )
    assert invoice.is_payable
    assert not invoice.model_copy(update={"status": InvoiceStatus.PAID}).is_payable


def test_child_records_and_street_lines_edge_cases() -> None:
    assert unwrap_child_records([{"Id": "1"}]) == [{"Id": "1"}]
    assert unwrap_child_records({"totalSize": 0, "done": True}) == []
    assert split_street_lines("\n  \n") == (None, None)
    assert split_street_lines(None) == (None, None)
    assert split_street_lines("1-1\nBldg\n3F") == ("1-1", "Bldg 3F")
