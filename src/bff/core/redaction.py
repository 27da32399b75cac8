"""Removes secrets and personal data from log events before anything is written.

Two nets: values under sensitive keys are replaced whole (wherever the key sits, at any
depth), and every string is scanned for patterns that are sensitive on their own
(emails, phone numbers, JWTs, bearer tokens, card numbers, postcodes, `password=...`).
Objects that are not plain data are turned into their redacted `str`, because a repr is
free text we do not control (exceptions carry request payloads in their messages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "[REDACTED]"
_MAX_DEPTH = 8

# Compared after lower-casing and dropping "-" and "_", so `Set-Cookie`, `set_cookie`
# and `setCookie` are one key.
_SENSITIVE_KEYS = frozenset(
    {
        "password", "passwd", "pwd", "newpassword", "currentpassword", "password2",
        "secret", "clientsecret", "webhooksecret", "jwtsecret", "apikey", "accesskey",
        "token", "accesstoken", "refreshtoken", "idtoken", "resettoken", "authkey",
        "assertion", "privatekey", "privatekeypem", "oemkey", "signature", "xsignature",
        "authorization", "proxyauthorization", "cookie", "setcookie", "bffrefresh",
        "email", "emailaddress", "phone", "phonenumber", "mobile", "tel", "msisdn",
        "address", "address1", "address2", "street", "city", "state", "prefecture",
        "postcode", "postalcode", "zip", "zipcode", "building", "fulladdress",
        "cardnumber", "cardnum", "pan", "cvv", "cvc", "cardcvv", "cardexpiry", "iccid",
        "firstname", "lastname", "fullname", "birthdate", "dateofbirth",
    }
)  # fmt: skip

_PATTERNS: tuple[re.Pattern[str], ...] = (
    # JWTs (header.payload.signature, base64url, header always starts `eyJ`).
    re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)\b(?:bearer|basic)\s+[A-Za-z0-9._~+/-]+=*"),
    # `password=...`, `"token": "..."`, `secret: ...` inside free text.
    re.compile(
        r"(?i)(?:pass(?:word|wd)?|secret|token|api[_-]?key|access[_-]?key|authorization"
        r"|cookie)[\"']?\s*[=:]\s*(?:\"[^\"]*\"|'[^']*'|[^\s,;&}]+)"
    ),
    # Emails: RFC 5322 local parts may hold `/`, `=`, `'` and more, so exclude only specials.
    re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"'.]+"),
    # Card numbers and ICCIDs: 13-19 digits, optionally grouped by single spaces/hyphens.
    re.compile(r"(?<![\w.])\d(?:[ -]?\d){12,18}(?![\w])"),
    # Phone numbers: international `+CC ...`, or Japanese domestic starting with 0.
    re.compile(r"(?<![\w+])\+\d{1,3}[ -]?(?:\(0\))?\d{1,4}(?:[ -]?\d{1,4}){1,3}(?![\w])"),
    re.compile(r"(?<![\w.])\(?0\d{1,4}\)?[ -]?\d{1,4}[ -]?\d{3,4}(?![\w.])"),
    # Japanese postcode (NNN-NNNN): an address fragment on its own.
    re.compile(r"(?<![\w-])\d{3}-\d{4}(?![\w-])"),
)


def _normalise_key(key: object) -> str:
    return str(key).lower().replace("-", "").replace("_", "")


def is_sensitive_key(key: object) -> bool:
    return _normalise_key(key) in _SENSITIVE_KEYS


def redact_text(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def redact(value: Any, depth: int = 0) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact_text(value)
    if depth >= _MAX_DEPTH:
        return REDACTED
    if isinstance(value, Mapping):
        return {
            key: REDACTED if is_sensitive_key(key) else redact(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item, depth + 1) for item in value]
    if isinstance(value, bytes | bytearray):
        return redact_text(bytes(value).decode("utf-8", errors="replace"))
    return redact_text(str(value))


_UNTOUCHED_KEYS = frozenset({"timestamp", "level", "logger", "request_id", "duration_ms"})


def redact_event(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> dict[str, Any]:
    """structlog processor: the last word on what leaves the process."""
    return {
        key: value
        if key in _UNTOUCHED_KEYS
        else (REDACTED if is_sensitive_key(key) else redact(value))
        for key, value in event_dict.items()
    }
