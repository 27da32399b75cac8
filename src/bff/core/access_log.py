"""The per-request access line, written without the generic structlog chain.

Every request writes one line, so its cost is on every hot path: through structlog's
bound logger, stdlib `logging` and the redaction processor it cost ~130 µs, more than
the catalog's own work. Its fields are known, so in JSON mode this module renders the
same object (`method`, `route`, `status`, `duration_ms`, `event`, the bound context
such as `request_id`, `level`, `logger`, `timestamp`) itself and hands the finished line
to the process's handlers as an already-rendered record (see `bff.core.logging`).

Redaction still applies where a value could come from a client: an HTTP method outside
the standard set, the bound context (as `redact_event` treats it) and, memoised because
route templates are few and fixed, the route. Raw paths and query strings are never
fields of this line. In console mode (development) the generic chain renders it.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

import structlog

from bff.core.redaction import REDACTED, is_sensitive_key, redact, redact_text

LOGGER_NAME = "bff.access"
RENDERED_ATTR = "bff_rendered"  # a record carrying this attribute is a finished line

_logger = logging.getLogger(LOGGER_NAME)
_generic = structlog.get_logger(LOGGER_NAME)
_stamp = structlog.processors.TimeStamper(fmt="iso", utc=True)
_json_lines = True
_STANDARD_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
_CONTEXT_UNTOUCHED = frozenset({"request_id"})  # as `redact_event`'s untouched keys


def configure(*, json_lines: bool) -> None:
    global _json_lines  # noqa: PLW0603 - one process-wide renderer choice, set at start-up
    _json_lines = json_lines


@lru_cache(maxsize=1024)
def _safe_route(route: str) -> str:
    return redact_text(route)


def _safe_method(method: str) -> str:
    return method if method in _STANDARD_METHODS else redact_text(method)


def write(*, method: str, route: str, status: int, duration_ms: float) -> None:
    if not _logger.isEnabledFor(logging.INFO):
        return
    if not _json_lines:
        _generic.info("request", method=method, route=route, status=status, duration_ms=duration_ms)
        return
    fields: dict[str, Any] = {
        "method": _safe_method(method),
        "route": _safe_route(route),
        "status": status,
        "duration_ms": duration_ms,
        "event": "request",
    }
    for key, value in structlog.contextvars.get_contextvars().items():
        if key in _CONTEXT_UNTOUCHED:
            fields[key] = value
        else:
            fields[key] = REDACTED if is_sensitive_key(key) else redact(value)
    fields["level"] = "info"
    fields["logger"] = LOGGER_NAME
    _stamp(None, "info", fields)
    line = json.dumps(fields)
    record = _logger.makeRecord(LOGGER_NAME, logging.INFO, "", 0, line, (), None)
    setattr(record, RENDERED_ATTR, True)
    _logger.handle(record)
