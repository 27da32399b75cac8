from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bff.core.state import AppStateDep
from bff.health.schemas import Liveness, Readiness
from bff.health.service import check_readiness

router = APIRouter(prefix="/health", tags=["health"])


@router.get(
    "/live",
    summary="The process is running",
    description="200 while the process can answer at all; checks nothing else. For liveness "
    "probes: a failure means restart the process.",
)
async def live() -> Liveness:
    return Liveness()


@router.get(
    "/ready",
    response_model=Readiness,
    summary="The process can serve traffic (database and Redis answer)",
    description="Pings the database and Redis, each within `BFF_READINESS_TIMEOUT_S`. 503 "
    "with `checks` naming the failed dependency (and `Retry-After`) while one does not "
    "answer. For readiness probes: a failure means route no traffic here.",
    responses={
        503: {
            "model": Readiness,
            "description": "A dependency failed; see `checks`.",
            "headers": {"Retry-After": {"description": "Seconds.", "schema": {"type": "string"}}},
        }
    },
)
async def ready(state: AppStateDep) -> Readiness | JSONResponse:
    checks = await check_readiness(
        engine=state.engine, redis=state.redis, timeout_s=state.settings.readiness_timeout_s
    )
    if all(result == "ok" for result in checks.values()):
        return Readiness(status="ok", checks=checks)
    body = Readiness(status="unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "5"})
