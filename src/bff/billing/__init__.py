"""Invoices, payment sessions and payment methods, from WHMCS, scoped to the caller."""
