"""The org's record-triggered flow and the Pub/Sub part of the Salesforce control API.

The flow: whenever a write leaves an Order in ``Approved`` that was not approved before
(REST update, collection, composite, or ``/_sandbox/orders/{id}/approve``), the org
publishes ``OrderProvisionRequested__e`` with the Order and Account ids.

Control API (not part of Salesforce)::

    POST /_sandbox/pubsub/drop                  abort every open Subscribe (UNAVAILABLE)
    PUT  /_sandbox/pubsub/faults {"delayMs": n} delay each delivered batch
    POST /_sandbox/pubsub/redeliver {"afterReplayId": "<hex>"}
                                                open streams deliver again after that id
    POST /_sandbox/pubsub/expire                purge every retained event (retention passed)
    GET  /_sandbox/pubsub/events                retained events, subscribes, open streams
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations.sandbox.pubsub_bus import decode_replay_id
from integrations.sandbox.pubsub_server import PubSubSandbox

__all__ = ["approved_order_ids", "publish_new_approvals", "pubsub_control_routes"]

Record = Mapping[str, object]


def approved_order_ids(orders: Mapping[str, Record]) -> set[str]:
    return {order_id for order_id, order in orders.items() if order.get("Status") == "Approved"}


async def publish_new_approvals(
    sandbox: PubSubSandbox, orders: Mapping[str, Record], before: set[str]
) -> None:
    """Publish one event per Order that became Approved since ``before`` was taken."""
    for order_id in sorted(approved_order_ids(orders) - before):
        account = orders[order_id].get("AccountId")
        await sandbox.bus.publish_order_approved(
            order_id, account if isinstance(account, str) else None
        )


def pubsub_control_routes(sandbox: PubSubSandbox) -> list[Route]:
    async def wake_streams() -> None:
        async with sandbox.bus.published:
            sandbox.bus.published.notify_all()

    async def drop(_: Request) -> Response:
        return JSONResponse({"dropped": sandbox.faults.drop_streams()})

    async def faults(request: Request) -> Response:
        body = await request.json()
        delay = body.get("delayMs", 0) if isinstance(body, dict) else None
        if not isinstance(delay, int) or delay < 0:
            return JSONResponse({"error": "delayMs must be a non-negative integer"}, 422)
        sandbox.faults.delay_ms = delay
        return JSONResponse({"delayMs": delay})

    async def redeliver(request: Request) -> Response:
        body = await request.json()
        raw = body.get("afterReplayId") if isinstance(body, dict) else None
        try:
            after = decode_replay_id(bytes.fromhex(raw)) if isinstance(raw, str) else 0
        except ValueError:
            return JSONResponse({"error": "afterReplayId must be a replay id in hex"}, 422)
        streams = sandbox.faults.redeliver(after)
        await wake_streams()
        return JSONResponse({"streams": streams})

    async def expire(_: Request) -> Response:
        return JSONResponse({"purged": sandbox.bus.purge(everything=True)})

    async def events(_: Request) -> Response:
        return JSONResponse({
            "topic": sandbox.bus.topic,
            "events": [{"replayId": e.replay_id.hex(), "eventId": e.event_id}
                       for e in sandbox.bus.events],
            "latestReplayId": sandbox.bus.latest_replay_id().hex(),
            "subscribes": sandbox.faults.subscribes,
            "openStreams": len(sandbox.faults.streams),
        })  # fmt: skip

    return [
        Route("/_sandbox/pubsub/drop", drop, methods=["POST"]),
        Route("/_sandbox/pubsub/faults", faults, methods=["PUT"]),
        Route("/_sandbox/pubsub/redeliver", redeliver, methods=["POST"]),
        Route("/_sandbox/pubsub/expire", expire, methods=["POST"]),
        Route("/_sandbox/pubsub/events", events, methods=["GET"]),
    ]
