"""The OpenAPI document: stable operation ids, problem+json errors, deterministic output."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from bff.core.problems import FieldError, Problem, problem_responses

BEARER_SCHEME = "bearerAuth"


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
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = problem_responses(422)[422]
            responses.setdefault("500", problem_responses(500)[500])
    return spec


def install_openapi(app: FastAPI) -> None:
    def cached_openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = cached_openapi  # type: ignore[method-assign]


def render_openapi(app: FastAPI) -> str:
    """The committed `openapi/openapi.json`: sorted keys, fixed indent, trailing newline."""
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
