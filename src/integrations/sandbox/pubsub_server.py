"""The Salesforce sandbox's Pub/Sub API: a grpc.aio server of ``eventbus.v1.PubSub``.

Implements ``GetTopic``, ``GetSchema`` and ``Subscribe`` (pull flow control capped at 100
outstanding events, keep-alive empty batches carrying ``latest_replay_id``, the idle close,
LATEST/EARLIEST/CUSTOM presets) with Salesforce's failure shapes: a gRPC status plus an
``error-code`` trailer. Fault controls (``/_sandbox/pubsub/...`` on the REST app) can drop
every open stream, delay deliveries and redeliver already delivered events.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import grpc

from integrations.salesforce.pubsub import pubsub_api_pb2 as pb
from integrations.salesforce.pubsub import pubsub_api_pb2_grpc as pb_grpc
from integrations.sandbox.pubsub_bus import EventBus, InvalidReplayId, StoredEvent

__all__ = ["ERROR_AUTH", "ERROR_REPLAY_CORRUPTED", "PubSubFaults", "PubSubSandbox"]

ERROR_AUTH = "sfdc.platform.eventbus.grpc.service.auth.error"
ERROR_REPLAY_CORRUPTED = "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted"
ERROR_REQUESTED_INVALID = "sfdc.platform.eventbus.grpc.subscription.fetch.requested.events.invalid"
MAX_OUTSTANDING = 100

AccessCheck = Callable[[str, str, str], bool]  # (accesstoken, instanceurl, tenantid) -> ok


@dataclass
class _Stream:
    """One open Subscribe call, as the control API sees it."""

    position: int
    dropped: asyncio.Event = field(default_factory=asyncio.Event)
    rewind_to: int | None = None


@dataclass
class PubSubFaults:
    delay_ms: int = 0  # before each non-empty batch
    streams: list[_Stream] = field(default_factory=list)
    subscribes: int = 0  # Subscribe calls accepted so far (tests count reconnects)

    def drop_streams(self) -> int:
        for stream in self.streams:
            stream.dropped.set()
        return len(self.streams)

    def redeliver(self, after: int) -> int:
        """Every open stream delivers again the events after counter ``after``."""
        for stream in self.streams:
            stream.rewind_to = min(after, stream.position)
        return len(self.streams)

    def reset(self) -> None:
        self.delay_ms = 0
        self.subscribes = 0
        self.drop_streams()


class PubSubSandbox(pb_grpc.PubSubServicer):
    def __init__(
        self,
        bus: EventBus,
        access_check: AccessCheck,
        *,
        tenant_id: str,
        keepalive_seconds: float = 270.0,
        idle_close_seconds: float = 60.0,
    ) -> None:
        self.bus = bus
        self.faults = PubSubFaults()
        self._access_check = access_check
        self._tenant_id = tenant_id
        self._keepalive = keepalive_seconds
        self._idle_close = idle_close_seconds

    # -- unary RPCs ----------------------------------------------------------------------

    async def GetTopic(  # noqa: N802 - the proto's method names
        self, request: pb.TopicRequest, context: grpc.aio.ServicerContext
    ) -> pb.TopicInfo:
        await self._authenticate(context)
        await self._require_topic(request.topic_name, context)
        return pb.TopicInfo(
            topic_name=self.bus.topic, tenant_guid=self._tenant_id, can_publish=True,
            can_subscribe=True, schema_id=self.bus.schema_id, rpc_id=_rpc_id(),
        )  # fmt: skip

    async def GetSchema(  # noqa: N802
        self, request: pb.SchemaRequest, context: grpc.aio.ServicerContext
    ) -> pb.SchemaInfo:
        await self._authenticate(context)
        if request.schema_id != self.bus.schema_id:
            await _abort(context, grpc.StatusCode.NOT_FOUND, "schema not found", None)
        return pb.SchemaInfo(
            schema_json=self.bus.schema_json, schema_id=self.bus.schema_id, rpc_id=_rpc_id()
        )

    async def Publish(  # noqa: N802
        self, request: pb.PublishRequest, context: grpc.aio.ServicerContext
    ) -> pb.PublishResponse:
        """Append the events as given: like Salesforce, the payload's Avro is not checked."""
        await self._authenticate(context)
        await self._require_topic(request.topic_name, context)
        results = []
        for event in request.events:
            stored = await self.bus.publish(event.payload, event_id=event.id or None)
            results.append(pb.PublishResult(replay_id=stored.replay_id, correlation_key=event.id))
        return pb.PublishResponse(results=results, schema_id=self.bus.schema_id, rpc_id=_rpc_id())

    async def PublishStream(  # noqa: N802
        self, request_iterator: AsyncIterator[pb.PublishRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.PublishResponse]:
        # abort raises; the yield makes this an async generator, the shape grpc expects.
        yield await context.abort(grpc.StatusCode.UNIMPLEMENTED, "not in the sandbox")

    async def ManagedSubscribe(  # noqa: N802
        self,
        request_iterator: AsyncIterator[pb.ManagedFetchRequest],
        context: grpc.aio.ServicerContext,
    ) -> AsyncIterator[pb.ManagedFetchResponse]:
        # abort raises; the yield makes this an async generator, the shape grpc expects.
        yield await context.abort(grpc.StatusCode.UNIMPLEMENTED, "not in the sandbox")

    # -- Subscribe -------------------------------------------------------------------------

    async def Subscribe(  # noqa: N802
        self,
        request_iterator: AsyncIterator[pb.FetchRequest],
        context: grpc.aio.ServicerContext,
    ) -> AsyncIterator[pb.FetchResponse]:
        await self._authenticate(context)
        first = await anext(aiter(request_iterator), None)
        if first is None:
            return
        await self._require_topic(first.topic_name, context)
        stream = _Stream(position=await self._start_position(first, context))
        credit = _Credit()
        await credit.add(first.num_requested, context)
        reader = asyncio.create_task(self._read_requests(request_iterator, first, credit))
        self.faults.streams.append(stream)
        self.faults.subscribes += 1
        try:
            async for response in self._deliver(stream, credit, context):
                yield response
        finally:
            reader.cancel()
            self.faults.streams.remove(stream)

    async def _deliver(
        self, stream: _Stream, credit: _Credit, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.FetchResponse]:
        while True:
            if credit.problem is not None:
                await _abort(context, grpc.StatusCode.INVALID_ARGUMENT, *credit.problem)
            if stream.dropped.is_set():
                await _abort(context, grpc.StatusCode.UNAVAILABLE, "RST_STREAM closed stream", None)
            if stream.rewind_to is not None:
                stream.position, stream.rewind_to = stream.rewind_to, None
            if credit.pending == 0:
                if not await credit.wait(self._idle_close, stream.dropped):
                    return  # the client asked for nothing within the idle window
                continue
            batch = self.bus.after(stream.position, credit.pending)
            if batch:
                if self.faults.delay_ms:
                    await asyncio.sleep(self.faults.delay_ms / 1000)
                if stream.dropped.is_set():
                    continue
                credit.pending -= len(batch)
                stream.position = batch[-1].counter
                yield pb.FetchResponse(
                    events=[_consumer_event(e) for e in batch],
                    latest_replay_id=batch[-1].replay_id,
                    rpc_id=_rpc_id(),
                    pending_num_requested=credit.pending,
                )
                continue
            if not await self._wait_for_events(stream, credit):
                # Keep-alive: nothing new within the window; tell the client where the tip is.
                yield pb.FetchResponse(
                    latest_replay_id=self.bus.latest_replay_id(),
                    rpc_id=_rpc_id(),
                    pending_num_requested=credit.pending,
                )

    async def _wait_for_events(self, stream: _Stream, credit: _Credit) -> bool:
        """Wait for a publish, a drop, a rewind or new credit; False after the keep-alive."""
        condition = self.bus.published

        async def woken() -> None:
            async with condition:
                await condition.wait_for(
                    lambda: (
                        bool(self.bus.after(stream.position, 1))
                        or stream.dropped.is_set()
                        or stream.rewind_to is not None
                        or credit.problem is not None
                    )
                )

        waiters = {
            asyncio.ensure_future(woken()),
            asyncio.ensure_future(stream.dropped.wait()),
        }
        return await _first_of(waiters, self._keepalive)

    async def _read_requests(
        self, requests: AsyncIterator[pb.FetchRequest], first: pb.FetchRequest, credit: _Credit
    ) -> None:
        async for request in requests:
            if request.topic_name and request.topic_name != first.topic_name:
                credit.problem = ("topic_name cannot change within a Subscribe call", None)
            else:
                await credit.add(request.num_requested, None)
            async with self.bus.published:
                self.bus.published.notify_all()

    async def _start_position(
        self, first: pb.FetchRequest, context: grpc.aio.ServicerContext
    ) -> int:
        if first.replay_preset == pb.ReplayPreset.CUSTOM:
            try:
                return self.bus.start_after(first.replay_id)
            except InvalidReplayId as error:
                await _abort(
                    context, grpc.StatusCode.INVALID_ARGUMENT, str(error), ERROR_REPLAY_CORRUPTED
                )
        if first.replay_preset == pb.ReplayPreset.EARLIEST:
            return self.bus.earliest_position()
        return self.bus.last_counter

    # -- checks --------------------------------------------------------------------------

    async def _authenticate(self, context: grpc.aio.ServicerContext) -> None:
        metadata = dict(context.invocation_metadata() or ())
        token, instance, tenant = (
            str(metadata.get(k, "")) for k in ("accesstoken", "instanceurl", "tenantid")
        )
        if not (token and instance and tenant == self._tenant_id) or not self._access_check(
            token, instance, tenant
        ):
            await _abort(
                context, grpc.StatusCode.UNAUTHENTICATED, "authentication failed", ERROR_AUTH
            )

    async def _require_topic(self, topic: str, context: grpc.aio.ServicerContext) -> None:
        if topic != self.bus.topic:
            await _abort(context, grpc.StatusCode.NOT_FOUND, f"unknown topic {topic!r}", None)


class _Credit:
    """``num_requested`` left to deliver on one stream (additive, capped at 100)."""

    def __init__(self) -> None:
        self.pending = 0
        self.problem: tuple[str, str | None] | None = None
        self._added = asyncio.Event()

    async def add(self, requested: int, context: grpc.aio.ServicerContext | None) -> None:
        if requested <= 0:
            self.problem = ("num_requested must be positive", ERROR_REQUESTED_INVALID)
            if context is not None:
                await _abort(context, grpc.StatusCode.INVALID_ARGUMENT, *self.problem)
            return
        self.pending = min(self.pending + requested, MAX_OUTSTANDING)
        self._added.set()

    async def wait(self, within: float, dropped: asyncio.Event) -> bool:
        self._added.clear()
        waiters = {asyncio.ensure_future(self._added.wait()), asyncio.ensure_future(dropped.wait())}
        return await _first_of(waiters, within)


async def _first_of(
    waiters: set[asyncio.Future[Any]] | set[asyncio.Task[Any]], within: float
) -> bool:
    """True when one of ``waiters`` finished within the time; the others are cancelled
    (also when the stream itself is cancelled meanwhile)."""
    try:
        done, _ = await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
        return bool(done)
    finally:
        for waiter in waiters:
            waiter.cancel()


def _consumer_event(event: StoredEvent) -> pb.ConsumerEvent:
    return pb.ConsumerEvent(
        event=pb.ProducerEvent(id=event.event_id, schema_id=event.schema_id, payload=event.payload),
        replay_id=event.replay_id,
    )


def _rpc_id() -> str:
    return str(uuid.uuid4())


async def _abort(
    context: grpc.aio.ServicerContext, code: Any, message: str, error_code: str | None
) -> NoReturn:
    rpc_id = _rpc_id()
    trailers = [("rpc-id", rpc_id)]
    if error_code is not None:
        trailers.append(("error-code", error_code))
    await context.abort(code, f"{message} rpcId: {rpc_id}", trailing_metadata=tuple(trailers))
    raise AssertionError("unreachable: abort raises")  # pragma: no cover


@contextlib.asynccontextmanager
async def serving_pubsub(sandbox: PubSubSandbox, host: str, port: int) -> AsyncIterator[str]:
    """Serve ``sandbox`` in plaintext on ``host:port`` (0 = free port); yields the target."""
    server = grpc.aio.server()
    pb_grpc.add_PubSubServicer_to_server(sandbox, server)
    url_host = f"[{host}]" if ":" in host else host
    bound = server.add_insecure_port(f"{url_host}:{port}")
    await server.start()
    try:
        yield f"{url_host}:{bound}"
    finally:
        sandbox.faults.drop_streams()
        await server.stop(grace=0.5)
