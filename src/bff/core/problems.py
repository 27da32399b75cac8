"""RFC 9457 problem details: the one shape of every error response, and its OpenAPI docs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from starlette.responses import Response

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_type(code: str) -> str:
    return f"urn:portal-bff:problem:{code}"


class FieldError(BaseModel):
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


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting the problem+json errors an operation can return."""
    return {
        status: {
            "description": _STATUS_DESCRIPTIONS.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


_STATUS_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, missing required header).",
    401: "Missing, malformed, expired or revoked credentials.",
    403: "Authenticated but not allowed.",
    404: "No such resource for this caller.",
    409: "Conflicts with the resource's current state.",
    413: "Request body over the configured limit.",
    415: "Request body is not JSON.",
    422: "Input failed validation; see `errors`.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    500: "Unexpected server fault; quote `requestId` to support.",
    502: "An upstream system answered with an error.",
    503: "An upstream system or dependency is unavailable; see `Retry-After`.",
    504: "An upstream system did not answer in time.",
}
