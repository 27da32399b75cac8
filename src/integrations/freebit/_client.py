"""Freebit SIM API client: form field ``json``, ``authKey`` in the body, ``resultCode``."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from domain.common.dates import JST, add_months, first_day_of_next_month
from domain.common.money import Money
from domain.sim.contract import (
    ActivatedLine,
    CurrentTraffic,
    EsimReissue,
    NewLine,
    PlanChange,
    SimDetails,
    SimType,
    SimUsage,
    TopUp,
)
from domain.sim.providers.freebit.activation import (
    activated_line_from_freebit,
    found_line_from_freebit,
    line_activation_request,
    line_lookup_request,
)
from domain.sim.providers.freebit.mapper import (
    current_traffic_from_freebit,
    esim_reissue_from_freebit,
    plan_change_from_freebit,
    sim_details_from_freebit,
    sim_usage_from_freebit,
    top_up_from_freebit,
)
from domain.sim.providers.freebit.requests import (
    account_detail_request,
    esim_reissue_request,
    plan_change_request,
    state_change_request,
    top_up_request,
    traffic_history_request,
    traffic_request,
)
from integrations._mapping import mapped
from integrations.errors import UpstreamBadResponse, UpstreamRejected, UpstreamUnavailable
from integrations.freebit._config import FreebitConfig
from integrations.freebit._errors import (
    SYSTEM,
    FreebitAuthError,
    FreebitError,
    FreebitInvalidRequest,
    FreebitLineBusy,
    FreebitNotAllowed,
    FreebitUnknownLine,
)
from integrations.http import parse_json_body, retry_after_seconds
from integrations.metrics import IntegrationMetrics, default_metrics
from integrations.resilience import UpstreamGuard

__all__ = ["FreebitClient"]

SUCCESS = "100"
AUTH_KEY_INVALID = "210"


def _today_in_japan() -> date:
    return datetime.now(JST).date()


class _AuthKeyExpired(UpstreamRejected):
    """resultCode 200 / 210: renew the authKey and retry once (never leaves the client)."""


def _envelope_error(operation: str, body: Mapping[str, Any]) -> Exception:
    result = str(body.get("resultCode", ""))
    status = body.get("status")
    status_code = str(status.get("statusCode", "")) if isinstance(status, dict) else ""
    if result == "200":
        if status_code == AUTH_KEY_INVALID:
            return _AuthKeyExpired(SYSTEM, "authKey expired", code=status_code)
        return FreebitAuthError(operation, result, status_code)
    if result == "300":
        return FreebitInvalidRequest(operation, result, status_code)
    if result == "500":
        return UpstreamUnavailable(SYSTEM, f"{operation}: system error {status_code}")
    if status_code == "400-101":
        return FreebitUnknownLine(operation, result, status_code)
    if status_code == "400-201":
        return FreebitLineBusy(operation, result, status_code)
    if status_code == "400-356":
        return FreebitNotAllowed(operation, result, status_code)
    return FreebitError(operation, result, status_code)


class FreebitClient:
    """Typed access to the SIM operations the portal uses (details, usage, top-up, plan
    change, suspend/resume, eSIM reissue) and provisioning uses (open a line, find it).

    The ``authKey`` from ``authOem`` is cached (one fetch however many callers wait) and
    renewed once when Freebit reports it invalid. Reads retry transient failures; the
    provisioning calls are sent once.

    Usage::

        client = FreebitClient(http, config)
        sim = await client.get_sim("09012345678")
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: FreebitConfig,
        *,
        metrics: IntegrationMetrics | None = None,
        today: Callable[[], date] = _today_in_japan,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._config = config
        self._today = today
        self._clock = clock
        self.guard = UpstreamGuard(SYSTEM, config.http, metrics or default_metrics())
        self._auth_lock = asyncio.Lock()
        self._auth_key: tuple[str, float] | None = None  # (key, renew at)

    # -- transport ------------------------------------------------------------------------

    async def call(
        self, operation: str, path: str, body: Mapping[str, Any], *, idempotent: bool
    ) -> dict[str, Any]:
        """One authenticated call (the raw transport call); returns the success body."""
        key = await self._auth()
        try:
            return await self._post(operation, path, {**body, "authKey": key}, idempotent)
        except _AuthKeyExpired:
            # The key was refused before anything ran, so a write may be re-sent too.
            self._forget(key)
            fresh = await self._auth()
            try:
                return await self._post(operation, path, {**body, "authKey": fresh}, idempotent)
            except _AuthKeyExpired as exc:
                raise FreebitAuthError(operation, "200", AUTH_KEY_INVALID) from exc

    async def _post(
        self, operation: str, path: str, body: Mapping[str, Any], idempotent: bool
    ) -> dict[str, Any]:
        form = {"json": json.dumps(body, ensure_ascii=False)}

        async def send() -> dict[str, Any]:
            response = await self._http.post(path, data=form)
            return self._decode(operation, response)

        return await self.guard.call(operation, send, idempotent=idempotent)

    def _decode(self, operation: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 503:
            raise UpstreamUnavailable(SYSTEM, "HTTP 503", retry_after=retry_after_seconds(response))
        if status >= 500:
            raise UpstreamBadResponse(SYSTEM, f"{operation}: HTTP {status}", status=status)
        if status >= 400:
            raise UpstreamRejected(SYSTEM, f"{operation}: HTTP {status}", status=status)
        body = parse_json_body(SYSTEM, response)
        if not isinstance(body, dict) or "resultCode" not in body:
            raise UpstreamBadResponse(SYSTEM, f"{operation}: no resultCode", status=status)
        if str(body["resultCode"]) != SUCCESS:
            raise _envelope_error(operation, body)
        return body

    async def _auth(self) -> str:
        cached = self._auth_key
        if cached is not None and self._clock() < cached[1]:
            return cached[0]
        async with self._auth_lock:
            cached = self._auth_key
            if cached is not None and self._clock() < cached[1]:
                return cached[0]
            credentials = {"oemId": self._config.oem_id, "oemKey": self._config.oem_key}
            body = await self._post("authOem", self._config.paths.auth, credentials, True)
            key = body.get("authKey")
            if not isinstance(key, str) or not key:
                raise UpstreamBadResponse(SYSTEM, "authOem: no authKey")
            self._auth_key = (key, self._clock() + self._config.auth_key_lifetime_seconds)
            return key

    def _forget(self, key: str) -> None:
        if self._auth_key is not None and self._auth_key[0] == key:
            self._auth_key = None

    # -- SIM operations -------------------------------------------------------------------

    async def get_sim(self, msisdn: str) -> SimDetails:
        body = await self.call(
            "getAcnt", self._config.paths.account_detail, account_detail_request(msisdn),
            idempotent=True,
        )  # fmt: skip
        return mapped(SYSTEM, "account", lambda: sim_details_from_freebit(body))

    async def get_current_traffic(self, msisdn: str) -> CurrentTraffic:
        body = await self.call(
            "getTrafficInfo", self._config.paths.traffic, traffic_request(msisdn),
            idempotent=True,
        )  # fmt: skip
        return mapped(SYSTEM, "traffic", lambda: current_traffic_from_freebit(body))

    async def get_usage(self, msisdn: str, *, months: int = 1) -> SimUsage:
        """Usage of the last ``months`` months (this month included), with daily detail
        for the recent days."""
        today = self._today()
        this_month = today.replace(day=1)
        history_request = traffic_history_request(
            msisdn, from_month=add_months(this_month, -(months - 1)), to_month=this_month
        )
        history, current = await asyncio.gather(
            self.call(
                "getTrafficHistory", self._config.paths.traffic_history, history_request,
                idempotent=True,
            ),
            self.get_current_traffic(msisdn),
        )  # fmt: skip
        return mapped(
            SYSTEM,
            "trafficHistory",
            lambda: sim_usage_from_freebit(history, current=current, today=today, months=months),
        )

    async def top_up(
        self,
        msisdn: str,
        *,
        quota_mb: int,
        quota_code: str,
        price: Money,
        expire: date | None = None,
    ) -> TopUp:
        """Add data (MB) valid until ``expire`` (default: the end of this month)."""
        today = self._today()
        until = expire or first_day_of_next_month(today) - timedelta(days=1)
        request = top_up_request(msisdn, quota_mb=quota_mb, quota_code=quota_code, expire=until)
        body = await self.call("addSpec", self._config.paths.top_up, request, idempotent=False)
        return mapped(
            SYSTEM, "addSpec", lambda: top_up_from_freebit(body, quota_mb=quota_mb, price=price)
        )

    async def change_plan(self, msisdn: str, *, plan_code: str) -> PlanChange:
        """Reserve a plan change for the first day of next month."""
        today = self._today()
        request = plan_change_request(msisdn, plan_code=plan_code, today=today)
        body = await self.call(
            "changePlan", self._config.paths.plan_change, request, idempotent=False
        )
        effective = first_day_of_next_month(today)
        return mapped(
            SYSTEM,
            "changePlan",
            lambda: plan_change_from_freebit(body, plan_code=plan_code, effective_on=effective),
        )

    async def suspend(self, msisdn: str, *, reason: str | None = None) -> None:
        """Suspend a line (asynchronous on Freebit's side: the state changes shortly)."""
        request = state_change_request(msisdn, suspend=True, reason=reason)
        await self.call("changeState", self._config.paths.state_change, request, idempotent=False)

    async def resume(self, msisdn: str) -> None:
        request = state_change_request(msisdn, suspend=False)
        await self.call("changeState", self._config.paths.state_change, request, idempotent=False)

    async def reissue_esim(
        self, msisdn: str, *, eid: str, old_eid: str | None = None
    ) -> EsimReissue:
        """Reissue an eSIM profile onto ``eid``; returns the activation code when given."""
        request = esim_reissue_request(msisdn, eid=eid, old_eid=old_eid)
        body = await self.call("esimReissue", self._config.paths.esim, request, idempotent=False)
        return mapped(SYSTEM, "esim", lambda: esim_reissue_from_freebit(body))

    # -- provisioning -----------------------------------------------------------------------

    async def find_line(self, line_key: str) -> ActivatedLine | None:
        """The line opened for ``line_key`` (an ``orderRef``), or None when there is none."""
        try:
            body = await self.call(
                "getAcnt", self._config.paths.account_detail, line_lookup_request(line_key),
                idempotent=True,
            )  # fmt: skip
        except FreebitUnknownLine:
            return None
        return mapped(SYSTEM, "account", lambda: found_line_from_freebit(body))

    async def activate_line(self, line: NewLine) -> ActivatedLine:
        """Open a new line (physical: OTA addAcnt; eSIM: eSIM addAcnt). Sent once: a
        caller that cannot tell whether it arrived looks it up with :meth:`find_line`."""
        esim = line.sim_type is SimType.ESIM
        operation = "esimAddAcnt" if esim else "otaAddAcnt"
        path = self._config.paths.esim if esim else self._config.paths.ota_activation
        body = await self.call(operation, path, line_activation_request(line), idempotent=False)
        return mapped(
            SYSTEM, "addAcnt", lambda: activated_line_from_freebit(body, sim_type=line.sim_type)
        )
