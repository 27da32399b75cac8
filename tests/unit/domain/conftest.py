"""Helpers for the domain tests: provider fixture payloads from tests/fixtures/<provider>/."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def read_fixture(provider: str, name: str) -> Any:
    return json.loads((FIXTURES / provider / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def payload() -> Callable[[str, str], Any]:
    """``payload("whmcs", "get_invoices")`` -> the decoded JSON fixture."""
    return read_fixture


def contains_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(contains_float(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_float(v) for v in value)
    return False


@pytest.fixture(scope="session")
def assert_no_floats() -> Callable[[Any], None]:
    """Fails when a mapped model (dumped in python and JSON mode) holds a float anywhere."""

    def check(model: Any) -> None:
        assert not contains_float(model.model_dump())
        assert not contains_float(model.model_dump(mode="json"))

    return check
