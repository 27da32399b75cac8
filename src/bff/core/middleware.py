"""Pure ASGI middlewares (no per-request task or body buffering, unlike BaseHTTPMiddleware).

`RequestContextMiddleware` is outermost: every response, including CORS preflights and
errors raised by other middlewares, gets a request id, the security headers, a metrics
sample and one access-log line. It also renders the 500 for anything unhandled and the
504 for a request that has not started answering by its deadline.
"""

from __future__ import annotations

import asyncio
import time
from email.message import Message

import structlog
from fastapi import HTTPException
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from bff.core import metrics
from bff.core.errors import PayloadTooLarge, UnsupportedMediaType, app_error_response
from bff.core.problems import render_problem
from bff.core.request_context import REQUEST_ID_HEADER, accept_or_generate, set_request_id

access_log = structlog.get_logger("bff.access")
error_log = structlog.get_logger("bff.errors")

UNMATCHED_ROUTE = "<unmatched>"
_SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)


def route_template(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    # FastAPI names only its API routes in the scope; the plain routes it matched otherwise
    # (/docs, /openapi.json, /metrics) have fixed paths, so the path is the template.
    return str(scope["path"]) if "endpoint" in scope else UNMATCHED_ROUTE


def _is_authenticated(headers: Headers) -> bool:
    return "authorization" in headers or "bff_refresh=" in headers.get("cookie", "")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, deadline_s: float) -> None:
        self.app = app
        self.deadline_s = deadline_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_headers = Headers(scope=scope)
        request_id = accept_or_generate(request_headers.get(REQUEST_ID_HEADER))
        set_request_id(request_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        no_store = _is_authenticated(request_headers)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_context(message: AsgiMessage) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                if handling:  # streaming bodies may outlive the deadline
                    deadline.reschedule(None)
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                for name, value in _SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if no_store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        deadline = asyncio.timeout(self.deadline_s)
        handling = True
        try:
            async with deadline:
                await self.app(scope, receive, send_with_context)
        except Exception as exc:
            handling = False
            timed_out = isinstance(exc, TimeoutError) and deadline.expired()
            status = 504 if timed_out else 500
            if timed_out:
                error_log.warning("request.deadline_exceeded", deadline_s=self.deadline_s)
            else:
                error_log.exception("request.unhandled_error", route=route_template(scope))
            if not response_started:
                await _fault_response(status, request_id)(scope, receive, send_with_context)
        finally:
            duration = time.perf_counter() - started
            route = route_template(scope)
            metrics.observe_request(scope["method"], route, status, duration)
            access_log.info(
                "request",
                method=scope["method"],
                route=route,
                status=status,
                duration_ms=round(duration * 1000, 2),
            )


def _fault_response(status: int, request_id: str) -> Response:
    if status == 504:
        code, title, detail = (
            "request.timeout",
            "Gateway Timeout",
            "The request took longer than allowed.",
        )
    else:
        code, title, detail = (
            "internal.error",
            "Internal Server Error",
            "An unexpected error occurred; quote the requestId to support.",
        )
    return render_problem(
        status=status, code=code, title=title, detail=detail, request_id=request_id
    )


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_json_media_type(content_type: str) -> bool:
    """`application/json` or any `application/*+json`, parameters ignored."""
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class BodyGuardMiddleware:
    """Refuses bodies that are too large (413) or not JSON (415) before a handler reads them.

    A declared Content-Length over the limit is refused up front; a chunked body is counted
    as it streams in, so a lying or absent length cannot get past the limit either.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        has_body = "transfer-encoding" in headers or (declared not in (None, "0"))
        if not has_body:
            await self.app(scope, receive, send)
            return
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await self._refuse(413, scope, receive, send)
            return
        if not is_json_media_type(headers.get("content-type", "")):
            await self._refuse(415, scope, receive, send)
            return

        received = 0

        async def counting_receive() -> AsgiMessage:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise HTTPException(status_code=413)
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, status: int, scope: Scope, receive: Receive, send: Send) -> None:
        error = PayloadTooLarge() if status == 413 else UnsupportedMediaType()
        await app_error_response(error)(scope, receive, send)
