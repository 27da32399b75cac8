"""Idempotency-Key handling shared by every unsafe create (top-ups, cases, orders).

Semantics (API-CONTRACT "Conventions"): the same key with the same request within 24 h
returns the first response again (``Idempotent-Replayed: true``); the same key with a
different request is 422 ``idempotency.key_reused``; the same key while the first request
is still running is 409 ``idempotency.in_progress``.

How duplicates are told apart, also when they arrive at the same moment on different
instances: the first request *claims* the key by inserting an ``in_flight`` row in its own,
immediately committed transaction; the unique ``(user_id, operation, key)`` constraint
makes every concurrent duplicate fail that insert and read the row instead. The claim is
separate from the request's own transaction on purpose: it must be visible to the
duplicates before the operation finishes.

A failed operation (any exception: validation, conflict, provider fault) deletes its
claim, so a corrected retry with the same key runs afresh; nothing is stored for it. An
``in_flight`` row older than ``in_flight_timeout_s`` belongs to a crashed instance and is
taken over by the next retry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import structlog
from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import Response

from bff.core.db import utcnow
from bff.idempotency.errors import (
    IdempotencyInProgress,
    IdempotencyKeyInvalid,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
)
from bff.idempotency.models import IdempotencyRecord, IdempotencyState
from bff.settings import IdempotencySettings

log = structlog.get_logger("bff.idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")
_CLAIM_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What an idempotent operation answered, as stored and replayed byte for byte."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    replayed: bool = False

    @classmethod
    def of(
        cls, status: int, model: BaseModel, headers: Mapping[str, str] | None = None
    ) -> StoredResponse:
        return cls(
            status=status,
            body=model.model_dump_json(by_alias=True).encode(),
            headers=dict(headers or {}),
        )

    def to_response(self) -> Response:
        headers = dict(self.headers)
        if self.replayed:
            headers[REPLAYED_HEADER] = "true"
        return Response(
            self.body, status_code=self.status, media_type="application/json", headers=headers
        )


def fingerprint(*parts: object) -> str:
    """A stable hash of the request: path ids plus the validated body (as JSON values)."""
    canonical = json.dumps(
        [part.model_dump(mode="json") if isinstance(part, BaseModel) else part for part in parts],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None, *, required: bool) -> str | None:
    if key is None:
        if required:
            raise IdempotencyKeyRequired()
        return None
    if not _VALID_KEY.match(key):
        raise IdempotencyKeyInvalid()
    return key


async def run_once(
    session_factory: async_sessionmaker[AsyncSession],
    settings: IdempotencySettings,
    *,
    user_id: uuid.UUID,
    operation: str,
    key: str | None,
    required: bool,
    request_fingerprint: str,
    execute: Callable[[], Awaitable[StoredResponse]],
    now: Callable[[], dt.datetime] = utcnow,
) -> StoredResponse:
    """Run ``execute`` at most once per (user, operation, key); replay its response after."""
    checked = check_key(key, required=required)
    if checked is None:
        return await execute()
    store = _Store(session_factory, user_id=user_id, operation=operation, key=checked)
    for _ in range(_CLAIM_ATTEMPTS):
        record_id = await store.claim(request_fingerprint, now(), settings.ttl_s)
        if record_id is not None:
            break
        existing = await store.find()
        if existing is None:
            continue  # deleted between our insert and our read: claim again
        current = now()
        if existing.expires_at <= current:
            await store.remove(existing.id)
            continue
        if existing.request_fingerprint != request_fingerprint:
            raise IdempotencyKeyReused()
        if existing.state is IdempotencyState.COMPLETED:
            return StoredResponse(
                status=existing.response_status or 200,
                body=existing.response_body or b"",
                headers=dict(existing.response_headers or {}),
                replayed=True,
            )
        abandoned_before = current - dt.timedelta(seconds=settings.in_flight_timeout_s)
        if existing.created_at < abandoned_before and await store.take_over(
            existing.id, existing.created_at, current
        ):
            log.warning("idempotency.took_over_abandoned", operation=operation)
            record_id = existing.id
            break
        raise IdempotencyInProgress()
    else:
        raise IdempotencyInProgress()

    try:
        result = await execute()
    except BaseException:
        await store.remove(record_id)
        raise
    await store.complete(record_id, result)
    return result


class _Store:
    """Each method is its own short transaction, committed at once (see the module doc)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        user_id: uuid.UUID,
        operation: str,
        key: str,
    ) -> None:
        self._sessions = session_factory
        self.user_id = user_id
        self.operation = operation
        self.key = key

    async def claim(
        self, request_fingerprint: str, now: dt.datetime, ttl_s: float
    ) -> uuid.UUID | None:
        record = IdempotencyRecord(
            id=uuid.uuid4(),
            user_id=self.user_id,
            operation=self.operation,
            key=self.key,
            request_fingerprint=request_fingerprint,
            state=IdempotencyState.IN_FLIGHT,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl_s),
        )
        try:
            async with self._sessions() as session, session.begin():
                session.add(record)
        except IntegrityError:
            return None
        return record.id

    async def find(self) -> IdempotencyRecord | None:
        async with self._sessions() as session:
            result = await session.execute(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.user_id == self.user_id,
                    IdempotencyRecord.operation == self.operation,
                    IdempotencyRecord.key == self.key,
                )
            )
            return result.scalar_one_or_none()

    async def take_over(self, record_id: uuid.UUID, seen: dt.datetime, now: dt.datetime) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(IdempotencyRecord)
                .where(
                    IdempotencyRecord.id == record_id,
                    IdempotencyRecord.state == IdempotencyState.IN_FLIGHT,
                    IdempotencyRecord.created_at == seen,
                )
                .values(created_at=now)
            )
            return int(getattr(result, "rowcount", 0) or 0) == 1

    async def remove(self, record_id: uuid.UUID) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id)
            )

    async def complete(self, record_id: uuid.UUID, result: StoredResponse) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.id == record_id)
                .values(
                    state=IdempotencyState.COMPLETED,
                    response_status=result.status,
                    response_headers=dict(result.headers),
                    response_body=result.body,
                )
            )
