"""Async client of Salesforce's Pub/Sub API (``eventbus.v1.PubSub`` over grpc.aio).

Usage::

    async with PubSubClient(config, salesforce.tokens) as pubsub:
        async for item in pubsub.subscribe(topic, ReplayStart.after(stored_id)):
            if isinstance(item, ReceivedEvent):
                ...  # item.payload is the Avro-decoded record
            store(item.replay_id)  # keep-alives carry the tip, worth storing too

``subscribe`` reconnects transient failures (UNAVAILABLE, a dropped stream…) with jittered
exponential backoff, resuming after the last replay id it yielded, so an event is seen
again only if the caller had not consumed it yet (at-least-once). A rejected replay id
raises :class:`ReplayIdRejected`; the caller decides how to recover.
"""

from __future__ import annotations

import asyncio
import io
import json
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol, Self

import fastavro
import grpc
import structlog

from integrations.errors import UpstreamError
from integrations.salesforce._auth import AccessToken
from integrations.salesforce.pubsub import pubsub_api_pb2 as pb
from integrations.salesforce.pubsub import pubsub_api_pb2_grpc as pb_grpc
from integrations.salesforce.pubsub._errors import (
    SYSTEM,
    PubSubAuthError,
    PubSubUnavailable,
    error_from_rpc,
)

__all__ = [
    "KeepAlive",
    "PubSubClient",
    "PubSubConfig",
    "ReceivedEvent",
    "ReplayStart",
    "TokenSource",
]

log = structlog.get_logger("integrations.salesforce.pubsub")

MAX_REQUESTED = 100  # Salesforce caps outstanding events per Subscribe call


class TokenSource(Protocol):
    """What the REST client's :class:`TokenProvider` offers: the same OAuth token."""

    async def get(self) -> AccessToken: ...

    def invalidate(self, token: AccessToken) -> None: ...


@dataclass(frozen=True, slots=True)
class PubSubConfig:
    """``target`` is ``host:port`` (``api.pubsub.salesforce.com:7443``). Plaintext is for
    the sandbox only: real Salesforce needs ``tls=True``."""

    target: str
    tls: bool = True
    batch_size: int = 100  # num_requested per top-up; at most 100
    rpc_timeout: float = 10.0  # unary calls (GetTopic, GetSchema)
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_consecutive_failures: int | None = None  # None: reconnect for ever

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_REQUESTED:
            raise ValueError(f"batch_size must be within 1..{MAX_REQUESTED}")


@dataclass(frozen=True, slots=True)
class ReplayStart:
    preset: int  # pb.ReplayPreset value: never a bare string (it would silently be LATEST)
    replay_id: bytes = b""

    @classmethod
    def latest(cls) -> ReplayStart:
        return cls(pb.ReplayPreset.LATEST)

    @classmethod
    def earliest(cls) -> ReplayStart:
        return cls(pb.ReplayPreset.EARLIEST)

    @classmethod
    def after(cls, replay_id: bytes) -> ReplayStart:
        return cls(pb.ReplayPreset.CUSTOM, replay_id)


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    event_id: str  # the EventUuid: dedupe on this, replay ids can repeat across migrations
    replay_id: bytes
    schema_id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class KeepAlive:
    """An empty batch: nothing new; ``replay_id`` is the stream's tip (safe to store)."""

    replay_id: bytes


StreamItem = ReceivedEvent | KeepAlive


