"""Numbers of one load run: per-route percentiles, per-minute rows, the RSS verdict, and
the printed report."""

from __future__ import annotations

import os
from typing import Any

from load_client import BASELINE, ROUTES, Recorder
from load_procs import Usage

RSS_GROWTH_LIMIT = 0.10
RSS_VERDICT_MIN_S = 180.0  # a first and a last minute that do not overlap, plus one between


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


def route_stats(rec: Recorder, seconds: float) -> dict[str, dict[str, Any]]:
    stats: dict[str, dict[str, Any]] = {}
    for index, route in enumerate(ROUTES):
        latencies = [rec.latency[i] for i, r in enumerate(rec.route) if r == index]
        if not latencies:
            continue
        failed = sum(1 for i, r in enumerate(rec.route) if r == index and not rec.ok[i])
        stats[route] = {
            "requests": len(latencies),
            "rps": len(latencies) / seconds,
            "p50_ms": _pct(latencies, 0.50),
            "p95_ms": _pct(latencies, 0.95),
            "p99_ms": _pct(latencies, 0.99),
            "errors": failed,
            "error_kinds": rec.failures.get(route, {}),
        }
    return stats


def minutes(rec: Recorder, usage: Usage, offset: float, seconds: float) -> list[dict[str, Any]]:
    """Per minute of the mix: throughput, errors, p99, each server process's peak RSS, and
    the CPU time the server workers and the sandboxes spent per request (on a shared
    machine the throughput follows the other tenants; CPU per request does not)."""
    rows = []
    for minute in range(max(1, int(seconds // 60))):
        lo, hi = minute * 60.0, min(seconds, (minute + 1) * 60.0)
        picked = [i for i, at in enumerate(rec.at) if lo <= at < hi]
        rss: dict[str, float] = {}
        for at, role, pid, mib, _ in usage.samples:
            if lo <= at - offset < hi and role != "sandboxes":
                key = f"{role}:{pid}"
                rss[key] = max(rss.get(key, 0.0), mib)
        sandbox = [
            m for at, r, _, m, _ in usage.samples if r == "sandboxes" and lo <= at - offset < hi
        ]
        count = max(1, len(picked))
        last = minute == max(1, int(seconds // 60)) - 1
        window = (lo + offset, float("inf") if last else hi + offset)  # + the closing sample
        rows.append({
            "minute": minute + 1,
            "rps": len(picked) / (hi - lo),
            "worker_cpu_ms_per_request": 1000 * usage.cpu_spent("worker", *window) / count,
            "sandbox_cpu_ms_per_request": 1000 * usage.cpu_spent("sandboxes", *window) / count,
            "errors": sum(1 for i in picked if not rec.ok[i]),
            "p99_ms": _pct([rec.latency[i] for i in picked], 0.99),
            "rss_mib": rss,
            "sandbox_rss_mib": max(sandbox, default=0.0),
            "load_average": max(
                (load for at, load in usage.load_average if lo <= at - offset < hi), default=0.0
            ),
        })  # fmt: skip
    return rows


def rss_verdict(minutes: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Growth of each server process from the first minute's peak to the last minute's."""
    if seconds < RSS_VERDICT_MIN_S or len(minutes) < 2:
        return {"judged": False, "growth": {}, "failed": False}
    first, last = minutes[0]["rss_mib"], minutes[-1]["rss_mib"]
    growth = {key: last[key] / first[key] - 1 for key in first if key in last}
    gone = sorted(set(first) - set(last))  # a worker that died and was replaced
    failed = gone != [] or any(g > RSS_GROWTH_LIMIT for g in growth.values())
    return {"judged": True, "growth": growth, "replaced": gone, "failed": failed}


def baseline_stats(before: Recorder, after: Recorder, seconds: float) -> dict[str, Any]:
    """Both baseline runs pooled (the machine is shared; either alone may be unlucky)."""
    pooled = Recorder()
    for part in (before, after):
        pooled.at.extend(part.at)
        pooled.route.extend(part.route)
        pooled.latency.extend(part.latency)
        pooled.ok.extend(part.ok)
    stats = route_stats(pooled, 2 * seconds)[BASELINE]
    stats["rps_before"] = len(before.latency) / seconds
    stats["rps_after"] = len(after.latency) / seconds
    return stats


def print_report(result: dict[str, Any]) -> None:
    base = result["baseline"]
    print(f"started {result['started']}: {result['environment']}; "
          f"bff serve workers={result['workers']}; cpus={os.cpu_count()}; "
          f"concurrency={result['concurrency']}; "
          f"sessions={result['seeded_sessions']} (seeded in {result['seeding_s']:.1f} s); "
          f"mix {result['seconds']:.0f} s; load average now {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"{'route':<28}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
          f"{'p50/base':>10}")  # fmt: skip
    rows = [*result["mix"].items(), (BASELINE + " (base)", base)]
    for route, s in rows:
        ratio = s["p50_ms"] / base["p50_ms"] if base["p50_ms"] else 0.0
        print(f"{route:<28}{s['rps']:9.1f}{s['p50_ms']:9.1f}{s['p95_ms']:9.1f}{s['p99_ms']:9.1f}"
              f"{s['errors']:8d}{ratio:9.2f}x")  # fmt: skip
        if s["error_kinds"]:
            print(f"    failures: {s['error_kinds']}")
    print(f"mix: {result['mix_rps']:.1f} req/s = {result['mix_rps'] / base['rps']:.2f} of the "
          f"baseline's {base['rps']:.1f} req/s (before {base['rps_before']:.1f}, after "
          f"{base['rps_after']:.1f}); errors {result['mix_errors']}/{result['mix_requests']} "
          f"({100 * result['error_rate']:.3f}%); degraded dashboards "
          f"{result['degraded_dashboards']}")  # fmt: skip
    cpu = result["cpu_s"]
    print("CPU seconds during the mix: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
    mix_cpu, base_cpu = result["worker_cpu_ms_per_request"], base["worker_cpu_ms_per_request"]
    # A run of a few seconds can end before /proc shows the workers a single CPU tick.
    cpu_ratio = f"{mix_cpu / base_cpu:.1f}x" if base_cpu else "n/a: run too short"
    print(f"server worker CPU per request: mix {mix_cpu:.2f} ms, baseline {base_cpu:.2f} ms "
          f"({cpu_ratio}; steadier than req/s on a busy machine)")  # fmt: skip
    print("minute   req/s  errors  p99 ms  load  CPU ms/req: workers  sandboxes   "
          "peak RSS MiB: server processes; sandboxes")  # fmt: skip
    for row in result["minutes"]:
        rss = "  ".join(f"{k}={v:.1f}" for k, v in sorted(row["rss_mib"].items()))
        print(f"{row['minute']:6d}{row['rps']:8.1f}{row['errors']:8d}{row['p99_ms']:8.1f}"
              f"{row['load_average']:6.1f}{row['worker_cpu_ms_per_request']:20.2f}"
              f"{row['sandbox_cpu_ms_per_request']:11.2f}   "
              f"{rss}; {row['sandbox_rss_mib']:.1f}")  # fmt: skip
    verdict = result["rss"]
    if verdict["judged"]:
        growth = ", ".join(f"{k} {100 * g:+.1f}%" for k, g in sorted(verdict["growth"].items()))
        state = "FAIL" if verdict["failed"] else "ok"
        print(f"RSS first -> last minute: {growth} (limit +10%): {state}")
    else:
        print(f"RSS: not judged (needs a mix of at least {RSS_VERDICT_MIN_S:.0f} s)")
    if result["server_log"]:
        print(f"server log warnings/errors: {result['server_log']}")
