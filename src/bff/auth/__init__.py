"""Authentication and sessions: argon2id logins, short JWTs, rotating refresh-token families.

Other features import only :mod:`bff.auth.dependencies` (``CurrentCustomer``).
"""
