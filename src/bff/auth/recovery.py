"""Forgotten, reset and changed passwords.

Reset tokens are 256 random bits, stored in Redis only as a SHA-256 under a 30-minute
TTL, consumed with GETDEL (single use, even under concurrency). The e-mail carrying
the link goes to the outbox table in the request's transaction; no mail server is
contacted inside a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from urllib.parse import urlencode

from bff.auth.accounts import check_new_password
from bff.auth.audit import AuditType, record, record_now
from bff.auth.context import AuthContext
from bff.auth.dependencies import Principal
from bff.auth.errors import InvalidCredentials, ResetTokenInvalid
from bff.auth.service import find_user_by_email, normalize_email
from bff.outbox.models import OutboxMessage
from bff.users.models import User

FORGOT_SCOPE = "forgot"
CHANGE_SCOPE = "change"
RESET_TOPIC = "password_reset"


def _reset_key(token: str) -> str:
    return f"auth:reset:{hashlib.sha256(token.encode()).hexdigest()}"


def _user_resets_key(user_id: str) -> str:
    return f"auth:reset:user:{user_id}"


async def forgot_password(ctx: AuthContext, *, email: str) -> None:
    """Queue a reset e-mail when the account exists; the caller learns nothing either way."""
    email = normalize_email(email)
    auth = ctx.auth
    await auth.throttle.check(FORGOT_SCOPE, email=email, ip=ctx.client_ip)
    await auth.throttle.count(FORGOT_SCOPE, email=email, ip=ctx.client_ip)
    user = await find_user_by_email(ctx, email)
    if user is None:
        return
    token = secrets.token_urlsafe(32)
    ttl = auth.settings.password_reset_ttl_s
    key = _reset_key(token)
    async with auth.redis.pipeline(transaction=True) as pipe:
        pipe.set(key, str(user.id), ex=ttl)
        pipe.sadd(_user_resets_key(str(user.id)), key)
        pipe.expire(_user_resets_key(str(user.id)), ttl)
        await pipe.execute()
    link = f"{auth.settings.password_reset_url}?{urlencode({'token': token})}"
    ctx.db.add(
        OutboxMessage(
            topic=RESET_TOPIC,
            recipient=user.email,
            payload={"firstName": user.first_name, "link": link, "expiresInMinutes": ttl // 60},
        )
    )
    record(ctx.db, AuditType.PASSWORD_RESET_REQUESTED, user_id=user.id)
    await ctx.db.flush()


async def reset_password(ctx: AuthContext, *, token: str, new_password: str) -> None:
    """Set a new password with a reset token; every session of the user ends."""
    redis = ctx.auth.redis
    key = _reset_key(token)
    user_id = _as_uuid(await redis.get(key))
    user = await ctx.db.get(User, user_id) if user_id else None
    if user is None:
        raise ResetTokenInvalid()
    check_new_password(new_password, email=user.email, field="newPassword")
    if await redis.getdel(key) is None:  # spent by a concurrent request meanwhile
        raise ResetTokenInvalid()
    await _set_password(ctx, user, new_password)
    others = await redis.smembers(_user_resets_key(str(user.id)))  # type: ignore[misc]
    await redis.delete(_user_resets_key(str(user.id)), *others)
    sessions = await ctx.auth.families.revoke_all(str(user.id))
    record(ctx.db, AuditType.PASSWORD_RESET, user_id=user.id, sessions_revoked=sessions)
    await ctx.db.flush()


async def change_password(
    ctx: AuthContext, *, principal: Principal, current_password: str, new_password: str
) -> None:
    """Change the password knowing the current one; the caller's other sessions end."""
    auth = ctx.auth
    user = await ctx.db.get(User, principal.user_id)
    if user is None:
        raise InvalidCredentials()
    await auth.throttle.check(CHANGE_SCOPE, email=user.email, ip=ctx.client_ip)
    if not await auth.passwords.verify(user.password_hash, current_password):
        await auth.throttle.failure(CHANGE_SCOPE, email=user.email, ip=ctx.client_ip)
        await record_now(
            ctx.session_factory, AuditType.LOGIN_FAILED, user_id=user.id, reason="change_password"
        )
        raise InvalidCredentials("The current password is not correct.")
    check_new_password(new_password, email=user.email, field="newPassword")
    await _set_password(ctx, user, new_password)
    sessions = await auth.families.revoke_all(str(user.id), keep=principal.session_id)
    record(ctx.db, AuditType.PASSWORD_CHANGED, user_id=user.id, sessions_revoked=sessions)
    await ctx.db.flush()


async def _set_password(ctx: AuthContext, user: User, password: str) -> None:
    user.password_hash = await ctx.auth.passwords.hash(password)
    user.password_changed_at = dt.datetime.now(dt.UTC)


def _as_uuid(value: bytes | str | None) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value.decode() if isinstance(value, bytes) else value)
    except ValueError:
        return None
