"""The committed spec is exactly what the code generates, and it is fit for client generators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from bff.app import create_app
from bff.core.openapi import render_openapi
from bff.settings import Settings

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def default_app() -> FastAPI:
    return create_app(Settings(_env_file=None))  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def spec(default_app: FastAPI) -> dict[str, Any]:
    return json.loads(render_openapi(default_app))


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_committed_spec_matches_the_code(default_app: FastAPI) -> None:
    committed = SPEC_PATH.read_text(encoding="utf-8")
    assert committed == render_openapi(default_app), (
        "openapi/openapi.json drifted: run `bff openapi`"
    )


def test_rendering_is_deterministic(default_app: FastAPI) -> None:
    assert render_openapi(default_app) == render_openapi(create_app(Settings(_env_file=None)))  # type: ignore[call-arg]


def test_spec_metadata(spec: dict[str, Any]) -> None:
    assert spec["info"]["title"]
    assert spec["info"]["version"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"Problem", "FieldError"} <= set(spec["components"]["schemas"])
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_every_operation_has_id_tag_and_documented_errors(spec: dict[str, Any]) -> None:
    ids = []
    for path, method, operation in operations(spec):
        assert operation.get("operationId"), f"{method} {path} has no operationId"
        assert operation.get("tags"), f"{method} {path} has no tag"
        ids.append(operation["operationId"])
        for status, response in operation["responses"].items():
            if (status.startswith(("4", "5")) and status != "503") or status == "500":
                assert "application/problem+json" in response["content"], (method, path, status)
    assert len(ids) == len(set(ids))
    tags = {tag["name"] for tag in spec["tags"]}
    assert {t for _, _, op in operations(spec) for t in op["tags"]} <= tags
