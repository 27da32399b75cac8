"""Property tests: no secret or personal value survives the log pipeline, wherever it sits."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bff.core.redaction import REDACTED, redact_event

# Surrounding text shares no character class with the generated secrets, so a secret found
# in the output can only have come through redaction.
SAFE_TEXT = st.text(alphabet="äöüß ,!?", max_size=20)
# Container keys shorter than any generated secret, so they cannot contain one.
KEY = st.sampled_from(["data", "ctx", "items", "meta", "extra", "body"])

emails = st.emails()
digits = st.text(alphabet=string.digits, min_size=1, max_size=1)
japanese_mobiles = st.builds(
    lambda prefix, a, b, sep: f"0{prefix}0{sep}{a}{sep}{b}",
    st.sampled_from("789"),
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.sampled_from(["", "-", " "]),
)
landlines = st.builds(
    lambda area, a, b: f"0{area}-{a}-{b}",
    st.from_regex(r"\A[1-9]\Z"),
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.from_regex(r"\A[0-9]{4}\Z"),
)
international = st.builds(
    lambda a, b, c, sep: f"+81{sep}{a}{sep}{b}{sep}{c}",
    st.from_regex(r"\A[1-9]0?\Z"),
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.sampled_from(["", "-", " "]),
)
card_numbers = st.builds(
    lambda groups, sep: sep.join(groups),
    st.lists(st.from_regex(r"\A[0-9]{4}\Z"), min_size=4, max_size=4),
    st.sampled_from(["", " ", "-"]),
)
b64url = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=8, max_size=40)
jwts = st.builds(lambda p, s: f"eyJhbGciOiJIUzI1NiJ9.{p}.{s}", b64url, b64url)
bearer = st.builds(lambda token: f"Bearer {token}", b64url)
password_assignments = st.builds(
    lambda key, value: f"{key}={value}",
    st.sampled_from(["password", "passwd", "secret", "token", "api_key", "accessKey"]),
    b64url,
)
postcodes = st.from_regex(r"\A[0-9]{3}-[0-9]{4}\Z")

SENSITIVE_VALUES = st.one_of(
    emails, japanese_mobiles, landlines, international, card_numbers, jwts, bearer,
    password_assignments, postcodes,
)  # fmt: skip
SENSITIVE_KEYS = st.sampled_from(
    [
        "password", "newPassword", "refresh_token", "accessToken", "Authorization",
        "Cookie", "Set-Cookie", "email", "phone", "phonenumber", "address1", "street",
        "postcode", "city", "card_number", "cvv", "client_secret", "msisdn",
    ]
)  # fmt: skip


def secret_part(value: str) -> str:
    """The part of a generated value that must not survive (keys like `password=` may)."""
    return value.split("=", 1)[1] if "=" in value else value.removeprefix("Bearer ")


def nest(value: Any, path: list[tuple[str, str]]) -> Any:
    for kind, key in path:
        value = {key: value} if kind == "dict" else [value]
    return value


paths = st.lists(st.tuples(st.sampled_from(["dict", "list"]), KEY), max_size=4)


def rendered(event: dict[str, Any]) -> str:
    return json.dumps(redact_event(None, "info", event), default=str)


@settings(max_examples=300)
@given(value=SENSITIVE_VALUES, before=SAFE_TEXT, after=SAFE_TEXT, path=paths)
def test_sensitive_values_in_free_text_never_survive(
    value: str, before: str, after: str, path: list[tuple[str, str]]
) -> None:
    message = f"{before} {value} {after}"
    output = rendered({"event": "something happened", "context": nest(message, path)})
    assert secret_part(value) not in output
    assert REDACTED in output


@settings(max_examples=200)
@given(key=SENSITIVE_KEYS, value=st.text(min_size=1, max_size=30), path=paths)
def test_values_under_sensitive_keys_never_survive(
    key: str, value: str, path: list[tuple[str, str]]
) -> None:
    marker = f"VALUE<{value}>"
    output = rendered({"event": "x", "payload": nest({key: marker}, path)})
    assert marker not in output and json.dumps(marker)[1:-1] not in output


@settings(max_examples=100)
@given(value=SENSITIVE_VALUES)
def test_exception_messages_are_redacted(value: str) -> None:
    try:
        raise ValueError(f"upstream refused {value}")
    except ValueError as error:
        output = rendered({"event": "failed", "error": error, "exception": f"Traceback\n{error}"})
    assert secret_part(value) not in output


@given(
    text=st.text(alphabet=string.ascii_letters + " ", max_size=30),
    number=st.integers(),
    ratio=st.floats(allow_nan=False),
)
def test_harmless_values_pass_through(text: str, number: int, ratio: float) -> None:
    event = {"event": "request", "method": "GET", "route": "/api/x", "status": 200,
             "note": text, "count": number, "ratio": ratio}  # fmt: skip
    assert redact_event(None, "info", dict(event)) == event


def test_operational_fields_are_kept() -> None:
    event = {
        "event": "request",
        "timestamp": "2026-11-23T10:00:00.123456Z",
        "request_id": "0123456789abcdef0123456789abcdef",
        "duration_ms": 12.5,
        "route": "/api/invoices/{invoice_id}",
    }
    assert redact_event(None, "info", dict(event)) == event
