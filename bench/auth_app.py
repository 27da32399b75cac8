"""The app the auth benchmark serves: the real app plus one bare authenticated route.

``uvicorn --factory auth_app:create --app-dir bench`` with the usual ``BFF_*`` variables.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from bff.app import create_app
from bff.auth.dependencies import CurrentPrincipal


def create() -> FastAPI:
    app = create_app()
    probe = APIRouter(prefix="/bench", include_in_schema=False)

    @probe.get("/whoami")
    async def whoami(principal: CurrentPrincipal) -> dict[str, str]:
        """Authentication only (JWT check + the local session view): the floor under any route."""
        return {"userId": str(principal.user_id)}

    app.include_router(probe)
    return app
