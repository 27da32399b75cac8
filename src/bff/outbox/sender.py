"""Drains the outbox: sends each pending message once, outside any request.

Delivery is at-least-once: a message is marked sent after its sender returns, so a crash
in between sends it again. On PostgreSQL, concurrent drainers (several API instances)
skip each other's rows (`FOR UPDATE SKIP LOCKED`). Sent messages are purged after a day;
a failed send is retried on the next pass, up to `MAX_ATTEMPTS`.

The only sender so far is :class:`LoggingSender` (development): it logs that a message
went out, never its content. A mail-provider sender implements the same protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Protocol

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bff.core.db import utcnow
from bff.outbox.models import OutboxMessage

log = structlog.get_logger("bff.outbox")

MAX_ATTEMPTS = 10
KEEP_SENT = dt.timedelta(days=1)


class OutboxSender(Protocol):
    async def send(self, message: OutboxMessage) -> None: ...


class LoggingSender:
    """Development sender: logs the message id and topic (the content stays in the table)."""

    async def send(self, message: OutboxMessage) -> None:
        log.info("outbox.sent", message_id=str(message.id), topic=message.topic)


async def drain_once(
    factory: async_sessionmaker[AsyncSession], sender: OutboxSender, *, batch_size: int = 50
) -> int:
    """Send up to ``batch_size`` pending messages; returns how many were sent."""
    sent = 0
    async with factory() as session, session.begin():
        pending = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.created_at)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        for message in pending:
            try:
                await sender.send(message)
            except Exception:
                message.attempts += 1
                log.exception("outbox.send_failed", message_id=str(message.id))
                continue
            message.sent_at = utcnow()
            sent += 1
        await session.execute(
            delete(OutboxMessage).where(OutboxMessage.sent_at < utcnow() - KEEP_SENT)
        )
    return sent


async def _run(
    factory: async_sessionmaker[AsyncSession], sender: OutboxSender, interval_s: float
) -> None:
    while True:
        try:
            await drain_once(factory, sender)
        except Exception:
            log.exception("outbox.drain_failed")
        await asyncio.sleep(interval_s)


@contextlib.asynccontextmanager
async def running_outbox_sender(
    factory: async_sessionmaker[AsyncSession],
    *,
    interval_s: float,
    sender: OutboxSender | None = None,
) -> AsyncIterator[None]:
    """Drain the outbox every ``interval_s`` seconds while the block runs (0: never)."""
    if interval_s <= 0:
        yield
        return
    task = asyncio.create_task(_run(factory, sender or LoggingSender(), interval_s))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
