"""Refresh-token families in Redis: rotation on every use, reuse detection, a grace window.

A refresh token is ``<sid>.<secret>``: ``sid`` names the family (the session), ``secret``
is 256 random bits for the first token of a family. Each successor is derived, not
drawn: ``HMAC-SHA256(refresh_token_secret, previous token)``. So the immediate
predecessor, presented again inside the grace window, yields the *same* successor
(two tabs refreshing at once stay signed in) without any plaintext token at rest.

Keys (``{sid}`` is a hash tag, so a family's keys share a cluster slot)::

    auth:fam:{sid}        hash: uid, wc, sfa, sfc (ownership ids), ua, created, last (ms),
                          exp (absolute expiry, ms), cur / prev (SHA-256 of the current and
                          the previous token), rot (when prev was rotated, ms)
    auth:fam:{sid}:used   set: hashes of every token rotated away (reuse detection)
    auth:user:<uid>:fams  set: the user's family ids (session listing, logout-all)

Every revocation is also published on ``REVOKED_CHANNEL`` (session ids, space-separated)
inside the same MULTI or script, so each instance's local session view (``session_view``)
hears of it; a family reaching its absolute expiry is not published (the view keeps
``exp``).

Both family keys expire at the family's absolute expiry. Rotation is one Lua script, so
concurrent refreshes with one token serialize in Redis: the first rotates, the others
see the predecessor inside the grace window and get the same successor; no branch, no
orphan.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from bff.settings import AuthSettings

_ROTATE = """
local f = redis.call('HMGET', KEYS[1], 'cur', 'prev', 'rot', 'exp', 'uid')
if not f[1] then return {'invalid'} end
local now = tonumber(ARGV[3])
if tonumber(f[4]) <= now then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'invalid'}
end
if f[1] == ARGV[1] then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('PEXPIREAT', KEYS[2], f[4])
  redis.call('HSET', KEYS[1], 'prev', ARGV[1], 'cur', ARGV[2], 'rot', ARGV[3], 'last', ARGV[3],
             'ua', ARGV[5])
  return {'rotated', f[5]}
end
if f[2] == ARGV[1] and f[1] == ARGV[2] and now - tonumber(f[3]) <= tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'last', ARGV[3])
  return {'grace', f[5]}
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('PUBLISH', ARGV[6], ARGV[7])
  return {'reused', f[5]}
