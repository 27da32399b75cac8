"""Prometheus metrics of the provider clients.

The metric objects are created once per registry: the BFF passes
``IntegrationMetrics.create(registry)`` to every client, and code that passes nothing
shares one set registered on the default registry (created on first use, never at
import time).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["IntegrationMetrics", "default_metrics"]


@dataclass(frozen=True, slots=True)
class IntegrationMetrics:
    """Every metric the integration layer exports, labelled by ``system``."""

    requests: Counter
    request_seconds: Histogram
    breaker_transitions: Counter
    breaker_state: Gauge
    salesforce_api_usage: Gauge
    salesforce_api_limit: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> IntegrationMetrics:
        reg = registry if registry is not None else REGISTRY
        return cls(
            requests=Counter(
                "bff_upstream_requests_total",
                "Calls to provider systems by outcome.",
                ["system", "operation", "outcome"],
                registry=reg,
            ),
            request_seconds=Histogram(
                "bff_upstream_request_seconds",
                "Latency of provider calls, retries included.",
                ["system", "operation"],
                registry=reg,
                buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            ),
            breaker_transitions=Counter(
                "bff_upstream_breaker_transitions_total",
                "Circuit breaker state changes.",
                ["system", "to_state"],
                registry=reg,
            ),
            breaker_state=Gauge(
                "bff_upstream_breaker_state",
                "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
                ["system"],
                registry=reg,
            ),
            salesforce_api_usage=Gauge(
                "bff_salesforce_api_usage",
                "API requests used in the org's rolling 24 h window (Sforce-Limit-Info).",
                registry=reg,
            ),
            salesforce_api_limit=Gauge(
                "bff_salesforce_api_limit",
                "The org's daily API request limit (Sforce-Limit-Info).",
                registry=reg,
            ),
        )


@functools.cache
def default_metrics() -> IntegrationMetrics:
    """The shared metric set on the default registry, created on first use."""
    return IntegrationMetrics.create()
