"""The Salesforce sandbox's event bus: one platform-event topic with replay ids and retention.

Replay ids are 8-byte big-endian counters (opaque to clients, as Salesforce's are) that
start at the bus's creation time in microseconds, so an id stored against an earlier run
of the sandbox reads as expired rather than as a position in this run. Events
older than ``retention_seconds`` are purged; a replay id whose event was purged (or that was
never issued) is rejected, which is how a subscriber learns its stored id has expired.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import io
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import fastavro

from integrations.sandbox.demo_data import INTEGRATION_USER_ID

__all__ = [
    "ORDER_EVENT_SCHEMA",
    "ORDER_EVENT_TOPIC",
    "EventBus",
    "InvalidReplayId",
    "StoredEvent",
    "decode_replay_id",
    "encode_replay_id",
]

ORDER_EVENT_TOPIC = "/event/OrderProvisionRequested__e"

# The shape Salesforce generates for a platform event: CreatedDate/CreatedById, then each
# custom field as a nullable union.
ORDER_EVENT_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "OrderProvisionRequested__e",
    "namespace": "com.sforce.eventbus",
    "fields": [
        {"name": "CreatedDate", "type": "long", "doc": "CreatedDate:DateTime"},
        {"name": "CreatedById", "type": "string", "doc": "CreatedBy:EntityId"},
        {"name": "Order_Id__c", "type": ["null", "string"], "default": None},
        {"name": "Account_Id__c", "type": ["null", "string"], "default": None},
    ],
}


class InvalidReplayId(Exception):
    """The replay id was never issued or its event is past retention."""


def encode_replay_id(counter: int) -> bytes:
    return counter.to_bytes(8, "big")


def decode_replay_id(replay_id: bytes) -> int:
    if len(replay_id) != 8:
        raise InvalidReplayId("replay id is not one of ours")
    return int.from_bytes(replay_id, "big")


def _schema_id(schema: dict[str, Any]) -> str:
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()[:16]).decode().rstrip("=")


@dataclass(frozen=True, slots=True)
class StoredEvent:
    counter: int
    event_id: str  # the EventUuid, delivered as ProducerEvent.id
    schema_id: str
    payload: bytes  # Avro binary, no header
    published_at: float  # monotonic, for retention

    @property
    def replay_id(self) -> bytes:
        return encode_replay_id(self.counter)


@dataclass
class EventBus:
    """In-memory log of one topic, shared by the REST app (publishes) and the gRPC server."""

    retention_seconds: float = 72 * 3600.0
    topic: str = ORDER_EVENT_TOPIC
    clock: Callable[[], float] = time.monotonic
    schema: dict[str, Any] = field(default_factory=lambda: ORDER_EVENT_SCHEMA)
    events: list[StoredEvent] = field(default_factory=list)
    last_counter: int = 0
    purged_through: int = 0  # every event with counter <= this is gone
    _published: asyncio.Condition | None = None

    def __post_init__(self) -> None:
        if self.last_counter == 0:
            self.last_counter = self.purged_through = time.time_ns() // 1000
        self.schema_id = _schema_id(self.schema)
        self.schema_json = json.dumps(self.schema)
        self._parsed = fastavro.parse_schema(self.schema)

    @property
    def published(self) -> asyncio.Condition:
        # Created lazily: the bus is built before the server's event loop runs.
        if self._published is None:
            self._published = asyncio.Condition()
        return self._published

    def encode(self, record: dict[str, Any]) -> bytes:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, self._parsed, record)
        return buffer.getvalue()

    async def publish_order_approved(self, order_id: str, account_id: str | None) -> StoredEvent:
        """The org's record-triggered flow: an Order became Approved."""
        record = {
            "CreatedDate": int(dt.datetime.now(dt.UTC).timestamp() * 1000),
            "CreatedById": INTEGRATION_USER_ID,
            "Order_Id__c": order_id,
            "Account_Id__c": account_id,
        }
        return await self.publish(self.encode(record))

    async def publish(self, payload: bytes, *, event_id: str | None = None) -> StoredEvent:
        self.last_counter += 1
        stored = StoredEvent(
            counter=self.last_counter,
            event_id=event_id or str(uuid.uuid4()),
            schema_id=self.schema_id,
            payload=payload,
            published_at=self.clock(),
        )
        self.events.append(stored)
        async with self.published:
            self.published.notify_all()
        return stored

    def purge(self, *, everything: bool = False) -> int:
        """Drop events past retention (or all of them); returns how many went."""
        horizon = self.clock() - self.retention_seconds
        keep = [] if everything else [e for e in self.events if e.published_at > horizon]
        dropped = len(self.events) - len(keep)
        if dropped:
            self.purged_through = self.events[dropped - 1].counter
        if everything:
            self.purged_through = self.last_counter
        self.events = keep
        return dropped

    def start_after(self, replay_id: bytes) -> int:
        """Validate a CUSTOM replay id; delivery resumes with the event after it."""
        self.purge()
        counter = decode_replay_id(replay_id)
        if counter <= self.purged_through or counter > self.last_counter:
            raise InvalidReplayId("replay id is invalid or outside retention")
        return counter

    def earliest_position(self) -> int:
        self.purge()
        return self.purged_through

    def after(self, position: int, limit: int) -> list[StoredEvent]:
        self.purge()
        return [e for e in self.events if e.counter > position][:limit]

    def latest_replay_id(self) -> bytes:
        return encode_replay_id(self.last_counter)

    def reset(self) -> None:
        """Forget every event; the counter keeps rising, so stored ids become invalid."""
        self.purge(everything=True)
