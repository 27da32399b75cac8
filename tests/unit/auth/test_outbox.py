"""The outbox drain: sends pending messages once, retries failures, keeps going."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bff.core.db import create_engine, create_session_factory
from bff.outbox.models import OutboxMessage
from bff.outbox.sender import LoggingSender, drain_once, running_outbox_sender


class Recording:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.sent: list[uuid.UUID] = []

    async def send(self, message: OutboxMessage) -> None:
        if self.fail:
            raise ConnectionError("mail server down")
        self.sent.append(message.id)


@pytest.fixture
async def factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def _queue(factory: async_sessionmaker[AsyncSession], recipient: str) -> uuid.UUID:
    async with factory() as session, session.begin():
        message = OutboxMessage(topic="test", recipient=recipient, payload={"n": 1})
        session.add(message)
    return message.id


async def _get(factory: async_sessionmaker[AsyncSession], message_id: uuid.UUID) -> OutboxMessage:
    async with factory() as session:
        message = await session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id))
        assert message is not None
        return message


async def test_failed_sends_are_retried_and_sent_ones_are_not_sent_again(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    message_id = await _queue(factory, f"{uuid.uuid4().hex}@example.jp")
    await drain_once(factory, Recording(fail=True))
    failed = await _get(factory, message_id)
    assert failed.sent_at is None
    assert failed.attempts == 1

    working = Recording()
    while await drain_once(factory, working):
        pass
    assert message_id in working.sent
    assert (await _get(factory, message_id)).sent_at is not None
    again = Recording()
    await drain_once(factory, again)
    assert message_id not in again.sent


async def test_the_background_sender_drains(factory: async_sessionmaker[AsyncSession]) -> None:
    import asyncio

    message_id = await _queue(factory, f"{uuid.uuid4().hex}@example.jp")
    async with running_outbox_sender(factory, interval_s=0.05, sender=LoggingSender()):
        for _ in range(100):
            if (await _get(factory, message_id)).sent_at is not None:
                break
            await asyncio.sleep(0.05)
    assert (await _get(factory, message_id)).sent_at is not None
