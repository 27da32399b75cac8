"""`/api/subscriptions`: the caller's services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from bff.auth.dependencies import CurrentCustomer
from bff.core.paging import DEFAULT_PAGE_SIZE, PageQuery, PageSizeQuery
from bff.core.problems import problem_responses
from bff.core.state import AppStateDep
from bff.subscriptions import service
from bff.subscriptions.errors import SubscriptionNotFound
from bff.subscriptions.schemas import Subscription, SubscriptionPage, SubscriptionStatusFilter

router = APIRouter(prefix="/api/subscriptions", tags=["subscriptions"])

SubscriptionId = Annotated[str, Path(max_length=20, description="WHMCS service id.")]


@router.get(
    "",
    response_model=SubscriptionPage,
    summary="List subscriptions",
    description="The caller's services (SIM lines, internet, VPN, options), optionally of "
    "one status. `identifier` is the MSISDN of a SIM line.",
    responses=problem_responses(401, 422, 502, 503, 504),
)
async def list_subscriptions(
    customer: CurrentCustomer,
    state: AppStateDep,
    status: SubscriptionStatusFilter | None = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = DEFAULT_PAGE_SIZE,
) -> Response:
    body = await service.rendered_subscriptions(
        state, customer, status=status, page=page, page_size=page_size
    )
    return Response(body, media_type="application/json")


@router.get(
    "/{subscription_id}",
    response_model=Subscription,
    summary="Get a subscription",
    description="One of the caller's services; another customer's is the same 404 as a "
    "missing one (`subscriptions.not_found`).",
    responses=problem_responses(SubscriptionNotFound, 502, 503, 504),
)
async def get_subscription(
    customer: CurrentCustomer, state: AppStateDep, subscription_id: SubscriptionId
) -> Response:
    body = await service.rendered_subscription(state, customer, subscription_id=subscription_id)
    return Response(body, media_type="application/json")
