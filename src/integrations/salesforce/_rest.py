"""Salesforce REST transport: authenticated calls with one token refresh on 401, query
with ``nextRecordsUrl`` paging, sObject CRUD, sObject Collections and composite."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from integrations.errors import UpstreamBadResponse, UpstreamRejected, UpstreamUnavailable
from integrations.http import parse_json_body, retry_after_seconds
from integrations.metrics import IntegrationMetrics, default_metrics
from integrations.resilience import UpstreamGuard
from integrations.salesforce._auth import AccessToken, TokenProvider
from integrations.salesforce._config import SalesforceConfig
from integrations.salesforce._errors import (
    SYSTEM,
    SalesforceApiError,
    SalesforceNotFound,
    SalesforceRequestLimit,
)
from integrations.salesforce._soql import Soql

__all__ = ["CompositeResult", "SalesforceRestClient", "SaveError", "SaveResult"]

_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")


class _SessionExpired(UpstreamRejected):
    """401 INVALID_SESSION_ID: refresh the token and retry once (never leaves the client)."""


class SaveError(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    fields: tuple[str, ...] = ()


class SaveResult(BaseModel):
    """One record's outcome in an sObject Collections request (same order as sent)."""

    model_config = ConfigDict(frozen=True)
    id: str | None
    success: bool
    errors: tuple[SaveError, ...] = ()


class CompositeResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    reference_id: str
    status: int
    record_id: str | None = None
    error_codes: tuple[str, ...] = ()


def _error_details(body: object) -> tuple[str, tuple[str, ...]]:
    """First errorCode and its fields from ``[{"errorCode", "message", "fields"}]``."""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
        code = first.get("errorCode") or first.get("statusCode") or "UNKNOWN"
        fields = first.get("fields") or []
        return str(code), tuple(str(f) for f in fields if isinstance(f, str))
    return "UNKNOWN", ()


