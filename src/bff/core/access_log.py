"""The per-request access line, written without the generic structlog chain.

Every request writes one line, so its cost is on every hot path: through structlog's
bound logger, stdlib `logging` and the redaction processor it cost ~130 µs, more than
the catalog's own work. Its fields are known, so in JSON mode this module renders the
same object (`method`, `route`, `status`, `duration_ms`, `event`, the bound context
such as `request_id`, `level`, `logger`, `timestamp`) itself and hands finished lines to
the process's handlers as one already-rendered record (see `bff.core.logging`) per
batch: a request only records its fields and the time; its line is rendered with the
batch and reaches the stream at most 20 ms after the request ended.

Redaction still applies where a value could come from a client: an HTTP method outside
the standard set, the bound context (as `redact_event` treats it) and, memoised because
route templates are few and fixed, the route. Raw paths and query strings are never
fields of this line. In console mode (development) the generic chain renders it.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import time
from collections.abc import Mapping
from functools import lru_cache
from json.encoder import encode_basestring_ascii
from typing import Any

import structlog

from bff.core.redaction import REDACTED, is_sensitive_key, redact, redact_text

LOGGER_NAME = "bff.access"
RENDERED_ATTR = "bff_rendered"  # a record carrying this attribute holds finished lines

_logger = logging.getLogger(LOGGER_NAME)
_generic = structlog.get_logger(LOGGER_NAME)
_json_lines = True
_STANDARD_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
_CONTEXT_UNTOUCHED = frozenset({"request_id"})  # as `redact_event`'s untouched keys
_INFO = logging.INFO
_TAIL = '"event": "request", "level": "info", "logger": "bff.access", "timestamp": "'


def configure(*, json_lines: bool) -> None:
    global _json_lines  # noqa: PLW0603 - one process-wide renderer choice, set at start-up
    flush()
    _json_lines = json_lines


@lru_cache(maxsize=1024)
def _head(method: str, route: str) -> str:
    """The line's opening fields, rendered once per method and route template."""
    safe_method = method if method in _STANDARD_METHODS else redact_text(method)
    return json.dumps({"method": safe_method, "route": redact_text(route)})[:-1] + ", "


def write(
    *,
    method: str,
    route: str,
    status: int,
    duration_s: float,
    request_id: str | None = None,
) -> None:
    """One access line; with ``request_id`` it carries that context instead of the bound
    structlog context (the lean read path binds none)."""
    if not _logger.isEnabledFor(_INFO):
        return
    if not _json_lines:
        duration_ms = round(duration_s * 1000, 2)
        fields = {"method": method, "route": route, "status": status, "duration_ms": duration_ms}
        _generic.info("request", **fields, **({"request_id": request_id} if request_id else {}))
        return
    # Only the fields are kept now; the line is rendered with its batch (see flush).
    context = "" if request_id is not None else _context(structlog.contextvars.get_contextvars())
    _pending.append((_head(method, route), status, duration_s, request_id, context, time.time_ns()))
    if len(_pending) == 1:
        _flush_later()
    elif len(_pending) >= _MAX_PENDING:
        flush()


def _context(context: Mapping[str, Any]) -> str:
    return "".join(
        [
            f"{_json_key(key)}: "
            + _json_value(value if key in _CONTEXT_UNTOUCHED else _redacted(key, value))
            + ", "
            for key, value in context.items()
        ]
    )


@lru_cache(maxsize=256)
def _json_key(key: str) -> str:
    return json.dumps(key)


def _json_value(value: object) -> str:
    return encode_basestring_ascii(value) if isinstance(value, str) else json.dumps(value)


def _redacted(key: str, value: object) -> object:
    return REDACTED if is_sensitive_key(key) else redact(value)


# A pending line: head (`_head`), status, seconds, the request id given to `write` or
# None, the rendered bound context otherwise, and the time it was written (ns since epoch).
_Line = tuple[str, int, float, str | None, str, int]


def _render(line: _Line) -> str:
    head, status, duration_s, request_id, context, time_ns = line
    if request_id is not None:
        context = f'"request_id": {encode_basestring_ascii(request_id)}, '
    return (
        f'{head}"status": {status}, "duration_ms": {duration_s * 1000:.2f}, '
        f'{context}{_TAIL}{_timestamp(time_ns)}"}}'
    )


_second = -1
_second_prefix = ""


def _timestamp(time_ns: int) -> str:
    """UTC ISO 8601 with microseconds, as structlog's ``TimeStamper(fmt="iso", utc=True)``."""
    global _second, _second_prefix  # noqa: PLW0603 - a one-entry cache of the current second
    second = time_ns // 1_000_000_000
    if second != _second:
        _second_prefix = time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second))
        _second = second
    return f"{_second_prefix}{str(time_ns)[-9:-3]}Z"  # digits 7-12 from the end: the µs


# Lines are handed to the handlers in batches, one record (one write to the stream) per
# batch: at most _FLUSH_AFTER_S after the first pending line, or at _MAX_PENDING lines.
_FLUSH_AFTER_S = 0.02
_MAX_PENDING = 512
_pending: list[_Line] = []


def _flush_later() -> None:
    """Flush the batch this first line opens soon, or now outside an event loop. A loop
    that ends before its timer fires leaves the batch to the next flush: the lifespan's
    shutdown, ``configure``, a full batch or the process's exit."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        flush()
        return
    loop.call_later(_FLUSH_AFTER_S, flush)


def flush() -> None:
    """Hand the pending lines to the log handlers now."""
    if not _pending:
        return
    lines = "\n".join([_render(line) for line in _pending])
    _pending.clear()
    record = _logger.makeRecord(LOGGER_NAME, logging.INFO, "", 0, lines, (), None)
    setattr(record, RENDERED_ATTR, True)
    _logger.handle(record)


atexit.register(flush)
