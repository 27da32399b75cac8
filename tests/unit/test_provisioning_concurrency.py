"""``all_of``: a step's independent calls at once, every one finished before it fails."""

from __future__ import annotations

import asyncio

import pytest

from bff.provisioning.concurrency import all_of


async def test_results_come_in_argument_order() -> None:
    async def after(delay: float, value: int) -> int:
        await asyncio.sleep(delay)
        return value

    assert await all_of([after(0.02, 1), after(0.0, 2), after(0.01, 3)]) == [1, 2, 3]


async def test_the_first_failure_is_raised_once_every_call_has_finished() -> None:
    finished: list[str] = []
    release = asyncio.Event()

    async def slow() -> str:
        await release.wait()
        finished.append("slow")
        return "slow"

    async def failing(error: Exception) -> str:
        release.set()
        raise error

    first, second = LookupError("first"), ValueError("second")
    with pytest.raises(LookupError) as caught:
        await all_of([slow(), failing(first), failing(second)])
    assert caught.value is first  # itself, not an exception group
    assert finished == ["slow"]  # no call left running behind the failure
