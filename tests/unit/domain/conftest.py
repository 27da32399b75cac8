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
