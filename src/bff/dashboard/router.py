"""`/api/dashboard`: the caller's summary in one call."""

from __future__ import annotations

from fastapi import APIRouter

from bff.auth.dependencies import CurrentCustomer
from bff.core.problems import problem_responses
from bff.core.state import AppStateDep
from bff.dashboard import service
from bff.dashboard.schemas import Dashboard

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])


@router.get(
    "",
    summary="Get the dashboard",
    description="Unpaid total and next due invoice (WHMCS), active/total subscriptions "
    "(WHMCS), open cases and recent orders (Salesforce), fetched concurrently, each with its "
    "own deadline. A section whose system fails is `null` and listed in `warnings` "
    "(`{section, code}`); the rest still returns 200.",
    responses=problem_responses(401),
)
async def get_dashboard(customer: CurrentCustomer, state: AppStateDep) -> Dashboard:
    return await service.get_dashboard(state, customer)
