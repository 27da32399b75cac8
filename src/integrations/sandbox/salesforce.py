"""Salesforce sandbox: OAuth 2.0 JWT bearer token endpoint and the REST API subset the
portal uses (query + ``nextRecordsUrl``, sObject create/get/update, sObject collections,
composite), with Salesforce's error arrays and ``Sforce-Limit-Info`` header.

Control API extras: ``POST /_sandbox/orders/{id}/approve`` (Status -> Approved, what an
admin does in the org) and ``POST /_sandbox/tokens/expire`` (every issued access token
becomes invalid, to exercise the client's refresh-once path).

The org's Pub/Sub API (``app.state.pubsub``, served over gRPC by the runner) gets
``OrderProvisionRequested__e`` from the record-triggered flow: any write that leaves an
Order ``Approved`` publishes it (see :mod:`integrations.sandbox.pubsub_flow`).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations.sandbox._control import SandboxControl
from integrations.sandbox._sf_org import (
    API_DAILY_LIMIT,
    JWT_GRANT,
    ORG_ID,
    Org,
    SalesforceSandboxSettings,
)
from integrations.sandbox._sf_rest import RestResources
from integrations.sandbox._sf_store import SalesforceFault
from integrations.sandbox.demo_data import INTEGRATION_USER_ID, japan_today
from integrations.sandbox.pubsub_bus import EventBus
from integrations.sandbox.pubsub_flow import (
    approved_order_ids,
    publish_new_approvals,
    pubsub_control_routes,
)
from integrations.sandbox.pubsub_server import PubSubSandbox

__all__ = ["SalesforceSandboxSettings", "create_salesforce_app"]


def _errors(fault: SalesforceFault) -> JSONResponse:
    return JSONResponse([fault.as_error()], status_code=fault.status)


_FAULT_CODES = {500: "UNKNOWN_EXCEPTION", 503: "SERVER_UNAVAILABLE", 401: "INVALID_SESSION_ID",
                403: "REQUEST_LIMIT_EXCEEDED", 404: "NOT_FOUND"}  # fmt: skip


def _error_response(status: int) -> Response:
    code = _FAULT_CODES.get(status, "UNKNOWN_EXCEPTION")
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse(
        [{"message": "Injected sandbox fault", "errorCode": code}], status, headers=headers
    )


def create_salesforce_app(
    settings: SalesforceSandboxSettings,
    *,
    today: dt.date | None = None,
    pubsub_retention_seconds: float = 72 * 3600.0,
    pubsub_keepalive_seconds: float = 270.0,
) -> Starlette:
    org = Org(settings, today or japan_today())
    resources = RestResources(org, settings)
    pubsub = PubSubSandbox(
        EventBus(retention_seconds=pubsub_retention_seconds),
        _token_check(org),
        tenant_id=ORG_ID,
        keepalive_seconds=pubsub_keepalive_seconds,
    )
    control = SandboxControl(reset_state=_resetter(org, pubsub))

    def limit_headers() -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={org.api_usage}/{API_DAILY_LIMIT}"}

    def rest(
        handler: Callable[[Request], Awaitable[object]],
    ) -> Callable[[Request], Awaitable[Response]]:
        """Wrap a REST resource: call log, faults, bearer check, error array, limits."""

        async def endpoint(request: Request) -> Response:
            control.record(request, *_call_key_and_subject(request))
            faulted = await control.intercept(request, action=None, error_response=_error_response)
            if faulted is not None:
                return faulted
            approved_before = approved_order_ids(org.store.table("Order"))
            try:
                org.check_token(request)
                org.api_usage += 1
                result = await handler(request)
            except SalesforceFault as fault:
                response: Response = _errors(fault)
            else:
                response = result if isinstance(result, Response) else JSONResponse(result)
            await publish_new_approvals(pubsub, org.store.table("Order"), approved_before)
            response.headers.update(limit_headers())
            return response

        return endpoint

    async def token(request: Request) -> Response:
        control.record(request, "/services/oauth2/token")
        faulted = await control.intercept(request, action=None, error_response=_error_response)
        if faulted is not None:
            return faulted
        org.tokens.requests += 1
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        if form.get("grant_type") != JWT_GRANT:
            return JSONResponse(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
                400,
            )
        problem = org.verify_assertion(form.get("assertion", ""))
        if problem == "invalid_client_id":
            return JSONResponse(
                {"error": "invalid_client_id", "error_description": "client identifier invalid"},
                400,
            )
        if problem is not None:
            return JSONResponse({"error": "invalid_grant", "error_description": problem}, 400)
        instance = str(request.base_url).rstrip("/")
        return JSONResponse({
            "access_token": org.issue_token(), "scope": "api",
            "instance_url": instance, "id": f"{instance}/id/{ORG_ID}/{INTEGRATION_USER_ID}",
            "token_type": "Bearer", "issued_at": str(int(time.time() * 1000)),
        })  # fmt: skip

    async def versions(_: Request) -> Response:
        return JSONResponse([{"label": "Spring '26", "url": "/services/data/v66.0",
                              "version": "66.0"}])  # fmt: skip

    async def approve(request: Request) -> Response:
        order = org.store.table("Order").get(request.path_params["id"])
        if order is None:
            return JSONResponse({"error": "order not found"}, 404)
        if order["Status"] != "Draft":
            return JSONResponse({"error": f"order is {order['Status']}, not Draft"}, 409)
        await _approve(org, pubsub, str(order["Id"]))
        return JSONResponse({"id": order["Id"], "status": "Approved"})

    async def expire_tokens(_: Request) -> Response:
        org.tokens.issued.clear()
        return Response(status_code=204)

    base = "/services/data/{version:str}"
    record = f"{base}/sobjects/{{sobject:str}}/{{id:str}}"
    routes = [
        Route("/services/oauth2/token", token, methods=["POST"]),
        Route("/services/data", versions, methods=["GET"]),
        Route(f"{base}/query", rest(resources.query), methods=["GET"]),
        Route(f"{base}/query/{{locator:str}}", rest(resources.query_more), methods=["GET"]),
        Route(f"{base}/sobjects/{{sobject:str}}", rest(resources.sobject_create), methods=["POST"]),
        Route(record, rest(resources.sobject_get), methods=["GET"]),
        Route(record, rest(resources.sobject_update), methods=["PATCH"]),
        Route(f"{base}/composite/sobjects", rest(resources.collection_create), methods=["POST"]),
        Route(f"{base}/composite/sobjects", rest(resources.collection_update), methods=["PATCH"]),
        Route(f"{base}/composite", rest(resources.composite), methods=["POST"]),
    ]
    extra = [
        Route("/_sandbox/orders/{id:str}/approve", approve, methods=["POST"]),
        Route("/_sandbox/tokens/expire", expire_tokens, methods=["POST"]),
        *pubsub_control_routes(pubsub),
    ]
    app = Starlette(routes=[*routes, *control.routes(extra)])
    app.state.control = control
    app.state.org = org
    app.state.pubsub = pubsub
    return app


async def _approve(org: Org, pubsub: PubSubSandbox, order_id: str) -> None:
    """What an admin does in the org; the record-triggered flow then publishes the event."""
    approved_before = approved_order_ids(org.store.table("Order"))
    org.store.update("Order", order_id, {"Status": "Approved"})
    await publish_new_approvals(pubsub, org.store.table("Order"), approved_before)


def _resetter(org: Org, pubsub: PubSubSandbox) -> Callable[[], None]:
    def reset_state() -> None:
        org.reset()
        pubsub.bus.reset()  # replay ids keep rising: ids stored before a reset are expired
        pubsub.faults.reset()

    return reset_state


def _token_check(org: Org) -> Callable[[str, str, str], bool]:
    """Pub/Sub accepts the access tokens the org's OAuth endpoint issued (and not expired)."""

    def check(token: str, _instance_url: str, _tenant_id: str) -> bool:
        expiry = org.tokens.issued.get(token)
        return expiry is not None and expiry >= time.monotonic()

    return check


_SUBQUERY = re.compile(r"\([^()]*\)")
_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)


def _queried_object(soql: str) -> str | None:
    """The sObject of a query's outer FROM (child subqueries removed first)."""
    while (stripped := _SUBQUERY.sub("", soql)) != soql:
        soql = stripped
    match = _FROM.search(soql)
    return match.group(1) if match else None


def _call_key_and_subject(request: Request) -> tuple[str, str | None]:
    key = _call_key(request.url.path)
    return key, _queried_object(request.query_params.get("q", "")) if key == "query" else None


def _call_key(path: str) -> str:
    """Group the call log by resource: ``/services/data/v66.0/sobjects/Case/500…`` ->
    ``sobjects/Case``; queries -> ``query``."""
    match = re.match(r"^/services/data/v[\d.]+/(query|sobjects/\w+|composite/sobjects|composite)",
                     path)  # fmt: skip
    return match.group(1) if match else path
