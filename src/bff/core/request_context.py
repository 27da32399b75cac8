"""The request id of the request being served, readable anywhere below the middleware."""

from __future__ import annotations

import itertools
import os
import re
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
    return _process_prefix + hex(next(_sequence))[2:]


# Generated ids: 32 hex digits, a random prefix per process plus a sequence of 16 hex
# digits: 2^60 plus a random 56-bit start, so always 16 digits (2^64 is never reached).
# Unique without a system call per request: an id identifies a request, it does not
# authorise anything.
_process_prefix = ""
_sequence = itertools.count()


def _new_process() -> None:
    global _process_prefix, _sequence  # noqa: PLW0603 - per-process state, reset on fork
    _process_prefix = os.urandom(8).hex()
    _sequence = itertools.count(1 << 60 | int.from_bytes(os.urandom(7)))


_new_process()
os.register_at_fork(after_in_child=_new_process)
