"""The ``/_sandbox/`` control API shared by the three sandboxes.

Not part of any provider's format: tests and benchmarks use it to inject faults, read
the call log and reset state.

``PUT /_sandbox/faults`` takes one rule or a list of rules and replaces the active set::

    {"action": "GetInvoices",        # WHMCS: scope to one action (case-insensitive)
     "path": "/services/data",       # Salesforce/Freebit: scope to a path prefix
     "latencyMs": 800,               # delay before answering
     "errorStatus": 503,             # answer with this status (provider-style body)
     "errorRate": 0.5,               # probability of the error (default 1.0)
     "hang": true,                   # never answer (until faults are cleared or reset)
     "malformedBody": true,          # answer 200 with a truncated JSON body
     "times": 2}                     # only the next 2 matching calls (default: all)

A rule without ``action``/``path`` matches every provider call. The control API itself is
never faulted or logged.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["CallRecord", "FaultRule", "SandboxControl"]

ErrorResponder = Callable[[int], Response]

MALFORMED_BODY = b'{"result":"success","data":{"truncated":'


class FaultRule(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    action: str | None = None
    path: str | None = None
    latency_ms: int = Field(default=0, ge=0, alias="latencyMs")
    error_status: int | None = Field(default=None, ge=400, le=599, alias="errorStatus")
    error_rate: float = Field(default=1.0, ge=0.0, le=1.0, alias="errorRate")
    hang: bool = False
    malformed_body: bool = Field(default=False, alias="malformedBody")
    times: int | None = Field(default=None, ge=1)

    def matches(self, *, action: str | None, path: str) -> bool:
        if self.action is not None and (action is None or self.action.lower() != action.lower()):
            return False
        return self.path is None or path.startswith(self.path)


@dataclass(frozen=True, slots=True)
class CallRecord:
    at: float
    method: str
    path: str
    key: str
    subject: str | None = None
    """What the call was about where the path does not say (a query's sObject)."""


@dataclass
class SandboxControl:
    """Fault rules, call log and the reset hook of one sandbox."""

    reset_state: Callable[[], None]
    seed: int = 4
    rules: list[FaultRule] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    _release_hangs: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - fault dice, not security

    def record(self, request: Request, key: str, subject: str | None = None) -> None:
        self.calls.append(
            CallRecord(
                at=time.time(),
                method=request.method,
                path=request.url.path,
                key=key,
                subject=subject,
            )
        )

    def release_hangs(self) -> None:
        """Let every hanging request finish (used by clear, reset and shutdown)."""
        self._release_hangs.set()
        self._release_hangs = asyncio.Event()

    async def intercept(
        self, request: Request, *, action: str | None, error_response: ErrorResponder
    ) -> Response | None:
        """Apply the first matching fault rule; ``None`` means answer normally."""
        rule = next(
            (r for r in self.rules if r.matches(action=action, path=request.url.path)), None
        )
        if rule is None:
            return None
        if rule.times is not None:
            remaining = rule.times - 1
            index = self.rules.index(rule)
            if remaining:
                self.rules[index] = rule.model_copy(update={"times": remaining})
            else:
                del self.rules[index]
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        if rule.hang:
            released = self._release_hangs
            await released.wait()
            return error_response(504)
        if rule.error_status is not None and self._random.random() < rule.error_rate:
            return error_response(rule.error_status)
        if rule.malformed_body:
            return Response(MALFORMED_BODY, media_type="application/json")
        return None

    def routes(self, extra: list[Route] | None = None) -> list[Route]:
        return [
            Route("/_sandbox/faults", self._put_faults, methods=["PUT"]),
            Route("/_sandbox/faults", self._delete_faults, methods=["DELETE"]),
            Route("/_sandbox/calls", self._get_calls, methods=["GET"]),
            Route("/_sandbox/reset", self._reset, methods=["POST"]),
            *(extra or []),
        ]

    async def _put_faults(self, request: Request) -> Response:
        payload = await request.json()
        items = payload if isinstance(payload, list) else [payload]
        try:
            rules = [FaultRule.model_validate(item) for item in items]
        except ValidationError as exc:
            return JSONResponse({"error": "invalid fault rule", "detail": exc.errors()}, 422)
        self.release_hangs()
        self.rules = rules
        return JSONResponse({"rules": [r.model_dump(by_alias=True) for r in rules]})

    async def _delete_faults(self, _: Request) -> Response:
        self.rules = []
        self.release_hangs()
        return Response(status_code=204)

    async def _get_calls(self, _: Request) -> Response:
        counts = Counter(c.key for c in self.calls)
        return JSONResponse(
            {
                "total": len(self.calls),
                "counts": dict(counts),
                "calls": [
                    {
                        "at": c.at,
                        "method": c.method,
                        "path": c.path,
                        "key": c.key,
                        "subject": c.subject,
                    }
                    for c in self.calls
                ],
            }
        )

    async def _reset(self, _: Request) -> Response:
        self.rules = []
        self.calls = []
        self.release_hangs()
        self._random = random.Random(self.seed)  # noqa: S311 - fault dice, not security
        self.reset_state()
        return Response(status_code=204)
