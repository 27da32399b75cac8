"""Retry backoff and the transient/permanent split of provider errors."""

from __future__ import annotations

import pytest

from bff.provisioning.job import retry_delay
from bff.provisioning.workflow import PermanentFailure, TransientFailure, classify
from bff.settings import ProvisioningSettings
from domain.common.errors import ProviderPayloadError
from integrations.errors import (
    CircuitOpen,
    UpstreamBadResponse,
    UpstreamNotFound,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from integrations.whmcs import WhmcsError


def test_backoff_doubles_up_to_the_cap_and_honours_retry_after() -> None:
    settings = ProvisioningSettings(retry_base_s=5, retry_max_s=300)
    assert [retry_delay(settings, n) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]
    assert retry_delay(settings, 1, at_least=30) == 30
    assert retry_delay(settings, 1, at_least=10_000) == 300


@pytest.mark.parametrize(
    "error",
    [
        UpstreamUnavailable("whmcs", "HTTP 503", retry_after=7),
        CircuitOpen("whmcs", "open"),
        UpstreamTimeout("whmcs", "deadline"),
        UpstreamBadResponse("salesforce", "HTTP 500", status=500),
    ],
)
def test_provider_trouble_is_transient(error: Exception) -> None:
    assert isinstance(classify(error), TransientFailure)


def test_retry_after_is_kept() -> None:
    failure = classify(UpstreamUnavailable("whmcs", "HTTP 503", retry_after=7))
    assert isinstance(failure, TransientFailure) and failure.retry_after == 7


@pytest.mark.parametrize(
    "error",
    [
        WhmcsError("AddOrder", "Invalid Product ID 999"),
        UpstreamRejected("salesforce", "refused", status=400, code="FIELD_INTEGRITY_EXCEPTION"),
        UpstreamNotFound("salesforce", "gone", status=404),
        ProviderPayloadError("whmcs", "AddOrder", "orderid", "missing"),
    ],
)
def test_refusals_are_permanent_with_a_safe_reason(error: Exception) -> None:
    failure = classify(error)
    assert isinstance(failure, PermanentFailure)
    assert "999" not in failure.reason and "FIELD" not in failure.reason
