"""Prometheus metrics of the BFF, exposed at `/metrics`.

Metric objects are process-wide by Prometheus convention (one registry per process); they
hold counters, never connections. Upstream call metrics (`bff_upstream_*`) belong to the
integration layer (`integrations.metrics`) and share this registry. Labels use route
templates, never raw paths, so an attacker cannot grow the series count with random URLs.
What every request updates (request count and latency, cache lookups) is kept as plain
numbers and rendered at scrape time: only the event loop's thread updates them, so they
need none of prometheus_client's per-update locking.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString
from starlette.requests import Request
from starlette.responses import Response

LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_LE = [*(floatToGoString(b) for b in LATENCY_BUCKETS_S), "+Inf"]  # type: ignore[no-untyped-call]
_LABELS = ["method", "route", "status"]


class Tally:
    """One series of a :class:`LockFreeCounter`."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def inc(self, amount: int = 1) -> None:
        self.value += amount


class LockFreeCounter(Collector):
    """A labelled counter whose series are plain integers, for counts taken on every request.

    prometheus_client's ``Counter`` takes a lock per increment (it allows threads); these
    are only ever updated from the event loop's thread, so they need none. Registered on
    the process's registry like any metric.
    """

    def __init__(self, name: str, documentation: str, labels: list[str]) -> None:
        self._name = name.removesuffix("_total")
        self._documentation = documentation
        self._labels = labels
        self._series: dict[tuple[str, ...], Tally] = {}
        REGISTRY.register(self)

    def labels(self, *values: str) -> Tally:
        series = self._series.get(values)
        if series is None:
            series = self._series[values] = Tally()
        return series

    def describe(self) -> Iterator[Metric]:
        yield CounterMetricFamily(self._name, self._documentation, labels=self._labels)

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(self._name, self._documentation, labels=self._labels)
        for values, series in list(self._series.items()):
            family.add_metric(list(values), series.value)
        yield family


CACHE_LOOKUPS = LockFreeCounter(
    "bff_cache_lookups_total",
    "Cache lookups, by cache name and result (hit, miss, stale).",
    ["cache", "result"],
)


# Per (method, route template, status): [sum of seconds, count per bucket..., count over
# the last bound]. Bounded as the series themselves are; only the event loop writes it.
_requests: dict[tuple[str, str, int], list[float]] = {}


def observe_request(method: str, route: str, status: int, duration_s: float) -> None:
    """Count one served request (every request does this: two additions, no lock)."""
    series = _requests.get((method, route, status))
    if series is None:
        series = _requests[(method, route, status)] = [0.0] * (len(_LE) + 1)
    series[0] += duration_s
    series[bisect_left(LATENCY_BUCKETS_S, duration_s) + 1] += 1


class _RequestCollector(Collector):
    """``bff_http_requests_total`` and ``bff_http_request_duration_seconds``, rendered from
    plain counts at scrape time: prometheus_client's own Counter and Histogram take a lock
    per update, which was a measurable part of the catalog's lean read path."""

    def describe(self) -> Iterator[Metric]:
        return iter(self._families())

    def collect(self) -> Iterator[Metric]:
        requests, latency = self._families()
        for (method, route, status), series in list(_requests.items()):
            labels = [method, route, str(status)]
            cumulative = list(accumulate(series[1:]))
            requests.add_metric(labels, cumulative[-1])
            latency.add_metric(labels, list(zip(_LE, cumulative, strict=True)), series[0])
        yield requests
        yield latency

    @staticmethod
    def _families() -> tuple[CounterMetricFamily, HistogramMetricFamily]:
        return (
            CounterMetricFamily(
                "bff_http_requests",
                "HTTP requests served, by method, route template and status.",
                labels=_LABELS,
            ),
            HistogramMetricFamily(
                "bff_http_request_duration_seconds",
                "Time to serve an HTTP request, by method, route template and status.",
                labels=_LABELS,
            ),
        )


REGISTRY.register(_RequestCollector())


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
