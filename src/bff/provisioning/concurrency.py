"""Running a step's independent provider calls at once.

Unlike a bare ``asyncio.gather``, every call has finished (or failed) before the step
goes on, so no call of a failed step is still running behind the retry that follows it;
the first failure (in argument order) is raised as itself, not as an exception group,
so the workflow's classification of provider errors still applies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

T = TypeVar("T")


async def all_of(calls: Iterable[Awaitable[T]]) -> list[T]:
    """The results of ``calls`` run concurrently, in order; raises the first failure."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return list(results)  # type: ignore[arg-type]  # no exception is left among them
