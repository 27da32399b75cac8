"""`/api/me`: GET and PATCH the signed-in customer's profile."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from bff.auth.dependencies import CurrentCustomer
from bff.core.problems import problem_responses
from bff.core.state import AppStateDep, DbSession, get_app_state
from bff.me import service
from domain.customer.contract import CustomerProfile, ProfileUpdate

router = APIRouter(prefix="/api/me", tags=["me"])


@router.get(
    "",
    response_model=CustomerProfile,
    summary="The signed-in customer's profile",
    description="Contact details come from the billing system (WHMCS); `email` is the login.",
    responses=problem_responses(401, 403, 502, 503, 504),
)
async def get_me(customer: CurrentCustomer, request: Request) -> Response:
    # Cached as rendered bytes (bff.me.cache): no session, no serialisation when warm.
    body = await service.rendered_profile(get_app_state(request), customer)
    return Response(body, media_type="application/json")


@router.patch(
    "",
    summary="Change phone and/or address",
    description="Writes the billing system (WHMCS UpdateClient) and the Salesforce Contact; "
    "fields left out stay as they are. If one system fails, the other is rolled back and "
    "the error is returned (502/503/504).",
    responses=problem_responses(401, 403, 422, 502, 503, 504),
)
async def update_me(
    update: ProfileUpdate, customer: CurrentCustomer, db: DbSession, state: AppStateDep
) -> CustomerProfile:
    try:
        return await service.update_profile(
            db=db, providers=state.providers, customer=customer, update=update
        )
    finally:
        # Also after a failure: the undo of a half-applied change is best effort.
        await service.forget_profile(state, customer)
