"""The request id of the request being served, readable anywhere below the middleware."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# Printable, header-safe and short enough to log: what tracing systems send (UUIDs,
# W3C trace ids, ULIDs); anything else is replaced rather than echoed back.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")

_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> None:
    _request_id.set(value)


def accept_or_generate(client_value: str | None) -> str:
    if client_value and _WELL_FORMED.match(client_value):
        return client_value
    return uuid.uuid4().hex
