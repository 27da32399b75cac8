"""Prometheus metrics of the BFF, exposed at `/metrics`.

Metric objects are process-wide by Prometheus convention (one registry per process); they
hold counters, never connections. Upstream call metrics (`bff_upstream_*`) belong to the
integration layer (`integrations.metrics`) and share this registry. Labels use route
templates, never raw paths, so an attacker cannot grow the series count with random URLs.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

HTTP_REQUESTS = Counter(
    "bff_http_requests_total",
    "HTTP requests served, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "bff_http_request_duration_seconds",
    "Time to serve an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CACHE_LOOKUPS = Counter(
    "bff_cache_lookups_total",
    "Cache lookups, by cache name and result (hit, miss, stale).",
    ["cache", "result"],
)


_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, duration_s: float) -> None:
    # labels() costs a lock and a tuple lookup per call: keep the children of each label
    # set (bounded: methods x route templates x statuses, as the series themselves).
    key = (method, route, status)
    children = _children.get(key)
    if children is None:
        labels = (method, route, str(status))
        children = _children[key] = (HTTP_REQUESTS.labels(*labels), HTTP_LATENCY.labels(*labels))
    children[0].inc()
    children[1].observe(duration_s)


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
