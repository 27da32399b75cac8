"""Application errors, and the one place that maps every error to a problem+json response.

AppError                      expected conditions, raised by services; status + stable code
 ├── BadRequest           400
 ├── Unauthorized         401 (adds WWW-Authenticate: Bearer)
 ├── Forbidden            403
 ├── NotFound             404
 ├── Conflict             409
 ├── PayloadTooLarge      413
 ├── UnsupportedMediaType 415
 ├── Unprocessable        422
 ├── RateLimited          429 (adds Retry-After)
 └── ServiceUnavailable   503 (adds Retry-After)

Features subclass these (in their own ``errors.py``) to fix a ``code``. Errors from the
layers below are mapped here too, so no feature translates them by hand:

    domain NotFoundError          -> 404 resource.not_found
    domain ConflictError          -> 409 (its code)
    domain ValidationFailedError  -> 422 (its code, with per-field errors)
    other DomainError             -> 422 (its code)
    ProviderPayloadError          -> 502 upstream.error (a provider sent what we cannot read)
    UpstreamUnavailable           -> 503 upstream.unavailable + Retry-After
    UpstreamTimeout               -> 504 upstream.timeout
    other UpstreamError           -> 502 upstream.error

Anything else that escapes a handler is a 500 with a generic detail, rendered by the
request-context middleware so the traceback only reaches the (redacted) log.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import compile_path

from bff.core.problems import FieldError, render_problem
from bff.core.request_context import current_request_id
from domain.common.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    ProviderPayloadError,
    ValidationFailedError,
)
from integrations.errors import UpstreamError, UpstreamTimeout, UpstreamUnavailable

log = structlog.get_logger("bff.errors")


class AppError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "request.invalid"
    title: ClassVar[str] = "Bad Request"
    default_detail: ClassVar[str] = "The request could not be processed."

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        if code is not None:
            self.code = code  # type: ignore[misc]  # per-instance override of the class default
        self.headers = dict(headers or {})
        super().__init__(self.detail)


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status = 401
    code = "auth.unauthorized"
    title = "Unauthorized"
    default_detail = "Valid credentials are required."

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        super().__init__(detail, code=code, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status = 403
    code = "auth.forbidden"
    title = "Forbidden"
    default_detail = "You are not allowed to do this."


class NotFound(AppError):
    status = 404
    code = "resource.not_found"
    title = "Not Found"
    default_detail = "No such resource."


class Conflict(AppError):
    status = 409
    code = "resource.conflict"
    title = "Conflict"
    default_detail = "The request conflicts with the resource's current state."


class PayloadTooLarge(AppError):
    status = 413
    code = "request.too_large"
    title = "Payload Too Large"
    default_detail = "The request body is larger than allowed."


class UnsupportedMediaType(AppError):
    status = 415
    code = "request.unsupported_media_type"
    title = "Unsupported Media Type"
    default_detail = "Send the request body as application/json."


class Unprocessable(AppError):
    status = 422
    code = "request.validation_failed"
    title = "Unprocessable Content"
    default_detail = "The input is not valid."

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: Sequence[FieldError] = (),
    ) -> None:
        super().__init__(detail, code=code)
        self.errors = list(errors)


class RateLimited(AppError):
    status = 429
    code = "request.throttled"
    title = "Too Many Requests"
    default_detail = "Too many requests; slow down."

    def __init__(
        self, retry_after_s: int, detail: str | None = None, *, code: str | None = None
    ) -> None:
        super().__init__(detail, code=code, headers={"Retry-After": str(max(1, retry_after_s))})


class ServiceUnavailable(AppError):
    status = 503
    code = "service.unavailable"
    title = "Service Unavailable"
    default_detail = "The service is temporarily unavailable."

    def __init__(
        self, retry_after_s: int = 5, detail: str | None = None, *, code: str | None = None
    ) -> None:
        super().__init__(detail, code=code, headers={"Retry-After": str(max(1, retry_after_s))})


_HTTP_CODES: dict[int, tuple[str, str, str]] = {
    400: ("request.invalid", "Bad Request", "The request could not be understood."),
    404: ("route.not_found", "Not Found", "No such route."),
    405: ("route.method_not_allowed", "Method Not Allowed", "This method is not allowed here."),
    413: ("request.too_large", "Payload Too Large", "The request body is larger than allowed."),
}


class UpstreamFailure(AppError):
    status = 502
    code = "upstream.error"
    title = "Bad Gateway"
    default_detail = "An upstream system answered with an error; try again later."


class UpstreamDown(ServiceUnavailable):
    code = "upstream.unavailable"
    default_detail = "An upstream system is unavailable; try again later."


class UpstreamTooSlow(AppError):
    status = 504
    code = "upstream.timeout"
    title = "Gateway Timeout"
    default_detail = "An upstream system did not answer in time."


def translate(error: Exception) -> AppError:
    """The AppError a lower layer's error stands for (see the module docstring)."""
    if isinstance(error, AppError):
        return error
    if isinstance(error, UpstreamUnavailable):
        return UpstreamDown(retry_after_s=math.ceil(error.retry_after))
    if isinstance(error, UpstreamTimeout):
        return UpstreamTooSlow()
    if isinstance(error, UpstreamError | ProviderPayloadError):
        return UpstreamFailure()
    if isinstance(error, NotFoundError):
        return NotFound()
    if isinstance(error, ConflictError):
        return Conflict(code=error.code)
    if isinstance(error, ValidationFailedError):
        return Unprocessable(
            code=error.code,
            errors=[FieldError(field=item.field, message=item.message) for item in error.errors],
        )
    if isinstance(error, DomainError):
        return Unprocessable(code=error.code)
    raise TypeError(f"no problem mapping for {type(error).__name__}")


