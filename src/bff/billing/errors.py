from __future__ import annotations

from bff.core.errors import Conflict, NotFound


class InvoiceNotFound(NotFound):
    code = "billing.invoice_not_found"
    default_detail = "No such invoice."


class InvoiceNotPayable(Conflict):
    code = "billing.invoice_not_payable"
    default_detail = "Only an unpaid invoice can be paid."
