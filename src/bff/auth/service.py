"""Login, refresh, logout and sessions: the token lifecycle of portal users."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy import select

from bff.auth.audit import AuditType, record, record_now
from bff.auth.context import AuthContext
from bff.auth.dependencies import Principal
from bff.auth.errors import InvalidCredentials, RefreshInvalid, RefreshReused
from bff.auth.families import Owner, Rotation
from bff.auth.runtime import Auth
from bff.core.errors import NotFound
from bff.users.models import User

log = structlog.get_logger("bff.auth")

LOGIN_SCOPE = "login"


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: str
    created_at: dt.datetime
    last_used_at: dt.datetime
    user_agent: str | None
    current: bool


def normalize_email(email: str) -> str:
    return email.strip().casefold()


def owner_of(user: User) -> Owner:
    return Owner(
        user_id=str(user.id),
        whmcs_client_id=str(user.whmcs_client_id) if user.whmcs_client_id is not None else None,
        salesforce_account_id=user.salesforce_account_id,
        salesforce_contact_id=user.salesforce_contact_id,
    )


async def start_session(auth: Auth, user: User, *, user_agent: str | None) -> IssuedTokens:
    """A new token family for ``user``: its first refresh token and an access token."""
    session_id, refresh_token = await auth.families.create(owner_of(user), user_agent=user_agent)
    return IssuedTokens(
        access_token=auth.tokens.issue(user_id=str(user.id), session_id=session_id),
        refresh_token=refresh_token,
        expires_in=auth.tokens.ttl_s,
        user=user,
    )


async def find_user_by_email(ctx: AuthContext, email: str) -> User | None:
    return await ctx.db.scalar(select(User).where(User.email == normalize_email(email)))


async def login(ctx: AuthContext, *, email: str, password: str) -> IssuedTokens:
    """Check the password (throttled, same cost for unknown emails) and start a session."""
    auth = ctx.auth
    await auth.throttle.check(LOGIN_SCOPE, email=email, ip=ctx.client_ip)
    user = await find_user_by_email(ctx, email)
    if user is None:
        await auth.passwords.verify_unknown(password)
        valid = False
    else:
        valid = await auth.passwords.verify(user.password_hash, password)
    if user is None or not valid:
        await auth.throttle.failure(LOGIN_SCOPE, email=email, ip=ctx.client_ip)
        await record_now(
            ctx.session_factory,
            AuditType.LOGIN_FAILED,
            user_id=user.id if user else None,
            reason="wrong_password" if user else "unknown_account",
        )
        raise InvalidCredentials()
    await auth.throttle.success(LOGIN_SCOPE, email=email)
    if auth.passwords.needs_rehash(user.password_hash):
        user.password_hash = await auth.passwords.hash(password)
        log.info("auth.password_rehashed", user_id=str(user.id))
    tokens = await start_session(auth, user, user_agent=ctx.user_agent)
    record(ctx.db, AuditType.LOGIN, user_id=user.id, session_id=_short(tokens.refresh_token))
    await ctx.db.flush()
    return tokens


async def refresh(ctx: AuthContext, *, refresh_token: str | None) -> IssuedTokens:
    """Rotate the refresh token; a rotated-away token revokes its whole family."""
    if not refresh_token:
        raise RefreshInvalid()
    auth = ctx.auth
    result = await auth.families.rotate(refresh_token, user_agent=ctx.user_agent)
    if result.outcome is Rotation.REUSED:
        user_id = _uuid(result.user_id)
        await record_now(
            ctx.session_factory,
            AuditType.REFRESH_REUSED,
            user_id=user_id,
            session_id=_short(refresh_token),
        )
        log.warning("auth.refresh_reused", user_id=result.user_id)
        raise RefreshReused()
    if result.token is None or result.session_id is None:
        raise RefreshInvalid()
    user_id = _uuid(result.user_id)
    user = await ctx.db.get(User, user_id) if user_id else None
    if user is None:
        await auth.families.revoke(result.session_id)
        raise RefreshInvalid()
    return IssuedTokens(
        access_token=auth.tokens.issue(user_id=str(user.id), session_id=result.session_id),
        refresh_token=result.token,
        expires_in=auth.tokens.ttl_s,
        user=user,
    )


async def logout(ctx: AuthContext, *, refresh_token: str | None) -> None:
    """End the session the token belongs to; an unknown or spent token is a no-op."""
    if not refresh_token:
        return
    session_id = await ctx.auth.families.holder(refresh_token)
    if session_id is None:
        return
    owner = await ctx.auth.families.owner(session_id)
    await ctx.auth.families.revoke(session_id)
    if owner is not None:
        record(ctx.db, AuditType.LOGOUT, user_id=_uuid(owner.user_id), session_id=session_id[:8])


async def logout_all(ctx: AuthContext, *, principal: Principal) -> None:
    count = await ctx.auth.families.revoke_all(str(principal.user_id))
    record(ctx.db, AuditType.LOGOUT_ALL, user_id=principal.user_id, sessions=count)


async def list_sessions(ctx: AuthContext, *, principal: Principal) -> list[SessionInfo]:
    families = await ctx.auth.families.list(str(principal.user_id))
    sessions = [
        SessionInfo(
            id=family.session_id,
            created_at=_from_ms(family.created_at_ms),
            last_used_at=_from_ms(family.last_used_at_ms),
            user_agent=family.user_agent,
            current=family.session_id == principal.session_id,
        )
        for family in families
    ]
    return sorted(sessions, key=lambda s: s.last_used_at, reverse=True)


async def revoke_session(ctx: AuthContext, *, principal: Principal, session_id: str) -> None:
    """End one of the caller's sessions; someone else's (or none) is the same 404."""
    if not await ctx.auth.families.revoke(session_id, user_id=str(principal.user_id)):
        raise NotFound("No such session.", code="auth.session_not_found")
    record(ctx.db, AuditType.SESSION_REVOKED, user_id=principal.user_id, session_id=session_id[:8])


def _short(token: str) -> str:
    """The first characters of a session id: enough to correlate, useless to an attacker."""
    return token.partition(".")[0][:8]


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _from_ms(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
