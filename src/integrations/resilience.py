"""Deadline, retries, circuit breaker and concurrency limit around provider calls.

One :class:`UpstreamGuard` per provider system (each client builds its own, and the BFF
builds one client per system). A call goes through, outermost first:

1. the total deadline (``asyncio.timeout``) -> :class:`UpstreamTimeout`;
2. retries with jittered exponential backoff (tenacity), only when the caller says the
   operation is idempotent, and only for transient failures;
3. the concurrency limit (``asyncio.Semaphore``);
4. the circuit breaker -> :class:`CircuitOpen` without sending anything.

The breaker is hand-written (about 80 lines) because no maintained asyncio breaker is
among the project's dependencies and the behaviour we need (half-open single probe,
metrics and a log line per transition) is small.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from integrations.errors import (
    CircuitOpen,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from integrations.http import HttpPolicy
from integrations.metrics import IntegrationMetrics

__all__ = ["BreakerState", "CircuitBreaker", "UpstreamGuard"]

T = TypeVar("T")

_log = structlog.get_logger()


class BreakerState(enum.Enum):
    CLOSED = "closed"
    HALF_OPEN = "half_open"
    OPEN = "open"


_STATE_GAUGE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


class CircuitBreaker:
    """Consecutive-failure breaker with a single half-open probe.

    Closed: calls pass; ``failure_threshold`` consecutive failures open it. Open: calls
    fail fast for ``open_seconds``. Then the first caller becomes the only probe
    (half-open); its success closes the breaker, its failure opens it again.
    """

    def __init__(
        self,
        system: str,
        *,
        failure_threshold: int,
        open_seconds: float,
        metrics: IntegrationMetrics,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.system = system
        self._threshold = failure_threshold
        self._open_seconds = open_seconds
        self._metrics = metrics
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False
        metrics.breaker_state.labels(system=system).set(0)

    @property
    def state(self) -> BreakerState:
        return self._state

    def acquire(self) -> None:
        """Allow a call or raise :class:`CircuitOpen`."""
        if self._state is BreakerState.CLOSED:
            return
        if self._state is BreakerState.OPEN:
            remaining = self._opened_at + self._open_seconds - self._clock()
            if remaining > 0:
                raise CircuitOpen(self.system, "circuit open", retry_after=remaining)
            self._transition(BreakerState.HALF_OPEN)
        if self._probe_in_flight:
            raise CircuitOpen(self.system, "circuit half-open, probe in flight", retry_after=1.0)
        self._probe_in_flight = True

    def record_success(self) -> None:
        self._failures = 0
        self._probe_in_flight = False
        if self._state is not BreakerState.CLOSED:
            self._transition(BreakerState.CLOSED)

    def record_failure(self) -> None:
        self._probe_in_flight = False
        if self._state is BreakerState.HALF_OPEN:
            self._open()
            return
        self._failures += 1
        if self._state is BreakerState.CLOSED and self._failures >= self._threshold:
            self._open()

    def release(self) -> None:
        """Forget a call that ended without a verdict (e.g. cancelled by its caller)."""
        self._probe_in_flight = False

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._transition(BreakerState.OPEN)

    def _transition(self, to_state: BreakerState) -> None:
        from_state, self._state = self._state, to_state
        if to_state is BreakerState.CLOSED:
            self._failures = 0
        self._metrics.breaker_transitions.labels(system=self.system, to_state=to_state.value).inc()
        self._metrics.breaker_state.labels(system=self.system).set(_STATE_GAUGE[to_state])
        _log.warning(
            "upstream.breaker_transition",
            system=self.system,
            from_state=from_state.value,
            to_state=to_state.value,
            consecutive_failures=self._failures,
        )


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, CircuitOpen):
        return False  # retrying would only hammer the breaker; fail fast instead
    return isinstance(exc, UpstreamUnavailable | UpstreamTimeout | UpstreamBadResponse)


def _counts_as_failure(exc: BaseException) -> bool:
    """Failures that say the system is unhealthy (a business refusal is a healthy answer)."""
    return isinstance(exc, UpstreamUnavailable | UpstreamTimeout | UpstreamBadResponse)


class _BackoffHonouringRetryAfter:
    """Jittered exponential backoff, stretched to the provider's ``Retry-After`` (capped at
    ``backoff_max``; the call's deadline still bounds the total)."""

    def __init__(self, policy: HttpPolicy) -> None:
        self._jitter = wait_random_exponential(
            multiplier=policy.backoff_initial, max=policy.backoff_max
        )
        self._cap = policy.backoff_max

    def __call__(self, state: RetryCallState) -> float:
        delay = float(self._jitter(state))
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, UpstreamUnavailable):
            delay = max(delay, min(error.retry_after, self._cap))
        return delay


