"""The access line's own writer renders what the generic structlog chain would, redacted."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator

import pytest
import structlog

from bff.core import access_log
from bff.core.logging import configure_logging
from tests.helpers import captured_log_lines


@pytest.fixture(autouse=True)
def json_logs() -> Iterator[None]:
    configure_logging(level="INFO", json_lines=True)
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()
    configure_logging(level="INFO", json_lines=True)


def _both(duration_s: float, **fields: object) -> tuple[dict[str, object], dict[str, object]]:
    """The same line from the fast writer and from the generic chain, parsed."""
    with captured_log_lines() as raw:
        access_log.write(duration_s=duration_s, **fields)  # type: ignore[arg-type]
        structlog.get_logger(access_log.LOGGER_NAME).info(
            "request", duration_ms=round(duration_s * 1000, 2), **fields
        )
    fast, generic = (json.loads(line) for line in raw)
    return fast, generic


def test_same_fields_and_values_as_the_generic_chain() -> None:
    structlog.contextvars.bind_contextvars(
        request_id="req-0123456789",
        user_id="7f3c",
        email="bob@example.com",
        note="tel 090-1234-5678",
    )
    fast, generic = _both(method="GET", route="/api/me", status=200, duration_s=0.00125)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", str(fast.pop("timestamp")))
    generic.pop("timestamp")
    assert fast == generic
    assert fast["email"] == "[REDACTED]" and "090-1234-5678" not in json.dumps(fast)
    assert fast["request_id"] == "req-0123456789" and fast["logger"] == "bff.access"


def test_client_controlled_values_are_redacted() -> None:
    fast, generic = _both(
        method="09012345678", route="/x/bob@example.com", status=405, duration_s=0.0005
    )
    generic.pop("timestamp"), fast.pop("timestamp")
    assert fast == generic
    assert "09012345678" not in json.dumps(fast) and "bob@example.com" not in json.dumps(fast)


def test_nothing_is_written_below_the_level() -> None:
    configure_logging(level="WARNING", json_lines=True)
    with captured_log_lines() as raw:
        access_log.write(method="GET", route="/api/me", status=200, duration_s=0.001)
    assert raw == []


def test_console_mode_uses_the_generic_renderer() -> None:
    configure_logging(level="INFO", json_lines=False)
    with captured_log_lines() as raw:
        access_log.write(method="GET", route="/api/me", status=200, duration_s=0.001)
    assert len(raw) == 1 and "request" in raw[0] and "route" in raw[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw[0])


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_lines_reach_the_handlers_as_one_batch_soon_after_the_first() -> None:
    access_log.flush()
    records = _Records()
    logging.getLogger().addHandler(records)
    try:
        for status in (200, 304, 200):
            access_log.write(
                method="GET", route="/api/catalog/products", status=status,
                duration_s=0.0004, request_id="req-0123456789",
            )  # fmt: skip
        assert records.messages == []  # rendered and written later, together
        await asyncio.sleep(access_log._FLUSH_AFTER_S * 5)  # the flush timer fires first
    finally:
        logging.getLogger().removeHandler(records)
    assert len(records.messages) == 1
    lines = [json.loads(line) for line in records.messages[0].splitlines()]
    assert [line["status"] for line in lines] == [200, 304, 200]
    assert {line["request_id"] for line in lines} == {"req-0123456789"}
    assert [line["timestamp"] for line in lines] == sorted(line["timestamp"] for line in lines)


@pytest.mark.parametrize(
    ("time_ns", "expected"),
    [
        (1_763_950_000_000_001_000, "2025-11-24T02:06:40.000001Z"),
        (1_763_950_000_123_456_789, "2025-11-24T02:06:40.123456Z"),
        (1_763_950_059_999_999_999, "2025-11-24T02:07:39.999999Z"),
    ],
)
def test_timestamps_keep_the_microseconds_with_their_leading_zeros(
    time_ns: int, expected: str
) -> None:
    assert access_log._timestamp(time_ns) == expected
