"""The committed spec is exactly what the code generates, and it is fit for client generators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from jsonschema_rs import Draft202012Validator

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


# --- The spec lint: what integrators can rely on in every operation and schema. ---

PROBLEM = "application/problem+json"
# Problems every operation of a kind can answer (see `bff.core.openapi`).
SHARED_STATUSES = {"500", "504"}
BODY_STATUSES = {"400", "413", "415", "422"}
SECURED_STATUSES = {"401"}
# Create operations and the operations their answer links to.
REQUIRED_LINKS = {
    ("orders_create_order", "201"): {"orders_get_order", "orders_follow_order"},
    ("support_create_case", "201"): {"support_get_case", "support_add_comment"},
}


def lint_spec(spec: dict[str, Any]) -> list[str]:
    """Every rule the spec breaks, one line each."""
    problems: list[str] = []
    for path, method, operation in operations(spec):
        problems += _lint_operation(f"{method.upper()} {path}", operation)
    problems += _lint_links(spec)
    problems += [
        f"schema {name}: no description"
        for name, schema in spec["components"]["schemas"].items()
        if not schema.get("description")
    ]
    return problems


def _lint_operation(name: str, operation: dict[str, Any]) -> list[str]:
    problems = []
    if not operation.get("summary") or not operation.get("description"):
        problems.append(f"{name}: needs a summary and a description")
    responses = operation["responses"]
    expected = set(SHARED_STATUSES)
    if "requestBody" in operation:
        expected |= BODY_STATUSES
    if operation.get("parameters"):
        expected.add("422")
    if operation.get("security"):
        expected |= SECURED_STATUSES
    missing = expected - set(responses)
    if missing:
        problems.append(f"{name}: does not document {sorted(missing)}")
    if not any(status.startswith("2") for status in responses):
        problems.append(f"{name}: documents no success response")
    for status, response in responses.items():
        for media_type, media in response.get("content", {}).items():
            if status.startswith("2") and not media.get("examples"):
                problems.append(f"{name} {status} {media_type}: no example")
    for status, response in responses.items():
        problems += _lint_response(f"{name} {status}", status, response)
    return problems


def _lint_response(name: str, status: str, response: dict[str, Any]) -> list[str]:
    if not response.get("description"):
        return [f"{name}: no description"]
    if not status.startswith(("4", "5")):
        return []
    media = response.get("content", {}).get(PROBLEM)
    if media is None:
        # Readiness answers its own body (which check failed), not a problem.
        return [] if name == "GET /health/ready 503" else [f"{name}: not {PROBLEM}"]
    examples = media.get("examples", {})
    if not examples:
        return [f"{name}: problem without an example"]
    return [
        f"{name}: example {code} does not match its status"
        for code, example in examples.items()
        if example.get("value", {}).get("status") != int(status)
        or example.get("value", {}).get("code") != code
    ]


def _lint_links(spec: dict[str, Any]) -> list[str]:
    problems = []
    by_id = {op["operationId"]: op for _, _, op in operations(spec)}
    for (source, status), targets in REQUIRED_LINKS.items():
        links = by_id[source]["responses"][status].get("links", {})
        linked = {link["operationId"] for link in links.values()}
        if not targets <= linked:
            problems.append(f"{source} {status}: no link to {sorted(targets - linked)}")
    for operation in by_id.values():
        for response in operation["responses"].values():
            for name, link in response.get("links", {}).items():
                if link["operationId"] not in by_id:
                    problems.append(f"link {name}: unknown operation {link['operationId']}")
    return problems


def test_spec_lint(spec: dict[str, Any]) -> None:
    problems = lint_spec(spec)
    assert not problems, "the OpenAPI spec breaks these rules:\n" + "\n".join(problems)


def test_spec_lint_catches_gaps(spec: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(spec))
    order = broken["paths"]["/api/orders"]["post"]
    del order["responses"]["415"]
    order["responses"]["409"]["content"][PROBLEM]["examples"] = {}
    del order["responses"]["201"]["links"]
    broken["components"]["schemas"]["Order"].pop("description", None)
    problems = "\n".join(lint_spec(broken))
    assert "POST /api/orders: does not document ['415']" in problems
    assert "POST /api/orders 409: problem without an example" in problems
    assert "orders_create_order 201: no link to" in problems
    assert "schema Order: no description" in problems


def test_success_examples_match_their_schemas(spec: dict[str, Any]) -> None:
    """The recorded examples (`bff/core/openapi_examples.json`) still fit the code."""
    mismatches = []
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json")
            if not status.startswith("2") or media is None:
                continue
            root = {**media["schema"], "components": spec["components"]}
            validator = Draft202012Validator(root, validate_formats=True)
            for example in media["examples"].values():
                mismatches += [
                    f"{method.upper()} {path} {status}: {error.message}"
                    for error in validator.iter_errors(example["value"])
                ]
    assert not mismatches, "\n".join(mismatches)
