from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bff.idempotency.models import IdempotencyRecord


async def purge_expired(session: AsyncSession, *, now: dt.datetime) -> int:
    """Delete idempotency records past their expiry; returns how many were removed."""
    result = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
