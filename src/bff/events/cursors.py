"""Stored replay ids, written only by the current lease holder (fencing token)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bff.core.db import utcnow
from bff.events.models import EventCursor

__all__ = ["CursorStore"]


class CursorStore:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def load(self, topic: str) -> bytes | None:
        async with self._sessions() as session:
            stored = await session.scalar(
                select(EventCursor.replay_id).where(EventCursor.topic == topic)
            )
        return bytes.fromhex(stored) if stored else None

    async def save(self, topic: str, replay_id: bytes, *, fence: int) -> bool:
        """Store ``replay_id``; False when a holder with a newer fence already wrote."""
        for _ in range(2):
            try:
                return await self._save_once(topic, replay_id, fence)
            except IntegrityError:
                continue  # another holder inserted the row first: the update path decides
        return False

    async def _save_once(self, topic: str, replay_id: bytes, fence: int) -> bool:
        values = {"replay_id": replay_id.hex(), "fence": fence, "updated_at": utcnow()}
        async with self._sessions.begin() as session:  # commits on leaving the block
            result = await session.execute(
                update(EventCursor)
                .where(EventCursor.topic == topic, EventCursor.fence <= fence)
                .values(**values)
            )
            if getattr(result, "rowcount", 0) == 1:
                return True
            exists = await session.scalar(
                select(EventCursor.fence).where(EventCursor.topic == topic)
            )
            if exists is not None:
                return False  # fenced out: a newer consumer owns the topic
            session.add(EventCursor(topic=topic, **values))
        return True
