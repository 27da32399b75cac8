"""Inbound webhooks: WHMCS hook call-outs that invalidate cached data."""
