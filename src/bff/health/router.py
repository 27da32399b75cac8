from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bff.core.state import AppStateDep
from bff.health.schemas import Liveness, Readiness
from bff.health.service import check_readiness

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="The process is running")
async def live() -> Liveness:
    return Liveness()


@router.get(
    "/ready",
    response_model=Readiness,
    summary="The process can serve traffic (database and Redis answer)",
    responses={503: {"model": Readiness, "description": "A dependency failed; see `checks`."}},
)
async def ready(state: AppStateDep) -> Readiness | JSONResponse:
    checks = await check_readiness(
        engine=state.engine, redis=state.redis, timeout_s=state.settings.readiness_timeout_s
    )
    if all(result == "ok" for result in checks.values()):
        return Readiness(status="ok", checks=checks)
    body = Readiness(status="unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "5"})