def app_error_response(error: AppError) -> Response:
    return render_problem(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        request_id=current_request_id(),
        errors=error.errors if isinstance(error, Unprocessable) else None,
        headers=error.headers,
    )


async def _handle_app_error(_: Request, error: Exception) -> Response:
    if isinstance(error, UpstreamError | ProviderPayloadError):
        # The provider's own words stay in the log (redacted), never in the response.
        log.warning("request.upstream_failed", error_type=type(error).__name__, error=str(error))
    return app_error_response(translate(error))


async def _handle_http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    code, title, detail = _HTTP_CODES.get(
        error.status_code, ("request.error", "Error", "The request failed.")
    )
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    return render_problem(
        status=error.status_code,
        code=code,
        title=title,
        detail=detail,
        request_id=current_request_id(),
        headers=headers,
    )


def allowed_methods(request: Request) -> str:
    """Every method the path answers to. Starlette names only the first matching route's
    methods, and GET and POST of one path are separate routes here."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        route_methods = getattr(context.original_route, "methods", None)
        if route_methods and context.path and compile_path(context.path)[0].match(request.url.path):
            methods.update(route_methods)
    return ", ".join(sorted(methods))


async def _handle_validation_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    raw_errors: Sequence[Any] = error.errors()
    if any(item.get("type") == "json_invalid" for item in raw_errors):
        return render_problem(
            status=400,
            code="request.malformed_json",
            title="Bad Request",
            detail="The request body is not valid JSON.",
            request_id=current_request_id(),
        )
    return render_problem(
        status=422,
        code="request.validation_failed",
        title="Unprocessable Content",
        detail="The input is not valid; see `errors`.",
        request_id=current_request_id(),
        errors=[
            FieldError(field=field_path(item.get("loc", ())), message=_message(item))
            for item in raw_errors
        ],
    )


def _message(item: Mapping[str, Any]) -> str:
    # Pydantic messages can quote the input ("Input should be ..., got 'secret'") only via
    # `input`, which we never echo; `msg` itself names expectations, not values.
    return str(item.get("msg", "Invalid value."))


_LOCATION_ROOTS = frozenset({"body", "query", "path", "header", "cookie"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def field_path(loc: Sequence[str | int]) -> str:
    """`("body", "items", 0, "quantity")` -> `items[0].quantity`."""
    parts = list(loc)
    if parts and parts[0] in _LOCATION_ROOTS:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.match(part):
            path += f".{part}" if path else part
        else:
            path += f"[{part!r}]"
    return path or "body"


def install_error_handlers(app: FastAPI) -> None:
    for error_type in (AppError, DomainError, UpstreamError):
        app.add_exception_handler(error_type, _handle_app_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
