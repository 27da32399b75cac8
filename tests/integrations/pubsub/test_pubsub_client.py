"""The Pub/Sub client against the Salesforce sandbox's gRPC server, over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest

from integrations.salesforce import AccessToken, SalesforceClient
from integrations.salesforce.pubsub import (
    KeepAlive,
    PubSubAuthError,
    PubSubClient,
    ReceivedEvent,
    ReplayIdRejected,
    ReplayStart,
)
from integrations.salesforce.pubsub import pubsub_api_pb2 as pb
from integrations.sandbox import SandboxUrls
from integrations.sandbox.demo_data import HANAKO
from tests.integrations.pubsub.conftest import pubsub_config
from tests.integrations.pubsub.helpers import TOPIC, PubSubControl

SEED_DRAFT_ORDER = "8015g0000000005AAA"  # Hanako's Draft order in the seeded org

StreamItem = ReceivedEvent | KeepAlive


async def take(
    stream: AsyncIterator[StreamItem], count: int, *, events_only: bool = True
) -> list[StreamItem]:
    items: list[StreamItem] = []
    async with asyncio.timeout(5):
        async for item in stream:
            if events_only and isinstance(item, KeepAlive):
                continue
            items.append(item)
            if len(items) == count:
                break
    return items


async def test_approving_an_order_delivers_a_decoded_event(
    pubsub: PubSubClient, org: PubSubControl
) -> None:
    stream = pubsub.subscribe(TOPIC, ReplayStart.latest())
    # LATEST: approve only once the server is streaming to us; its first keep-alive says so.
    [keepalive] = await take(stream, 1, events_only=False)
    assert isinstance(keepalive, KeepAlive)
    await org.approve_in_org(SEED_DRAFT_ORDER)
    [event] = await take(stream, 1)
    assert isinstance(event, ReceivedEvent)
    assert event.payload["Order_Id__c"] == SEED_DRAFT_ORDER
    assert event.payload["Account_Id__c"] == HANAKO.account_id
    assert isinstance(event.payload["CreatedDate"], int)  # epoch milliseconds
    assert event.event_id  # the EventUuid
    topic = await pubsub.get_topic(TOPIC)
    assert event.schema_id == topic.schema_id
    await stream.aclose()


async def test_a_rest_status_update_triggers_the_flow_and_earliest_replays_it(
    pubsub: PubSubClient, org: PubSubControl
) -> None:
    ordered = await org.approve_new_orders(3)
    stream = pubsub.subscribe(TOPIC, ReplayStart.earliest())
    events = await take(stream, 3)
    await stream.aclose()
    assert [e.payload["Order_Id__c"] for e in events if isinstance(e, ReceivedEvent)] == ordered
    replay_ids = [e.replay_id for e in events]
    assert replay_ids == sorted(replay_ids) and len(set(replay_ids)) == 3


async def test_custom_replay_starts_after_the_given_id(
    pubsub: PubSubClient, org: PubSubControl
) -> None:
    ordered = await org.approve_new_orders(4)
    first_two = await take(pubsub.subscribe_once(TOPIC, ReplayStart.earliest()), 2)
    stream = pubsub.subscribe(TOPIC, ReplayStart.after(first_two[-1].replay_id))
    rest = await take(stream, 2)
    await stream.aclose()
    assert [e.payload["Order_Id__c"] for e in rest if isinstance(e, ReceivedEvent)] == ordered[2:]


async def test_keep_alive_carries_the_latest_replay_id(
    pubsub: PubSubClient, org: PubSubControl
) -> None:
    [approved] = await org.approve_new_orders(1)
    stream = pubsub.subscribe(TOPIC, ReplayStart.latest())
    [item] = await take(stream, 1, events_only=False)
    await stream.aclose()
    assert isinstance(item, KeepAlive)
    status = await org.status()
    assert item.replay_id.hex() == status["latestReplayId"]
    assert approved


async def test_the_server_sends_no_more_than_requested(org: PubSubControl) -> None:
    """Flow control on the wire: 2 requested -> 2 delivered, the rest after a top-up."""
    await org.approve_new_orders(5)
    requests: asyncio.Queue[pb.FetchRequest] = asyncio.Queue()
    await requests.put(
        pb.FetchRequest(topic_name=TOPIC, replay_preset=pb.ReplayPreset.EARLIEST, num_requested=2)
    )

    async def outgoing() -> AsyncIterator[pb.FetchRequest]:
        while True:
            yield await requests.get()

    call = org.stub.Subscribe(outgoing(), metadata=await org.metadata())
    received: list[pb.ConsumerEvent] = []
    pendings: list[int] = []
    async with asyncio.timeout(5):
        async for response in call:
            received.extend(response.events)
            pendings.append(response.pending_num_requested)
            if len(received) == 2:
                await asyncio.sleep(0.5)  # longer than a keep-alive: nothing may arrive
                await requests.put(pb.FetchRequest(topic_name=TOPIC, num_requested=10))
            if len(received) == 5:
                break
    call.cancel()
    assert len(received) == 5
    # One batch of the 2 requested (nothing owed, nothing more sent while the client
    # waited), then the other 3 out of the 10 of the top-up.
    assert pendings == [0, 7]


async def test_the_client_tops_up_as_events_are_consumed(
    sandboxes: SandboxUrls, salesforce: SalesforceClient, org: PubSubControl
) -> None:
    ordered = await org.approve_new_orders(7)
    async with PubSubClient(pubsub_config(sandboxes, batch_size=2), salesforce.tokens) as client:
        events = await take(client.subscribe_once(TOPIC, ReplayStart.earliest()), 7)
    assert [e.payload["Order_Id__c"] for e in events if isinstance(e, ReceivedEvent)] == ordered


async def test_a_dropped_stream_reconnects_without_loss_or_duplicates(
    pubsub: PubSubClient, org: PubSubControl
) -> None:
    before = await org.approve_new_orders(2)
    stream = pubsub.subscribe(TOPIC, ReplayStart.earliest())
    first = await take(stream, 2)
    assert await org.drop_streams() == 1
    after = await org.approve_new_orders(2)
    rest = await take(stream, 2)
    await stream.aclose()
    seen = [e.payload["Order_Id__c"] for e in [*first, *rest] if isinstance(e, ReceivedEvent)]
    assert seen == before + after
    assert pubsub.reconnects >= 1
    assert (await org.status())["subscribes"] == 2


async def test_an_expired_replay_id_is_rejected_with_a_typed_error(
    pubsub: PubSubClient, org: PubSubControl
) -> None:
    await org.approve_new_orders(1)
    [event] = await take(pubsub.subscribe_once(TOPIC, ReplayStart.earliest()), 1)
    await org.expire_all()
    with pytest.raises(ReplayIdRejected) as raised:
        await take(pubsub.subscribe(TOPIC, ReplayStart.after(event.replay_id)), 1)
    assert raised.value.code == "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted"


async def test_a_foreign_replay_id_is_rejected(pubsub: PubSubClient) -> None:
    with pytest.raises(ReplayIdRejected):
        await take(pubsub.subscribe(TOPIC, ReplayStart.after(b"\x01\x02")), 1)


async def test_redelivery_fault_sends_events_again(
    pubsub: PubSubClient, org: PubSubControl
) -> None:
    await org.approve_new_orders(2)
    stream = pubsub.subscribe(TOPIC, ReplayStart.earliest())
    first = await take(stream, 2)
    assert await org.redeliver(first[0].replay_id) == 1
    [again] = await take(stream, 1)
    await stream.aclose()
    assert again.replay_id == first[1].replay_id


class _RefusedToken:
    def __init__(self, real: AccessToken) -> None:
        self._real = real
        self.invalidated = 0

    async def get(self) -> AccessToken:
        return AccessToken("not-a-token", self._real.instance_url, "", 0.0, self._real.org_id)

    def invalidate(self, token: AccessToken) -> None:
        self.invalidated += 1


async def test_a_refused_token_is_invalidated_and_surfaces_typed(
    sandboxes: SandboxUrls, salesforce: SalesforceClient
) -> None:
    tokens = _RefusedToken(await salesforce.tokens.get())
    async with PubSubClient(pubsub_config(sandboxes), tokens) as client:
        with pytest.raises(PubSubAuthError):
            await client.get_topic(TOPIC)
    assert tokens.invalidated == 1  # refreshed once, then given up


async def test_undecodable_payloads_do_not_stop_the_stream(
    pubsub: PubSubClient, org: PubSubControl
) -> None:
    good = await org.avro({
        "CreatedDate": 1, "CreatedById": "005", "Order_Id__c": "801x", "Account_Id__c": None,
    })  # fmt: skip
    await org.publish_raw([b"\xff\xff\xff", good])
    events = await take(pubsub.subscribe_once(TOPIC, ReplayStart.earliest()), 2)
    assert next(e.payload for e in events if isinstance(e, ReceivedEvent)) == {}
    assert events[1].payload["Order_Id__c"] == "801x"  # type: ignore[union-attr]


async def test_unknown_topic_is_not_found(org: PubSubControl) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await org.stub.GetTopic(
            pb.TopicRequest(topic_name="/event/Nope__e"), metadata=await org.metadata()
        )
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("missing", ["accesstoken", "instanceurl", "tenantid"])
async def test_every_rpc_needs_the_three_auth_headers(org: PubSubControl, missing: str) -> None:
    metadata = tuple((k, v) for k, v in await org.metadata() if k != missing)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await org.stub.GetTopic(pb.TopicRequest(topic_name=TOPIC), metadata=metadata)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    trailers = dict(raised.value.trailing_metadata() or ())
    assert trailers["error-code"] == "sfdc.platform.eventbus.grpc.service.auth.error"


async def test_schemas_are_fetched_once_per_schema_id(
    pubsub: PubSubClient, org: PubSubControl, monkeypatch: pytest.MonkeyPatch
) -> None:
    await org.approve_new_orders(3)
    fetched: list[str] = []
    stub = pubsub._stub  # the generated stub: count the GetSchema calls that go out
    get_schema = stub.GetSchema

    async def counting(request: pb.SchemaRequest, **kwargs: object) -> pb.SchemaInfo:
        fetched.append(request.schema_id)
        info: pb.SchemaInfo = await get_schema(request, **kwargs)
        return info

    monkeypatch.setattr(stub, "GetSchema", counting)
    await take(pubsub.subscribe_once(TOPIC, ReplayStart.earliest()), 3)
    await take(pubsub.subscribe_once(TOPIC, ReplayStart.earliest()), 3)
    assert len(fetched) == 1


async def test_delayed_deliveries_still_arrive_in_order(
    pubsub: PubSubClient, org: PubSubControl
) -> None:
    ordered = await org.approve_new_orders(2)
    await org.delay_deliveries(300)
    loop = asyncio.get_running_loop()
    started = loop.time()
    events = await take(pubsub.subscribe_once(TOPIC, ReplayStart.earliest()), 2)
    assert loop.time() - started >= 0.3
    assert [e.payload["Order_Id__c"] for e in events if isinstance(e, ReceivedEvent)] == ordered