class SalesforceRestClient:
    """The org's REST API: generic, untyped records (see ``SalesforceClient`` for typed
    portal operations).

    ``http`` is the shared client from :func:`integrations.http.build_http_client`; the
    caller owns and closes it. Queries and GETs retry transient failures; creates,
    updates, collections and composite requests are sent once (a 401 is the one
    exception: nothing was written, so it is re-sent with a fresh token).

    Usage::

        client = SalesforceClient(http, config)
        catalog = await client.get_catalog()
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: SalesforceConfig,
        *,
        metrics: IntegrationMetrics | None = None,
    ) -> None:
        self._http = http
        self._config = config
        self._metrics = metrics or default_metrics()
        self.guard = UpstreamGuard(SYSTEM, config.http, self._metrics)
        self.tokens = TokenProvider(http, config, self.guard)

    # -- transport ----------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        json: object = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool,
    ) -> object:
        """One REST call (the raw transport call): ``path`` is relative to
        ``/services/data/vNN.0/`` or absolute (``/services/…``). Returns decoded JSON or
        None for 204."""

        async def attempt(token: AccessToken) -> object:
            return await self._guarded(
                method=method, path=path, token=token, operation=operation, json=json,
                params=params, idempotent=idempotent,
            )  # fmt: skip

        token = await self.tokens.get()
        try:
            return await attempt(token)
        except _SessionExpired:
            # Nothing was processed, so even a write may be re-sent with a fresh token.
            self.tokens.invalidate(token)
            try:
                return await attempt(await self.tokens.get())
            except _SessionExpired as exc:
                raise SalesforceApiError(401, "INVALID_SESSION_ID") from exc

    async def _guarded(
        self,
        *,
        method: str,
        path: str,
        token: AccessToken,
        operation: str,
        json: object,
        params: Mapping[str, str] | None,
        idempotent: bool,
    ) -> object:
        url = self._url(token, path)

        async def send() -> object:
            response = await self._http.request(
                method,
                url,
                json=json,
                params=params,
                headers={"Authorization": f"Bearer {token.value}"},
            )
            return self._decode(response)

        return await self.guard.call(operation, send, idempotent=idempotent)

    def _url(self, token: AccessToken, path: str) -> str:
        if path.startswith("/"):
            return f"{token.instance_url}{path}"
        return f"{token.instance_url}/services/data/{self._config.api_version}/{path}"

    def _decode(self, response: httpx.Response) -> object:
        self._record_limits(response)
        status = response.status_code
        if status == 204:
            return None
        if status == 503:
            raise UpstreamUnavailable(SYSTEM, "HTTP 503", retry_after=retry_after_seconds(response))
        if status >= 500:
            raise UpstreamBadResponse(SYSTEM, f"HTTP {status}", status=status)
        body = parse_json_body(SYSTEM, response)
        if status < 300:
            return body
        code, fields = _error_details(body)
        if status == 401 and code == "INVALID_SESSION_ID":
            raise _SessionExpired(SYSTEM, "session expired", status=401, code=code)
        if status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
            raise SalesforceRequestLimit(SYSTEM, "org API request limit exceeded", retry_after=60)
        if status == 404:
            raise SalesforceNotFound(status, code, fields)
        raise SalesforceApiError(status, code, fields)

    def _record_limits(self, response: httpx.Response) -> None:
        match = _LIMIT_INFO.search(response.headers.get("Sforce-Limit-Info", ""))
        if match:
            self._metrics.salesforce_api_usage.set(int(match.group(1)))
            self._metrics.salesforce_api_limit.set(int(match.group(2)))

    # -- generic REST -------------------------------------------------------------------

    async def query(self, statement: Soql, *, max_records: int | None = None) -> dict[str, Any]:
        """Run a query and follow ``nextRecordsUrl``; returns the combined raw answer
        ``{"totalSize", "done", "records"}`` (what the domain mappers read)."""
        limit = max_records or self._config.query_max_records
        page = await self.request(
            "GET", "query", operation="query", params={"q": statement.text}, idempotent=True
        )
        records: list[Any] = []
        total = 0
        while True:
            if not isinstance(page, dict) or not isinstance(page.get("records"), list):
                raise UpstreamBadResponse(SYSTEM, "query answer without records")
            records.extend(page["records"])
            total = int(page.get("totalSize") or 0)
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not isinstance(next_url, str):
                break
            if len(records) >= limit:
                raise UpstreamBadResponse(SYSTEM, f"query returned more than {limit} records")
            page = await self.request("GET", next_url, operation="query_more", idempotent=True)
        return {"totalSize": total, "done": True, "records": records}

    async def count(self, statement: Soql) -> int:
        """``SELECT COUNT() FROM …``: the ``totalSize``."""
        answer = await self.request(
            "GET", "query", operation="query", params={"q": statement.text}, idempotent=True
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("totalSize"), int):
            raise UpstreamBadResponse(SYSTEM, "count answer without totalSize")
        return int(answer["totalSize"])

    async def create(self, sobject: str, fields: Mapping[str, object]) -> str:
        body = await self.request(
            "POST", f"sobjects/{sobject}", operation=f"create_{sobject}", json=dict(fields),
            idempotent=False,
        )  # fmt: skip
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise UpstreamBadResponse(SYSTEM, f"create {sobject}: no id")
        return str(body["id"])

    async def get_record(
        self, sobject: str, record_id: str, fields: Sequence[str] = ()
    ) -> dict[str, Any]:
        """``GET sobjects/{type}/{id}``: the raw record."""
        params = {"fields": ",".join(fields)} if fields else None
        body = await self.request(
            "GET", f"sobjects/{sobject}/{record_id}", operation=f"get_{sobject}",
            params=params, idempotent=True,
        )  # fmt: skip
        if not isinstance(body, dict):
            raise UpstreamBadResponse(SYSTEM, f"get {sobject}: not an object")
        return body

    async def update(self, sobject: str, record_id: str, fields: Mapping[str, object]) -> None:
        await self.request(
            "PATCH", f"sobjects/{sobject}/{record_id}", operation=f"update_{sobject}",
            json=dict(fields), idempotent=False,
        )  # fmt: skip

    async def create_collection(
        self, records: Sequence[Mapping[str, object]], *, all_or_none: bool = True
    ) -> tuple[SaveResult, ...]:
        """``POST composite/sobjects``; each record carries ``attributes.type``."""
        return await self._collection("POST", records, all_or_none)

    async def update_collection(
        self, records: Sequence[Mapping[str, object]], *, all_or_none: bool = True
    ) -> tuple[SaveResult, ...]:
        """``PATCH composite/sobjects``; each record carries ``id`` and ``attributes.type``."""
        return await self._collection("PATCH", records, all_or_none)

    async def _collection(
        self, method: str, records: Sequence[Mapping[str, object]], all_or_none: bool
    ) -> tuple[SaveResult, ...]:
        if not 0 < len(records) <= 200:
            raise ValueError("a collection holds 1 to 200 records")
        body = await self.request(
            method, "composite/sobjects", operation=f"collection_{method.lower()}",
            json={"allOrNone": all_or_none, "records": [dict(r) for r in records]},
            idempotent=False,
        )  # fmt: skip
        if not isinstance(body, list) or len(body) != len(records):
            raise UpstreamBadResponse(SYSTEM, "collection answer does not match the request")
        results: list[SaveResult] = []
        for row in body:
            if not isinstance(row, dict):
                raise UpstreamBadResponse(SYSTEM, "collection answer row is not an object")
            errors = tuple(
                SaveError(code=str(e.get("statusCode", "UNKNOWN")),
                          fields=tuple(str(f) for f in e.get("fields") or ()))
                for e in row.get("errors") or () if isinstance(e, dict)
            )  # fmt: skip
            record_id = row.get("id")
            results.append(
                SaveResult(
                    id=record_id if isinstance(record_id, str) else None,
                    success=row.get("success") is True,
                    errors=errors,
                )
            )
        return tuple(results)

    async def composite(
        self, subrequests: Sequence[Mapping[str, object]], *, all_or_none: bool = True
    ) -> tuple[CompositeResult, ...]:
        """``POST composite`` (≤ 25 subrequests, ``@{ref.id}`` references allowed)."""
        body = await self.request(
            "POST", "composite", operation="composite",
            json={"allOrNone": all_or_none, "compositeRequest": [dict(s) for s in subrequests]},
            idempotent=False,
        )  # fmt: skip
        rows = body.get("compositeResponse") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise UpstreamBadResponse(SYSTEM, "composite answer without compositeResponse")
        results: list[CompositeResult] = []
        for row in rows:
            if not isinstance(row, dict):
                raise UpstreamBadResponse(SYSTEM, "composite answer row is not an object")
            payload = row.get("body")
            record_id = payload.get("id") if isinstance(payload, dict) else None
            codes = (
                tuple(str(e.get("errorCode")) for e in payload if isinstance(e, dict))
                if isinstance(payload, list)
                else ()
            )
            results.append(
                CompositeResult(
                    reference_id=str(row.get("referenceId", "")),
                    status=int(row.get("httpStatusCode", 0)),
                    record_id=record_id if isinstance(record_id, str) else None,
                    error_codes=codes,
                )
            )
        return tuple(results)

    def subrequest_url(self, tail: str) -> str:
        """A composite subrequest URL on the configured API version."""
        return f"/services/data/{self._config.api_version}/{tail}"
