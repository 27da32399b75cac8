"""Security events to `audit_events`: ids and outcomes only, never secrets or personal data.

Events that accompany a success are added to the request's session and commit with it.
Events that accompany a refusal (a failed login, a reused refresh token) must outlive
the request's rollback, so they are written in a short transaction of their own.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bff.audit.models import AuditEvent
from bff.core.request_context import current_request_id

log = structlog.get_logger("bff.audit")


class AuditType(StrEnum):
    SIGNUP = "auth.signup"
    LINK = "auth.link"
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    REFRESH_REUSED = "auth.refresh_reused"
    LOGOUT = "auth.logout"
    LOGOUT_ALL = "auth.logout_all"
    SESSION_REVOKED = "auth.session_revoked"
    PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105 - an event name
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"  # noqa: S105
    PASSWORD_RESET = "auth.password_reset"  # noqa: S105
    PROFILE_UPDATED = "me.profile_updated"


def _event(event: AuditType, user_id: uuid.UUID | None, details: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        event_type=event.value,
        user_id=user_id,
        request_id=current_request_id(),
        details=details,
    )


def record(
    session: AsyncSession, event: AuditType, *, user_id: uuid.UUID | None, **details: Any
) -> None:
    """Add an event to the request's transaction."""
    session.add(_event(event, user_id, details))


async def record_now(
    factory: async_sessionmaker[AsyncSession],
    event: AuditType,
    *,
    user_id: uuid.UUID | None,
    **details: Any,
) -> None:
    """Write an event in its own transaction (it survives the request's rollback)."""
    try:
        async with factory() as session, session.begin():
            session.add(_event(event, user_id, details))
    except Exception:
        # The refusal itself must still reach the client; the gap is logged.
        log.exception("audit.write_failed", event_type=event.value)
