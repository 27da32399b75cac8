"""`/api/orders`: placing orders and following them (Salesforce + provisioning state)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path
from sse_starlette import EventSourceResponse
from starlette.responses import Response

from bff.auth.dependencies import CurrentCustomer
from bff.core.paging import DEFAULT_PAGE_SIZE, PageQuery, PageSizeQuery
from bff.core.problems import problem_responses
from bff.core.state import AppStateDep
from bff.idempotency.dependencies import REPLAYABLE_CREATED, IdempotencyKeyHeader
from bff.idempotency.errors import IdempotencyKeyRequired
from bff.orders import events, service
from bff.orders.errors import OrderNotFound
from bff.orders.schemas import Order, OrderPage, OrderRequest

router = APIRouter(prefix="/api/orders", tags=["orders"])

OrderId = Annotated[str, Path(max_length=18, description="Salesforce Order id.")]


@router.post(
    "",
    status_code=201,
    response_model=Order,
    summary="Place an order",
    description="Requires `Idempotency-Key` (400 `idempotency.key_required` without it). "
    "Each item is checked against the catalog: an unknown or inactive `sku`, a `quantity` "
    "outside 1-10, a `billingCycle` the product is not sold with, or no items -> 422 with "
    "the field of each problem. Creates a Draft Order with its items on the caller's "
    "Salesforce account in one all-or-none write; it is provisioned once approved.",
    responses=REPLAYABLE_CREATED
    | problem_responses(IdempotencyKeyRequired, 401, 409, 422, 502, 503, 504),
)
async def create_order(
    customer: CurrentCustomer,
    state: AppStateDep,
    body: OrderRequest,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    stored = await service.create_order(
        state, customer, request=body, idempotency_key=idempotency_key
    )
    return stored.to_response()


@router.get(
    "",
    summary="List orders",
    description="The caller's orders, newest first.",
    responses=problem_responses(401, 422, 502, 503, 504),
)
async def list_orders(
    customer: CurrentCustomer,
    state: AppStateDep,
    page: PageQuery = 1,
    page_size: PageSizeQuery = DEFAULT_PAGE_SIZE,
) -> OrderPage:
    return await service.list_orders(state, customer, page=page, page_size=page_size)


@router.get(
    "/{order_id}",
    summary="Get an order",
    description="One of the caller's orders with its items, its timeline (Salesforce plus "
    "each provisioning step), the created `subscriptionIds` and, when it failed, a safe "
    "`failureReason`. Another customer's order is the same 404 as a missing one "
    "(`orders.order_not_found`).",
    responses=problem_responses(OrderNotFound, 502, 503, 504),
)
async def get_order(customer: CurrentCustomer, state: AppStateDep, order_id: OrderId) -> Order:
    return await service.get_order(state, customer, order_id=order_id)


_EVENT_STREAM: dict[int | str, dict[str, object]] = {
    200: {
        "description": "`text/event-stream` of `status` events, each `data` a JSON "
        "`{status, at, detail}`, `id` usable as `Last-Event-ID`.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/{order_id}/events",
    summary="Follow an order's status",
    description="Server-sent events: the current status first, then one `status` event per "
    "change (from any worker process), closing after a final status (`active`, `failed`, "
    "`cancelled`) or after 5 minutes. Reconnect with `Last-Event-ID` to continue after the "
    "last event received. Another customer's order is 404 `orders.order_not_found`.",
    response_class=EventSourceResponse,
    responses=_EVENT_STREAM | problem_responses(OrderNotFound, 502, 503, 504),
)
async def follow_order(
    customer: CurrentCustomer,
    state: AppStateDep,
    order_id: OrderId,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", description="Resume after this event id.")
    ] = None,
) -> EventSourceResponse:
    stream = await events.order_events(
        state, customer, order_id=order_id, last_event_id=last_event_id
    )
    return EventSourceResponse(stream, ping=15)