class PubSubClient:
    def __init__(
        self,
        config: PubSubConfig,
        tokens: TokenSource,
        *,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._config = config
        self._tokens = tokens
        self._jitter = jitter
        self._schemas: dict[str, Any] = {}
        self._schema_lock = asyncio.Lock()
        if config.tls:
            self._channel = grpc.aio.secure_channel(config.target, grpc.ssl_channel_credentials())
        else:
            self._channel = grpc.aio.insecure_channel(config.target)
        self._stub = pb_grpc.PubSubStub(self._channel)
        self.reconnects = 0  # observable by tests and metrics

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    # -- unary ---------------------------------------------------------------------------

    async def get_topic(self, topic: str) -> pb.TopicInfo:
        info: pb.TopicInfo = await self._unary(
            self._stub.GetTopic, pb.TopicRequest(topic_name=topic)
        )
        return info

    async def schema(self, schema_id: str) -> Any:
        """The parsed Avro writer schema, fetched once per ``schema_id``."""
        cached = self._schemas.get(schema_id)
        if cached is not None:
            return cached
        async with self._schema_lock:
            if schema_id not in self._schemas:
                info: pb.SchemaInfo = await self._unary(
                    self._stub.GetSchema, pb.SchemaRequest(schema_id=schema_id)
                )
                self._schemas[schema_id] = fastavro.parse_schema(json.loads(info.schema_json))
            return self._schemas[schema_id]

    async def decode(self, event: pb.ProducerEvent) -> dict[str, Any]:
        """The Avro record, or ``{}`` when the payload does not decode: Salesforce does not
        validate payloads on publish, so one bad event must not stop the stream."""
        schema = await self.schema(event.schema_id)
        try:
            record = fastavro.schemaless_reader(io.BytesIO(event.payload), schema, None)
        except Exception:  # fastavro raises assorted errors on bad bytes
            log.error("pubsub.undecodable_payload", event_id=event.id, schema_id=event.schema_id)
            return {}
        return record if isinstance(record, dict) else {}

    async def _unary(self, method: Any, request: Any) -> Any:
        for attempt in (1, 2):
            token = await self._tokens.get()
            try:
                return await method(
                    request, metadata=self._metadata(token), timeout=self._config.rpc_timeout
                )
            except grpc.aio.AioRpcError as rpc_error:
                error = error_from_rpc(rpc_error)
                if isinstance(error, PubSubAuthError) and attempt == 1:
                    self._tokens.invalidate(token)
                    continue
                raise error from None
        raise AssertionError("unreachable")  # pragma: no cover

    # -- Subscribe -----------------------------------------------------------------------

    async def subscribe(self, topic: str, start: ReplayStart) -> AsyncIterator[StreamItem]:
        """Events (decoded) and keep-alives, for ever; reconnects transient failures."""
        failures = 0
        while True:
            try:
                async for item in self.subscribe_once(topic, start):
                    failures = 0
                    start = ReplayStart.after(item.replay_id)
                    yield item
                failures += 1  # the server closed the stream (idle close): open a new one
                error: UpstreamError = PubSubUnavailable(SYSTEM, "stream closed by server")
            except (PubSubUnavailable, PubSubAuthError) as transient:
                failures += 1
                error = transient
            limit = self._config.max_consecutive_failures
            if limit is not None and failures > limit:
                raise error
            delay = self._backoff(failures)
            log.warning(
                "pubsub.reconnecting", error=type(error).__name__, attempt=failures, delay_s=delay
            )
            self.reconnects += 1
            await asyncio.sleep(delay)

    async def subscribe_once(self, topic: str, start: ReplayStart) -> AsyncIterator[StreamItem]:
        """One ``Subscribe`` call; ends with the stream, raising a typed error on failure.

        Flow control: ``batch_size`` is requested up front and topped up once half of it
        has been consumed, so the server never holds more than the caller can take.
        """
        token = await self._tokens.get()
        requests: asyncio.Queue[pb.FetchRequest] = asyncio.Queue()
        await requests.put(
            pb.FetchRequest(
                topic_name=topic,
                replay_preset=start.preset,  # type: ignore[arg-type]
                replay_id=start.replay_id,
                num_requested=self._config.batch_size,
            )
        )

        async def outgoing() -> AsyncIterator[pb.FetchRequest]:
            while True:
                yield await requests.get()

        call = self._stub.Subscribe(outgoing(), metadata=self._metadata(token))
        outstanding = self._config.batch_size
        try:
            async for response in call:
                if not response.events:
                    yield KeepAlive(bytes(response.latest_replay_id))
                for consumer_event in response.events:
                    event = consumer_event.event
                    yield ReceivedEvent(
                        event_id=event.id,
                        replay_id=bytes(consumer_event.replay_id),
                        schema_id=event.schema_id,
                        payload=await self.decode(event),
                    )
                    outstanding -= 1
                    if outstanding <= self._config.batch_size // 2:
                        top_up = self._config.batch_size - outstanding
                        await requests.put(pb.FetchRequest(topic_name=topic, num_requested=top_up))
                        outstanding += top_up
        except grpc.aio.AioRpcError as rpc_error:
            error = error_from_rpc(rpc_error)
            if isinstance(error, PubSubAuthError):
                self._tokens.invalidate(token)
            raise error from None
        finally:
            call.cancel()

    def _metadata(self, token: AccessToken) -> tuple[tuple[str, str], ...]:
        return (
            ("accesstoken", token.value),
            ("instanceurl", token.instance_url),
            ("tenantid", token.org_id),
        )

    def _backoff(self, failures: int) -> float:
        ceiling = min(
            self._config.backoff_max, self._config.backoff_initial * 2.0 ** (failures - 1)
        )
        return ceiling * (0.5 + self._jitter() / 2)  # "equal jitter": never a zero wait
