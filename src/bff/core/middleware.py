"""Pure ASGI middlewares (no per-request task or body buffering, unlike BaseHTTPMiddleware).

`RequestContextMiddleware` is outermost: every response, including CORS preflights and
errors raised by other middlewares, gets a request id, the security headers, a metrics
sample and one access-log line. It also renders the 500 for anything unhandled and the
504 for a request that has not started answering by its deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from email.message import Message

import structlog
from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from bff.core import access_log, deadlines, metrics
from bff.core.errors import PayloadTooLarge, UnsupportedMediaType, app_error_response
from bff.core.problems import render_problem
from bff.core.request_context import accept_or_generate, set_request_id

error_log = structlog.get_logger("bff.errors")

UNMATCHED_ROUTE = "<unmatched>"
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def route_template(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    # FastAPI names only its API routes in the scope; the plain routes it matched otherwise
    # (/docs, /openapi.json, /metrics) have fixed paths, so the path is the template.
    return str(scope["path"]) if "endpoint" in scope else UNMATCHED_ROUTE


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, deadline_s: float) -> None:
        self.app = app
        self.deadline_s = deadline_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        client_request_id, no_store = _read_request_headers(scope)
        request_id = accept_or_generate(client_request_id)
        set_request_id(request_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        extra_headers = [(b"x-request-id", request_id.encode("latin-1"))]
        if no_store:
            extra_headers.append((b"cache-control", b"no-store"))

        async def send_with_context(message: AsgiMessage) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                deadline.disarm()  # streaming bodies may outlive the deadline
                headers = message.get("headers", ())
                message["headers"] = _with_context_headers(headers, extra_headers)
            await send(message)

        deadline = deadlines.arm(self.deadline_s)
        timed_out = False
        try:
            try:
                await self.app(scope, receive, send_with_context)
            finally:
                timed_out = deadline.finish()
        except asyncio.CancelledError:
            if not timed_out:
                raise  # not ours: shutdown or a client gone; nothing to answer
            status = 504
            error_log.warning("request.deadline_exceeded", deadline_s=self.deadline_s)
            if not response_started:
                await _fault_response(status, request_id)(scope, receive, send_with_context)
        except Exception:
            status = 500
            error_log.exception("request.unhandled_error", route=route_template(scope))
            if not response_started:
                await _fault_response(status, request_id)(scope, receive, send_with_context)
        finally:
            duration = time.perf_counter() - started
            route = route_template(scope)
            metrics.observe_request(scope["method"], route, status, duration)
            access_log.write(
                method=scope["method"],
                route=route,
                status=status,
                duration_s=duration,
            )


def _read_request_headers(scope: Scope) -> tuple[str | None, bool]:
    """The client's request id and whether the request is authenticated (`no-store`), in
    one pass over the raw headers instead of a `Headers` view and three lookups."""
    client_request_id = None
    authenticated = False
    for name, value in scope["headers"]:
        if name == b"x-request-id" and client_request_id is None:
            client_request_id = value.decode("latin-1")
        elif is_credential(name, value):
            authenticated = True
    return client_request_id, authenticated


def is_credential(name: bytes, value: bytes) -> bool:
    """Whether this raw request header carries the caller's credentials (answers to such
    requests must not be stored by shared caches)."""
    return name == b"authorization" or (name == b"cookie" and b"bff_refresh=" in value)


def _with_context_headers(
    headers: Iterable[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """The response's headers plus the request id, `no-store` when authenticated (both
    replacing the app's own) and the security headers the app did not set itself."""
    replaced = {name for name, _ in extra}
    kept = [(name, value) for name, value in headers if name.lower() not in replaced]
    present = {name.lower() for name, _ in kept}
    kept += extra
    kept += [item for item in SECURITY_HEADERS if item[0] not in present]
    return kept


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