end
return {'invalid'}
"""
_ROTATE_SHA = hashlib.sha1(_ROTATE.encode(), usedforsecurity=False).hexdigest()

REVOKED_CHANNEL = "auth:sessions:revoked"

_SID_BYTES = 16
_SECRET_BYTES = 32
_MAX_USER_AGENT = 256


class Rotation(StrEnum):
    ROTATED = "rotated"
    GRACE = "grace"
    REUSED = "reused"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class RotationResult:
    outcome: Rotation
    session_id: str | None = None
    user_id: str | None = None
    token: str | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a family belongs to: the ids every ownership check needs."""

    user_id: str
    whmcs_client_id: str | None
    salesforce_account_id: str | None
    salesforce_contact_id: str | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A live family as an authenticated request needs it."""

    owner: Owner
    expires_at_ms: int


@dataclass(frozen=True, slots=True)
class FamilyInfo:
    session_id: str
    created_at_ms: int
    last_used_at_ms: int
    user_agent: str | None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def family_key(sid: str) -> str:
    return f"auth:fam:{{{sid}}}"


def used_key(sid: str) -> str:
    return f"auth:fam:{{{sid}}}:used"


def user_key(user_id: str) -> str:
    return f"auth:user:{user_id}:fams"


def session_id_of(token: str) -> str | None:
    sid, dot, secret = token.partition(".")
    if not dot or not sid or not secret or len(token) > 200:
        return None
    return sid


class Families:
    def __init__(self, redis: Redis, settings: AuthSettings) -> None:
        self._redis = redis
        self._key = settings.refresh_token_secret.get_secret_value().encode()
        self.ttl_s = settings.refresh_token_ttl_s
        self._grace_ms = int(settings.refresh_grace_s * 1000)
        self._revocation_listeners: list[Callable[[list[str]], None]] = []

    def on_revoked(self, listener: Callable[[list[str]], None]) -> None:
        """Also tell ``listener`` of this process's revocations as they commit.

        The publish reaches this process too, a moment later; telling it at once means a
        request right after a logout on the same instance is already refused.
        """
        self._revocation_listeners.append(listener)

    def _revoked(self, sids: list[str]) -> None:
        for listener in self._revocation_listeners:
            listener(sids)

    def successor(self, token: str) -> str:
        sid = token.partition(".")[0]
        digest = hmac.new(self._key, token.encode(), hashlib.sha256).digest()
        return f"{sid}.{_b64(digest)}"

    async def create(self, owner: Owner, *, user_agent: str | None) -> tuple[str, str]:
        """Start a family (a session); returns ``(session id, first refresh token)``."""
        sid = _b64(secrets.token_bytes(_SID_BYTES))
        token = f"{sid}.{_b64(secrets.token_bytes(_SECRET_BYTES))}"
        now = _now_ms()
        expires = now + self.ttl_s * 1000
        fields = {
            "uid": owner.user_id,
            "wc": owner.whmcs_client_id or "",
            "sfa": owner.salesforce_account_id or "",
            "sfc": owner.salesforce_contact_id or "",
            "ua": (user_agent or "")[:_MAX_USER_AGENT],
            "created": now,
            "last": now,
            "exp": expires,
            "cur": token_hash(token),
            "prev": "",
            "rot": 0,
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(family_key(sid), mapping=fields)
            pipe.pexpireat(family_key(sid), expires)
            pipe.sadd(user_key(owner.user_id), sid)
            pipe.expire(user_key(owner.user_id), self.ttl_s)
            await pipe.execute()
        return sid, token

    async def rotate(self, token: str, *, user_agent: str | None) -> RotationResult:
        sid = session_id_of(token)
        if sid is None:
            return RotationResult(Rotation.INVALID)
        successor = self.successor(token)
        keys = [family_key(sid), used_key(sid)]
        args = [
            token_hash(token),
            token_hash(successor),
            str(_now_ms()),
            str(self._grace_ms),
            (user_agent or "")[:_MAX_USER_AGENT],
            REVOKED_CHANNEL,
            sid,
        ]
        try:
            answer = await self._redis.evalsha(_ROTATE_SHA, len(keys), *keys, *args)  # type: ignore[misc]
        except NoScriptError:
            answer = await self._redis.eval(_ROTATE, len(keys), *keys, *args)  # type: ignore[misc]
        outcome = Rotation(_text(answer[0]))
        user_id = _text(answer[1]) if len(answer) > 1 else None
        if outcome is Rotation.REUSED:
            self._revoked([sid])
            if user_id:
                await self._redis.srem(user_key(user_id), sid)  # type: ignore[misc]
        if outcome in (Rotation.ROTATED, Rotation.GRACE):
            return RotationResult(outcome, session_id=sid, user_id=user_id, token=successor)
        return RotationResult(outcome, session_id=sid, user_id=user_id)

    async def owner(self, sid: str) -> Owner | None:
        """The family's owner, or None once it is revoked or expired (one HMGET)."""
        record = await self.session(sid)
        return None if record is None else record.owner

    async def session(self, sid: str) -> SessionRecord | None:
        """The family's owner and absolute expiry, or None once it is revoked or expired."""
        fields = ["uid", "wc", "sfa", "sfc", "exp"]
        uid, wc, sfa, sfc, exp = await self._redis.hmget(family_key(sid), fields)  # type: ignore[misc]
        if not uid or not exp or int(exp) <= _now_ms():
            return None
        owner = Owner(
            user_id=_text(uid),
            whmcs_client_id=_text(wc) or None,
            salesforce_account_id=_text(sfa) or None,
            salesforce_contact_id=_text(sfc) or None,
        )
        return SessionRecord(owner=owner, expires_at_ms=int(exp))

    async def holder(self, token: str) -> str | None:
        """The session id when ``token`` is the current or previous token of a live family."""
        sid = session_id_of(token)
        if sid is None:
            return None
        cur, prev = await self._redis.hmget(family_key(sid), ["cur", "prev"])  # type: ignore[misc]
        presented = token_hash(token)
        if cur is None or not (
            hmac.compare_digest(_text(cur), presented)
            or hmac.compare_digest(_text(prev or b""), presented)
        ):
            return None
        return sid

    async def list(self, user_id: str) -> list[FamilyInfo]:
        sids = sorted(_text(s) for s in await self._redis.smembers(user_key(user_id)))  # type: ignore[misc]
        if not sids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for sid in sids:
                pipe.hmget(family_key(sid), ["uid", "created", "last", "ua"])
            rows = await pipe.execute()
        live: list[FamilyInfo] = []
        gone: list[str] = []
        for sid, (uid, created, last, ua) in zip(sids, rows, strict=True):
            if not uid or _text(uid) != user_id:
                gone.append(sid)
                continue
            live.append(
                FamilyInfo(
                    session_id=sid,
                    created_at_ms=int(created),
                    last_used_at_ms=int(last),
                    user_agent=_text(ua) or None,
                )
            )
        if gone:
            await self._redis.srem(user_key(user_id), *gone)  # type: ignore[misc]
        return live

    async def revoke(self, sid: str, *, user_id: str | None = None) -> bool:
        """End one family; with ``user_id``, only when it belongs to that user."""
        if user_id is not None:
            owner = await self.owner(sid)
            if owner is None or owner.user_id != user_id:
                return False
        else:
            owner = await self.owner(sid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(family_key(sid), used_key(sid))
            if owner is not None:
                pipe.srem(user_key(owner.user_id), sid)
            pipe.publish(REVOKED_CHANNEL, sid)
            deleted, *_ = await pipe.execute()
        self._revoked([sid])
        return bool(deleted)

    async def revoke_all(self, user_id: str, *, keep: str | None = None) -> int:
        sids = [_text(s) for s in await self._redis.smembers(user_key(user_id))]  # type: ignore[misc]
        doomed = [sid for sid in sids if sid != keep]
        if not doomed:
            return 0
        async with self._redis.pipeline(transaction=True) as pipe:
            for sid in doomed:
                pipe.delete(family_key(sid), used_key(sid))
            pipe.srem(user_key(user_id), *doomed)
            pipe.publish(REVOKED_CHANNEL, " ".join(doomed))
            await pipe.execute()
        self._revoked(doomed)
        return len(doomed)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)
