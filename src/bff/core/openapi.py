"""The OpenAPI document: stable operation ids, problem+json errors, deterministic output.

Routes document what is theirs (`responses=problem_responses(NotASim, 404, 502)`); the
builder adds what every operation shares, from what the route is made of:

- a request body: 400 (not JSON, not UTF-8), 413 (too large), 415 (not JSON), 422;
- parameters: 422; an `Idempotency-Key` header: 400, 409 and 422 with their codes;
- dependencies marked with `documents_problems` (401 for a bearer token, 403 for a login
  not linked to a customer);
- everywhere: 500 (unexpected) and 504 (the request deadline).

Every problem response gets at least one example body; success bodies get theirs from
`openapi_examples.json` (recorded from the sandboxes' demo customer Hanako, tokens
shortened; `tests/test_openapi.py` validates each against its schema). `LINKS` (in
`bff.core.openapi_links`) connects operations that create or list resources to the ones
that read them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from bff.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
    UpstreamDown,
    UpstreamFailure,
    UpstreamTooSlow,
)
from bff.core.openapi_links import LINKS
from bff.core.problems import (
    PROBLEM_MEDIA_TYPE,
    FieldError,
    Problem,
    ProblemDoc,
    ProblemKind,
    problem_example,
    problem_responses,
)

BEARER_SCHEME = "bearerAuth"
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_PATTERN = r"^[\x20-\x7e]{1,255}$"
HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete"})

MALFORMED_JSON = ProblemDoc(
    400, "request.malformed_json", "Bad Request", "The request body is not valid JSON."
)
INTERNAL_ERROR = ProblemDoc(
    500,
    "internal.error",
    "Internal Server Error",
    "An unexpected error occurred; quote the requestId to support.",
)
REQUEST_TIMEOUT = ProblemDoc(
    504, "request.timeout", "Gateway Timeout", "The request took longer than allowed."
)
VALIDATION_FAILED = ProblemDoc(
    422,
    "request.validation_failed",
    "Unprocessable Content",
    "The input is not valid; see `errors`.",
)
# Idempotency problems (`bff.idempotency.errors`), by code: core cannot import features.
IDEMPOTENCY_PROBLEMS = (
    ProblemDoc(
        400,
        "idempotency.key_invalid",
        BadRequest.title,
        "The Idempotency-Key must be 1-255 printable ASCII characters.",
    ),
    ProblemDoc(
        409,
        "idempotency.in_progress",
        Conflict.title,
        "A request with this Idempotency-Key is still being processed; retry later.",
    ),
    ProblemDoc(
        422,
        "idempotency.key_reused",
        Unprocessable.title,
        "This Idempotency-Key was already used with a different request.",
    ),
)
# The example a status gets when its route names no error class for it.
DEFAULT_PROBLEMS: dict[int, ProblemKind] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: VALIDATION_FAILED,
    429: RateLimited,
    500: INTERNAL_ERROR,
    502: UpstreamFailure,
    503: UpstreamDown,
    504: UpstreamTooSlow,
}

_DOCUMENTED_PROBLEMS = "__documented_problems__"
Dependency = TypeVar("Dependency", bound=Callable[..., Any])


def documents_problems(*kinds: ProblemKind) -> Callable[[Dependency], Dependency]:
    """Mark a dependency with the problems it raises: every route using it documents them."""

    def mark(dependency: Dependency) -> Dependency:
        setattr(dependency, _DOCUMENTED_PROBLEMS, kinds)
        return dependency

    return mark


def operation_id(route: APIRoute) -> str:
    """`<tag>_<function name>`, e.g. `health_ready`: stable across refactors of paths."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}_{route.name}"


