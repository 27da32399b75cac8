"""structlog for our code and the standard library's loggers alike, redacted at the end.

JSON lines in production (one object per line, for the log shipper), a readable console
renderer in development. Library loggers (uvicorn, sqlalchemy, arq) pass through the
same chain, so redaction cannot be skipped by logging through `logging`.
"""

from __future__ import annotations

import logging
import sys

import structlog
from structlog.types import Processor

from bff.core import access_log
from bff.core.redaction import redact_event


class _Formatter(structlog.stdlib.ProcessorFormatter):
    """The structlog chain, except for lines `access_log` has already rendered (and redacted)."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, access_log.RENDERED_ATTR, False):
            return record.getMessage()
        return super().format(record)


def configure_logging(*, level: str, json_lines: bool) -> None:
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        timestamper,
        structlog.processors.format_exc_info,
        redact_event,
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = _Formatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    access_log.configure(json_lines=json_lines)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every upstream URL at INFO; SOQL query strings do not belong in logs, and
    # upstream calls are already counted and timed by the integration metrics.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Our access-log line replaces uvicorn's, which would log raw paths and query strings.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
