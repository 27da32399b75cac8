"""`/api/subscriptions/{id}/sim`: the SIM line behind one of the caller's subscriptions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from bff.auth.dependencies import CurrentCustomer
from bff.core.problems import problem_responses
from bff.core.state import AppStateDep
from bff.idempotency.dependencies import REPLAYABLE_CREATED, IdempotencyKeyHeader
from bff.idempotency.errors import IdempotencyKeyRequired
from bff.sim import service
from bff.sim.errors import (
    NotAnEsim,
    NotASim,
    PlanNotAllowed,
    PlanUnchanged,
    SimStateConflict,
    TopUpSizeNotAllowed,
)
from bff.sim.schemas import (
    EsimReissue,
    EsimReissueRequest,
    PlanChange,
    PlanChangeRequest,
    SimDetails,
    SimStateChange,
    SimUsage,
    TopUp,
    TopUpRequest,
)
from bff.subscriptions.errors import SubscriptionNotFound

router = APIRouter(prefix="/api/subscriptions/{subscription_id}/sim", tags=["sim"])

SubscriptionId = Annotated[str, Path(max_length=20, description="WHMCS service id.")]
_NOT_SIM = " A subscription that is not a SIM line is 409 `sim.not_a_sim`."


@router.get(
    "",
    summary="Get SIM details",
    description="ICCID, MSISDN, type, status, plan, remaining data and any pending plan "
    "change, live from Freebit." + _NOT_SIM,
    responses=problem_responses(SubscriptionNotFound, NotASim, 502, 503, 504),
)
async def get_sim(
    customer: CurrentCustomer, state: AppStateDep, subscription_id: SubscriptionId
) -> SimDetails:
    return await service.get_sim(state, customer, subscription_id=subscription_id)


@router.get(
    "/usage",
    summary="Get SIM data usage",
    description="Usage per month (newest first, this month included) with daily detail." + _NOT_SIM,
    responses=problem_responses(SubscriptionNotFound, NotASim, 502, 503, 504),
)
async def get_usage(
    customer: CurrentCustomer,
    state: AppStateDep,
    subscription_id: SubscriptionId,
    months: Annotated[int, Query(ge=1, le=12, description="How many months (1-12).")] = 1,
) -> SimUsage:
    return await service.get_usage(state, customer, subscription_id=subscription_id, months=months)


@router.post(
    "/top-up",
    status_code=201,
    response_model=TopUp,
    summary="Add data to a SIM",
    description="Requires `Idempotency-Key` (400 `idempotency.key_required` without it). "
    "`quotaMb` must be one of the sizes the line's plan offers (catalog attribute "
    "`topUpSizesMb`), else 422 `sim.top_up_size_not_allowed`; the line must be active (409 "
    "`sim.invalid_state`). The data is valid until the end of the month. The price (the "
    "catalog's top-up product, one unit per its `quotaMb`) is billed through a WHMCS order, "
    "so it appears on the next invoice." + _NOT_SIM,
    responses=REPLAYABLE_CREATED
    | problem_responses(
        IdempotencyKeyRequired,
        SubscriptionNotFound,
        NotASim,
        SimStateConflict,
        TopUpSizeNotAllowed,
        502,
        503,
        504,
    ),
)
async def top_up(
    customer: CurrentCustomer,
    state: AppStateDep,
    subscription_id: SubscriptionId,
    body: TopUpRequest,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    stored = await service.top_up(
        state,
        customer,
        subscription_id=subscription_id,
        request=body,
        idempotency_key=idempotency_key,
    )
    return stored.to_response()


@router.post(
    "/plan-change",
    status_code=202,
    summary="Change the SIM plan",
    description="Reserves the plan for the first day of next month (`effectiveOn`). One "
    "change can be pending: a new request replaces the pending one. Asking for the current "
    "plan with nothing pending is 409 `sim.plan_unchanged`; a plan that is not a catalog SIM "
    "plan of the same SIM type is 422 `sim.plan_not_allowed`." + _NOT_SIM,
    responses=problem_responses(
        SubscriptionNotFound, NotASim, PlanUnchanged, PlanNotAllowed, 502, 503, 504
    ),
)
async def change_plan(
    customer: CurrentCustomer,
    state: AppStateDep,
    subscription_id: SubscriptionId,
    body: PlanChangeRequest,
) -> PlanChange:
    return await service.change_plan(state, customer, subscription_id=subscription_id, request=body)


@router.post(
    "/suspend",
    status_code=202,
    summary="Suspend a SIM",
    description="Accepted; Freebit applies it shortly. Only an active line (else 409 "
    "`sim.invalid_state`)." + _NOT_SIM,
    responses=problem_responses(SubscriptionNotFound, NotASim, SimStateConflict, 502, 503, 504),
)
async def suspend_sim(
    customer: CurrentCustomer, state: AppStateDep, subscription_id: SubscriptionId
) -> SimStateChange:
    return await service.suspend(state, customer, subscription_id=subscription_id)


@router.post(
    "/resume",
    status_code=202,
    summary="Resume a suspended SIM",
    description="Accepted; Freebit applies it shortly. Only a suspended line (else 409 "
    "`sim.invalid_state`)." + _NOT_SIM,
    responses=problem_responses(SubscriptionNotFound, NotASim, SimStateConflict, 502, 503, 504),
)
async def resume_sim(
    customer: CurrentCustomer, state: AppStateDep, subscription_id: SubscriptionId
) -> SimStateChange:
    return await service.resume(state, customer, subscription_id=subscription_id)


@router.post(
    "/esim-reissue",
    status_code=202,
    summary="Reissue an eSIM profile",
    description="Issues a new eSIM profile for the device with `eid`; the answer carries the "
    "activation code (LPA string) when Freebit returns one. Physical SIMs: 409 "
    "`sim.not_an_esim`." + _NOT_SIM,
    responses=problem_responses(SubscriptionNotFound, NotASim, NotAnEsim, 502, 503, 504),
)
async def reissue_esim(
    customer: CurrentCustomer,
    state: AppStateDep,
    subscription_id: SubscriptionId,
    body: EsimReissueRequest,
) -> EsimReissue:
    return await service.reissue_esim(
        state, customer, subscription_id=subscription_id, request=body
    )
