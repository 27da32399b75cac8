"""The shared Idempotency-Key implementation, on the suite's database (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable

import pytest

from bff.core.state import AppState
from bff.idempotency.errors import IdempotencyInProgress, IdempotencyKeyReused
from bff.idempotency.service import StoredResponse, check_key, fingerprint, run_once
from bff.settings import IdempotencySettings
from tests.api.features.conftest import USER_IDS

SETTINGS = IdempotencySettings(ttl_s=3600, in_flight_timeout_s=60)
USER = USER_IDS["kenji"]


def op() -> str:
    return f"test.{uuid.uuid4().hex[:8]}"


async def test_concurrent_duplicates_execute_once(app_state: AppState) -> None:
    operation, runs = op(), 0

    async def execute() -> StoredResponse:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.2)
        return StoredResponse(status=201, body=b'{"n":1}')

    async def attempt() -> StoredResponse | Exception:
        try:
            return await run_once(
                app_state.session_factory, SETTINGS, user_id=USER, operation=operation,
                key="k", required=True, request_fingerprint="f", execute=execute,
            )  # fmt: skip
        except IdempotencyInProgress as error:
            return error

    results = await asyncio.gather(*(attempt() for _ in range(20)))
    assert runs == 1
    first = [r for r in results if isinstance(r, StoredResponse) and not r.replayed]
    assert len(first) == 1
    # The rest arrived while it ran (409) or, on a slow database, after it finished (replay).
    rest = [r for r in results if r is not first[0]]
    assert all(
        isinstance(r, IdempotencyInProgress) or (isinstance(r, StoredResponse) and r.replayed)
        for r in rest
    )
    replay = await attempt()
    assert isinstance(replay, StoredResponse) and replay.replayed and replay.body == b'{"n":1}'


async def test_different_fingerprint_is_refused(app_state: AppState) -> None:
    operation = op()

    async def execute() -> StoredResponse:
        return StoredResponse(status=201, body=b"{}")

    common = {"user_id": USER, "operation": operation, "key": "k", "required": True}
    await run_once(
        app_state.session_factory, SETTINGS, request_fingerprint="a", execute=execute, **common
    )  # type: ignore[arg-type]
    with pytest.raises(IdempotencyKeyReused):
        await run_once(
            app_state.session_factory, SETTINGS, request_fingerprint="b", execute=execute, **common
        )  # type: ignore[arg-type]


async def test_expired_records_are_replaced_and_abandoned_ones_taken_over(
    app_state: AppState,
) -> None:
    operation, runs = op(), 0
    start = dt.datetime.now(dt.UTC)

    async def execute() -> StoredResponse:
        nonlocal runs
        runs += 1
        return StoredResponse(status=201, body=str(runs).encode())

    async def at(
        moment: dt.datetime, executor: Callable[[], Awaitable[StoredResponse]] = execute
    ) -> StoredResponse:
        return await run_once(
            app_state.session_factory, SETTINGS, user_id=USER, operation=operation, key="k",
            required=True, request_fingerprint="f", execute=executor, now=lambda: moment,
        )  # fmt: skip

    assert (await at(start)).body == b"1"
    assert (await at(start + dt.timedelta(minutes=30))).replayed
    later = await at(start + dt.timedelta(hours=2))  # past the 1 h TTL: a fresh run
    assert later.body == b"2" and not later.replayed

    # A crashed instance left an in-flight claim: a retry after the timeout takes it over.
    operation = op()
    claim = asyncio.create_task(at(start, executor=_hang))
    await asyncio.sleep(0.1)
    with pytest.raises(IdempotencyInProgress):
        await at(start + dt.timedelta(seconds=10))
    taken = await at(start + dt.timedelta(seconds=61))
    assert taken.body == b"3" and not taken.replayed
    claim.cancel()


async def _hang() -> StoredResponse:
    await asyncio.sleep(3600)
    raise AssertionError("unreachable")


async def test_failures_release_the_key(app_state: AppState) -> None:
    operation = op()

    async def fail() -> StoredResponse:
        raise RuntimeError("provider down")

    async def succeed() -> StoredResponse:
        return StoredResponse(status=201, body=b"ok")

    common = {"user_id": USER, "operation": operation, "key": "k", "required": True}
    with pytest.raises(RuntimeError):
        await run_once(
            app_state.session_factory, SETTINGS, request_fingerprint="f", execute=fail, **common
        )  # type: ignore[arg-type]
    result = await run_once(
        app_state.session_factory, SETTINGS, request_fingerprint="f", execute=succeed, **common
    )  # type: ignore[arg-type]
    assert result.body == b"ok" and not result.replayed


def test_key_rules_and_fingerprints() -> None:
    assert check_key("a" * 255, required=True) == "a" * 255
    assert check_key(None, required=False) is None
    for bad in ("", "a" * 256, "tab\there", "caf\u00e9"):
        with pytest.raises(Exception, match="Idempotency-Key"):
            check_key(bad, required=True)
    assert fingerprint("1", {"b": 1, "a": 2}) == fingerprint("1", {"a": 2, "b": 1})
    assert fingerprint("1", {"a": 1}) != fingerprint("2", {"a": 1})