def build_openapi(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = Problem.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/{model}"
    )
    schemas["Problem"].pop("$defs", None)
    schemas["FieldError"] = FieldError.model_json_schema()
    components.setdefault("securitySchemes", {})[BEARER_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Access token from `/api/auth/login`, valid 15 minutes.",
    }
    dependency_problems = {
        operation_id(route): list(_dependency_problems(route.dependant))
        for route in (context.original_route for context in iter_route_contexts(app.routes))
        if isinstance(route, APIRoute)
    }
    for _, _, operation in operations(spec):
        _complete_responses(operation, dependency_problems.get(operation["operationId"], []))
        _require_idempotency_key(operation)
        _add_success_example(operation)
    _add_links(spec)
    return spec


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def _dependency_problems(dependant: Dependant) -> Iterator[ProblemKind]:
    for sub in dependant.dependencies:
        yield from getattr(sub.call, _DOCUMENTED_PROBLEMS, ())
        yield from _dependency_problems(sub)


def _shared_problems(operation: dict[str, Any]) -> list[int | ProblemKind]:
    shared: list[int | ProblemKind] = [INTERNAL_ERROR, REQUEST_TIMEOUT]
    if "requestBody" in operation:
        shared += [MALFORMED_JSON, PayloadTooLarge, UnsupportedMediaType, VALIDATION_FAILED]
    parameters = operation.get("parameters", [])
    if parameters:
        shared.append(VALIDATION_FAILED)
    if any(p["in"] == "header" and p["name"] == IDEMPOTENCY_HEADER for p in parameters):
        shared += IDEMPOTENCY_PROBLEMS
    return shared


def _complete_responses(operation: dict[str, Any], dependency_problems: list[ProblemKind]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if PROBLEM_MEDIA_TYPE not in responses.get("422", {}).get("content", {PROBLEM_MEDIA_TYPE: 0}):
        del responses["422"]  # FastAPI's own: validation errors are problems here
    # A status the route names without an error class: the generic problem of that status.
    for status, response in responses.items():
        media = response.get("content", {}).get(PROBLEM_MEDIA_TYPE)
        if media is not None and not media.get("examples"):
            default = DEFAULT_PROBLEMS[int(status)]
            media["examples"] = {default.code: problem_example(default)}
    shared = problem_responses(*dependency_problems, *_shared_problems(operation))
    for shared_status, documented in shared.items():
        response = responses.setdefault(str(shared_status), documented)
        media = response.get("content", {}).get(PROBLEM_MEDIA_TYPE)
        if media is not None and response is not documented:
            examples = documented["content"][PROBLEM_MEDIA_TYPE]["examples"]
            media.setdefault("examples", {}).update(examples)


@cache
def success_examples() -> dict[str, Any]:
    examples: dict[str, Any] = json.loads(
        Path(__file__).with_name("openapi_examples.json").read_text(encoding="utf-8")
    )
    return examples


def _add_success_example(operation: dict[str, Any]) -> None:
    example = success_examples().get(operation["operationId"])
    if example is None:
        return
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            for media in response.get("content", {}).values():
                media["examples"] = {"demo": {"summary": "Demo customer", "value": example}}


def _require_idempotency_key(operation: dict[str, Any]) -> None:
    """The header is optional to FastAPI (its absence is a 400 with its own code, not a 422),
    but required on the wire where the route documents `idempotency.key_required`."""
    bad_request = operation["responses"].get("400", {}).get("content", {})
    codes = bad_request.get(PROBLEM_MEDIA_TYPE, {}).get("examples", {})
    if "idempotency.key_required" not in codes:
        return
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"] == IDEMPOTENCY_HEADER:
            parameter["required"] = True
            parameter["schema"] = {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN}


def _add_links(spec: dict[str, Any]) -> None:
    by_id = {operation["operationId"]: operation for _, _, operation in operations(spec)}
    for (source, status), links in LINKS.items():
        response = by_id[source]["responses"][status]
        response["links"] = {
            name: {
                "operationId": link.target,
                "parameters": dict(link.parameters),
                "description": link.description,
            }
            for name, link in links.items()
        }


def install_openapi(app: FastAPI) -> None:
    def cached_openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = cached_openapi  # type: ignore[method-assign]


def render_openapi(app: FastAPI) -> str:
    """The committed `openapi/openapi.json`: sorted keys, fixed indent, trailing newline."""
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