class _StopBeforeTheDeadline(stop_base):
    """Stop retrying when the next backoff would end past the deadline: the caller then
    gets the real failure (e.g. 503 unavailable) instead of a timeout spent sleeping."""

    def __init__(self, deadline_at: float) -> None:
        self._deadline_at = deadline_at

    def __call__(self, state: RetryCallState) -> bool:
        return time.monotonic() + state.upcoming_sleep >= self._deadline_at


class UpstreamGuard:
    """Runs one provider operation with deadline, retries, breaker and concurrency limit."""

    def __init__(self, system: str, policy: HttpPolicy, metrics: IntegrationMetrics) -> None:
        self.system = system
        self._policy = policy
        self._metrics = metrics
        self._semaphore = asyncio.Semaphore(policy.max_concurrency)
        self.breaker = CircuitBreaker(
            system,
            failure_threshold=policy.breaker_failure_threshold,
            open_seconds=policy.breaker_open_seconds,
            metrics=metrics,
        )

    async def call(
        self,
        operation: str,
        send: Callable[[], Awaitable[T]],
        *,
        idempotent: bool,
        deadline: float | None = None,
    ) -> T:
        """Run ``send`` (one attempt: request + parse) under the system's policies.

        ``operation`` labels metrics and logs (an action name, never user data).
        ``idempotent=False`` means exactly one attempt: writes are never retried blindly.
        """
        limit = deadline if deadline is not None else self._policy.deadline
        started = time.perf_counter()
        outcome = "error"
        try:
            async with asyncio.timeout(limit):
                result = await self._with_retries(
                    operation, send, idempotent=idempotent, deadline_at=time.monotonic() + limit
                )
            outcome = "ok"
            return result
        except TimeoutError as exc:
            # The deadline cancelled an attempt in flight: a hang is a failure of the system.
            self.breaker.record_failure()
            outcome = "timeout"
            raise UpstreamTimeout(
                self.system, f"{operation} exceeded its {limit:g}s deadline"
            ) from exc
        except UpstreamError as exc:
            outcome = type(exc).__name__
            raise
        finally:
            labels = {"system": self.system, "operation": operation}
            self._metrics.requests.labels(outcome=outcome, **labels).inc()
            self._metrics.request_seconds.labels(**labels).observe(time.perf_counter() - started)

    async def _with_retries(
        self,
        operation: str,
        send: Callable[[], Awaitable[T]],
        *,
        idempotent: bool,
        deadline_at: float,
    ) -> T:
        retrying = AsyncRetrying(
            stop=stop_any(
                stop_after_attempt(self._policy.retry_attempts if idempotent else 1),
                _StopBeforeTheDeadline(deadline_at),
            ),
            wait=_BackoffHonouringRetryAfter(self._policy),
            retry=retry_if_exception(_is_transient),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                n = attempt.retry_state.attempt_number
                if n > 1:
                    _log.info("upstream.retry", system=self.system, operation=operation, attempt=n)
                return await self._attempt(send)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def _attempt(self, send: Callable[[], Awaitable[T]]) -> T:
        async with self._semaphore:
            self.breaker.acquire()
            try:
                result = await send()
            except httpx.TimeoutException as exc:
                self.breaker.record_failure()
                raise UpstreamTimeout(self.system, "attempt timed out") from exc
            except httpx.TransportError as exc:
                self.breaker.record_failure()
                raise UpstreamUnavailable(
                    self.system, f"transport error: {type(exc).__name__}"
                ) from exc
            except UpstreamError as exc:
                if _counts_as_failure(exc):
                    self.breaker.record_failure()
                else:
                    self.breaker.record_success()
                raise
            except BaseException:
                self.breaker.release()
                raise
            self.breaker.record_success()
            return result
