"""What an auth operation needs from the request, resolved once by one dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bff.auth.runtime import Auth, AuthDep
from bff.core.providers import Providers
from bff.core.state import AppStateDep, DbSession


@dataclass(frozen=True, slots=True)
class AuthContext:
    db: AsyncSession
    auth: Auth
    providers: Providers
    session_factory: async_sessionmaker[AsyncSession]
    client_ip: str
    user_agent: str | None


# `async` on purpose: FastAPI runs a sync dependency in the thread pool (a hop per request).
async def auth_context(
    request: Request, db: DbSession, auth: AuthDep, state: AppStateDep
) -> AuthContext:
    return AuthContext(
        db=db,
        auth=auth,
        providers=state.providers,
        session_factory=state.session_factory,
        client_ip=request.client.host if request.client else "unknown",
        user_agent=request.headers.get("user-agent"),
    )


AuthContextDep = Annotated[AuthContext, Depends(auth_context)]
