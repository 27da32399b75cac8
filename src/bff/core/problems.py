"""RFC 9457 problem details: the one shape of every error response, and its OpenAPI docs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from starlette.responses import Response

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_type(code: str) -> str:
    return f"urn:portal-bff:problem:{code}"


class FieldError(BaseModel):
    """One invalid input field and what is wrong with it."""

    field: str = Field(description="Dotted path of the offending input, e.g. `items[0].quantity`.")
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details plus a stable `code` and the `requestId`."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    type: str = Field(description="URI naming the problem type; derived from `code`.")
    title: str = Field(description="Short, human-readable summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="Explanation of this occurrence, safe to show a user.")
    code: str = Field(
        description="Stable, dotted machine-readable code.", examples=["auth.unauthorized"]
    )
    request_id: str = Field(description="The request's `X-Request-ID`, for support.")
    errors: list[FieldError] | None = Field(
        default=None, description="Per-field messages; present on validation errors."
    )


def render_problem(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    request_id: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    problem = Problem(
        type=problem_type(code),
        title=title,
        status=status,
        detail=detail,
        code=code,
        request_id=request_id,
        errors=errors,
    )
    body = problem.model_dump_json(by_alias=True, exclude_none=True)
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


class ProblemKind(Protocol):
    """What documents one kind of problem: an `AppError` subclass fits (its class attributes)."""

    @property
    def status(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def default_detail(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ProblemDoc:
    """A kind of problem no `AppError` class stands for (rendered by a handler directly)."""

    status: int
    code: str
    title: str
    default_detail: str


EXAMPLE_REQUEST_ID = "4f2b9c1de8a14b7f9e0c3a5d6b7e8f90"


def problem_example(kind: ProblemKind) -> dict[str, Any]:
    """An OpenAPI example object: the problem body this kind of error renders."""
    value: dict[str, Any] = {
        "type": problem_type(kind.code),
        "title": kind.title,
        "status": kind.status,
        "detail": kind.default_detail,
        "code": kind.code,
        "requestId": EXAMPLE_REQUEST_ID,
    }
    if kind.status == 422:
        value["errors"] = [{"field": "items[0].quantity", "message": "Input should be <= 10"}]
    return {"summary": kind.default_detail, "value": value}


def problem_responses(*items: int | ProblemKind) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting the problem+json errors an operation can return.

    Give a status for a generic problem, or the error classes an operation raises: each
    becomes an example under its status (`problem_responses(NotASim, 404, 502)`). The app's
    OpenAPI builder adds the problems every operation shares and default examples.
    """
    responses: dict[int | str, dict[str, Any]] = {}
    for item in items:
        status = item if isinstance(item, int) else item.status
        response = responses.setdefault(
            status,
            {
                "description": _STATUS_DESCRIPTIONS.get(status, "Error"),
                "content": {
                    PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            },
        )
        if not isinstance(item, int):
            media = response["content"][PROBLEM_MEDIA_TYPE]
            media.setdefault("examples", {})[item.code] = problem_example(item)
    return responses


_STATUS_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, a missing or malformed required header).",
    401: "Missing, malformed, expired or revoked credentials.",
    403: "Authenticated but not allowed.",
    404: "No such resource for this caller.",
    409: "Conflicts with the resource's current state.",
    413: "Request body over the configured limit.",
    415: "Request body is not JSON.",
    422: "Input failed validation; see `errors`.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    405: "The path does not answer to this method; see `Allow`.",
    500: "Unexpected server fault; quote `requestId` to support.",
    502: "An upstream system answered with an error.",
    503: "An upstream system or dependency is unavailable; see `Retry-After`.",
    504: "An upstream system, or the request as a whole, did not answer in time.",
}
