"""Resident memory and CPU time of a process tree, read from Linux /proc.

psutil would do the same; these few reads keep the benchmark free of a dependency the
product does not need. RSS is ``VmRSS`` (what the kernel counts against the process);
CPU is user + system time from ``/proc/<pid>/stat``.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class ProcSample:
    pid: int
    rss_mib: float
    cpu_s: float


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's list: uvicorn forks from its main thread,
    but multiprocessing may start a worker from another)."""
    found: list[int] = []
    try:
        for task in (_PROC / str(pid) / "task").iterdir():
            text = (task / "children").read_text()
            found.extend(int(child) for child in text.split())
    except (FileNotFoundError, ProcessLookupError):
        return []
    return sorted(set(found))


def role_of_child(pid: int) -> str:
    """What a child of the server's supervisor is: a worker (uvicorn's ``spawn_main``,
    granian's forked copies of ``bff serve``) or multiprocessing's resource tracker."""
    try:
        cmdline = (_PROC / str(pid) / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return "gone"
    return "helper" if b"resource_tracker" in cmdline else "worker"


def sample(pid: int) -> ProcSample | None:
    """RSS and CPU time of one process, or None once it has gone."""
    try:
        status = (_PROC / str(pid) / "status").read_text()
        stat = (_PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    rss_kib = next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
    )
    # The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return ProcSample(pid=pid, rss_mib=rss_kib / 1024, cpu_s=(utime + stime) / _TICKS)


@dataclass(slots=True)
class Usage:
    """RSS (MiB) and CPU seconds of the server processes and the sandboxes over time."""

    samples: list[tuple[float, str, int, float, float]] = field(default_factory=list)
    load_average: list[tuple[float, float]] = field(default_factory=list)  # other tenants show here

    def take(self, at: float, *, server_pid: int, sandbox_pid: int) -> None:
        workers = children(server_pid)
        # One worker: uvicorn serves in the process itself, with no supervisor above it.
        processes = [("supervisor" if workers else "worker", server_pid)]
        processes += [(role_of_child(pid), pid) for pid in workers]
        processes.append(("sandboxes", sandbox_pid))
        for role, pid in processes:
            found = sample(pid)
            if found is not None:
                self.samples.append((at, role, pid, found.rss_mib, found.cpu_s))
        self.load_average.append((at, os.getloadavg()[0]))

    def cpu_spent(self, role: str, since: float = 0.0, until: float = float("inf")) -> float:
        """CPU seconds the processes of one role spent between two times (each process's
        last sample at or before each time; its first sample if it started later)."""
        before: dict[int, float] = {}
        upto: dict[int, float] = {}
        for at, r, pid, _, cpu in self.samples:  # in time order
            if r != role or at > until:
                continue
            if at <= since or pid not in before:
                before[pid] = cpu
            upto[pid] = cpu
        return sum(upto[pid] - before[pid] for pid in upto)


async def sample_every(
    usage: Usage, every: float, *, started: float, server_pid: int, sandbox_pid: int
) -> None:
    while True:
        usage.take(time.perf_counter() - started, server_pid=server_pid, sandbox_pid=sandbox_pid)
        await asyncio.sleep(every)
