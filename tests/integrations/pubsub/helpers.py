"""Drive the Salesforce sandbox for Pub/Sub tests: approve orders, publish raw events,
and use the ``/_sandbox/pubsub`` fault controls."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Awaitable, Callable

import fastavro
import grpc
import httpx

from integrations.salesforce import SalesforceClient
from integrations.salesforce.pubsub import pubsub_api_pb2 as pb
from integrations.salesforce.pubsub import pubsub_api_pb2_grpc as pb_grpc
from integrations.sandbox import SandboxUrls
from integrations.sandbox.demo_data import TARO

TOPIC = "/event/OrderProvisionRequested__e"


class PubSubControl:
    def __init__(
        self, control: httpx.AsyncClient, sandboxes: SandboxUrls, salesforce: SalesforceClient
    ) -> None:
        self._control = control
        self._base = f"{sandboxes.salesforce_login_url}/_sandbox"
        self._salesforce = salesforce
        assert sandboxes.salesforce_pubsub_target is not None
        self._channel = grpc.aio.insecure_channel(sandboxes.salesforce_pubsub_target)
        self.stub = pb_grpc.PubSubStub(self._channel)

    async def close(self) -> None:
        await self._channel.close()

    async def metadata(self) -> tuple[tuple[str, str], ...]:
        token = await self._salesforce.tokens.get()
        return (
            ("accesstoken", token.value),
            ("instanceurl", token.instance_url),
            ("tenantid", token.org_id),
        )

    async def create_order(self) -> str:
        created = await self._salesforce.request(
            "POST",
            "sobjects/Order",
            operation="test_create_order",
            json={"AccountId": TARO.account_id, "EffectiveDate": "2026-01-01", "Status": "Draft"},
            idempotent=False,
        )
        assert isinstance(created, dict)
        return str(created["id"])

    async def approve_by_rest(self, order_id: str) -> None:
        await self._salesforce.request(
            "PATCH",
            f"sobjects/Order/{order_id}",
            operation="test_approve",
            json={"Status": "Approved"},
            idempotent=False,
        )

    async def approve_new_orders(self, count: int) -> list[str]:
        """Create ``count`` Draft orders and approve each over REST (one event each)."""
        ids = []
        for _ in range(count):
            order_id = await self.create_order()
            await self.approve_by_rest(order_id)
            ids.append(order_id)
        return ids

    async def approve_in_org(self, order_id: str) -> None:
        response = await self._control.post(f"{self._base}/orders/{order_id}/approve")
        response.raise_for_status()

    async def publish_raw(self, payloads: list[bytes]) -> list[bytes]:
        topic = await self.stub.GetTopic(
            pb.TopicRequest(topic_name=TOPIC), metadata=await self.metadata()
        )
        events = [pb.ProducerEvent(schema_id=topic.schema_id, payload=p) for p in payloads]
        answer = await self.stub.Publish(
            pb.PublishRequest(topic_name=TOPIC, events=events), metadata=await self.metadata()
        )
        return [result.replay_id for result in answer.results]

    async def avro(self, record: dict[str, object]) -> bytes:
        metadata = await self.metadata()
        topic = await self.stub.GetTopic(pb.TopicRequest(topic_name=TOPIC), metadata=metadata)
        info = await self.stub.GetSchema(
            pb.SchemaRequest(schema_id=topic.schema_id), metadata=metadata
        )
        buffer = io.BytesIO()
        fastavro.schemaless_writer(
            buffer, fastavro.parse_schema(json.loads(info.schema_json)), record
        )
        return buffer.getvalue()

    async def drop_streams(self) -> int:
        response = await self._control.post(f"{self._base}/pubsub/drop")
        response.raise_for_status()
        return int(response.json()["dropped"])

    async def redeliver(self, after_replay_id: bytes) -> int:
        response = await self._control.post(
            f"{self._base}/pubsub/redeliver", json={"afterReplayId": after_replay_id.hex()}
        )
        response.raise_for_status()
        return int(response.json()["streams"])

    async def delay_deliveries(self, milliseconds: int) -> None:
        response = await self._control.put(
            f"{self._base}/pubsub/faults", json={"delayMs": milliseconds}
        )
        response.raise_for_status()

    async def expire_all(self) -> None:
        (await self._control.post(f"{self._base}/pubsub/expire")).raise_for_status()

    async def status(self) -> dict[str, object]:
        response = await self._control.get(f"{self._base}/pubsub/events")
        response.raise_for_status()
        answer: dict[str, object] = response.json()
        return answer


async def eventually(
    check: Callable[[], Awaitable[bool]] | Callable[[], bool], *, within: float = 5.0
) -> None:
    """Poll ``check`` until it is true, or fail after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
