"""The request metrics' own collector exposes what prometheus_client's types would."""

from __future__ import annotations

import uuid

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

from bff.core import metrics

DURATIONS = [0.0, 0.0005, 0.001, 0.0011, 0.0025, 0.3, 1, 9.99, 10, 10.01, 120]


def samples(registry: CollectorRegistry, route: str) -> dict[tuple[str, str], float]:
    return {
        (sample.name, sample.labels.get("le", "")): sample.value
        for family in registry.collect()
        if family.name.startswith("bff_http_request")
        for sample in family.samples
        if sample.labels.get("route") == route and not sample.name.endswith("_created")
    }


def test_the_same_samples_as_a_prometheus_counter_and_histogram() -> None:
    route = f"/test/{uuid.uuid4().hex}"  # a series of its own in the process-wide registry
    reference = CollectorRegistry()
    counter = Counter("bff_http_requests_total", "", ["method", "route", "status"],
                      registry=reference)  # fmt: skip
    histogram = Histogram(
        "bff_http_request_duration_seconds", "", ["method", "route", "status"],
        buckets=metrics.LATENCY_BUCKETS_S, registry=reference,
    )  # fmt: skip
    for duration in DURATIONS:
        metrics.observe_request("GET", route, 200, duration)
        counter.labels("GET", route, "200").inc()
        histogram.labels("GET", route, "200").observe(duration)
    ours, theirs = samples(REGISTRY, route), samples(reference, route)
    assert ours == theirs
    assert ours[("bff_http_requests_total", "")] == len(DURATIONS)
    assert ours[("bff_http_request_duration_seconds_bucket", "0.001")] == 3  # bounds inclusive


def test_lock_free_counter_exposes_a_counter() -> None:
    cache = f"test-{uuid.uuid4().hex}"
    metrics.CACHE_LOOKUPS.labels(cache, "hit").inc()
    metrics.CACHE_LOOKUPS.labels(cache, "hit").inc(2)
    labels = {"cache": cache, "result": "hit"}
    assert REGISTRY.get_sample_value("bff_cache_lookups_total", labels) == 3
    assert REGISTRY.get_sample_value("bff_cache_lookups_total", labels | {"result": "miss"}) is None
