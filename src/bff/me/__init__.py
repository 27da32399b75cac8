"""`/api/me`: the signed-in customer's profile (contact details live in WHMCS)."""
