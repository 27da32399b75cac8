"""WHMCS billing payloads: GetInvoices, GetInvoice, GetPayMethods (quirks included)."""

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

from domain.common.model import RawModel
from domain.common.wire.lenient import (
    DecimalOrZero,
    DecimalValue,
    Flag,
    IntValue,
    OptionalDate,
    OptionalDecimal,
    OptionalText,
    Text,
)
from domain.common.wire.whmcs import unwrap_collection


class WhmcsInvoiceFields(RawModel):
    """Fields ``GetInvoices`` rows and ``GetInvoice`` share (amounts arrive as strings)."""

    invoicenum: OptionalText = None
    userid: OptionalText = None
    date: OptionalDate = None
    duedate: OptionalDate = None
    datepaid: OptionalDate = None
    subtotal: DecimalValue
    credit: DecimalOrZero = Decimal(0)
    tax: DecimalOrZero = Decimal(0)
    tax2: DecimalOrZero = Decimal(0)
    total: DecimalValue
    status: OptionalText = None
    paymentmethod: OptionalText = None
    currencycode: OptionalText = None


class WhmcsInvoiceRow(WhmcsInvoiceFields):
    """One row of ``GetInvoices`` ``invoices.invoice[]`` (the id is an int here)."""

    id: Text


class WhmcsInvoiceList(RawModel):
    """``GetInvoices``: with 0 rows ``invoices`` is ``[]``, ``""`` or missing."""

    totalresults: IntValue = 0
    startnumber: IntValue = 0
    numreturned: IntValue = 0
    invoices: Annotated[
        tuple[WhmcsInvoiceRow, ...], BeforeValidator(unwrap_collection("invoice"))
    ] = ()


class WhmcsInvoiceItem(RawModel):
    id: OptionalText = None
    type: OptionalText = None
    relid: OptionalText = None
    description: OptionalText = None
    amount: DecimalValue
    taxed: Flag = False


class WhmcsTransaction(RawModel):
    id: OptionalText = None
    gateway: OptionalText = None
    date: OptionalText = None
    amountin: OptionalDecimal = None
    fees: OptionalDecimal = None
    transid: OptionalText = None


class WhmcsInvoice(WhmcsInvoiceFields):
    """``GetInvoice``: ``transactions`` is ``""`` when there are none; no currency code."""

    invoiceid: Text
    balance: OptionalDecimal = None
    items: Annotated[tuple[WhmcsInvoiceItem, ...], BeforeValidator(unwrap_collection("item"))] = ()
    transactions: Annotated[
        tuple[WhmcsTransaction, ...], BeforeValidator(unwrap_collection("transaction"))
    ] = ()


class WhmcsPayMethod(RawModel):
    """One of ``GetPayMethods`` ``paymethods[]``; ``expiry_date`` is ``MM/YY`` display text."""

    id: Text
    type: OptionalText = None
    description: OptionalText = None
    gateway_name: OptionalText = None
    card_last_four: OptionalText = None
    expiry_date: OptionalText = None
    card_type: OptionalText = None
    bank_name: OptionalText = None


class WhmcsPayMethodList(RawModel):
    clientid: OptionalText = None
    paymethods: Annotated[
        tuple[WhmcsPayMethod, ...], BeforeValidator(unwrap_collection("paymethod"))
    ] = ()


class WhmcsSsoToken(RawModel):
    """``CreateSsoToken``: single use, valid for at most 60 seconds."""

    access_token: OptionalText = None
    redirect_url: Text
