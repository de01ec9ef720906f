"""Where a phase's CPU went: the app server, PostgreSQL, Redis, the clients, everything else.

Read from Linux's /proc before and after a phase (user + system ticks per process, and the
machine's total from /proc/stat). Divided by the requests served, this says how many
milliseconds of CPU a request cost each part, which throughput alone cannot: on a 2-core
machine the clients, gunicorn and PostgreSQL share the same cores. On a system without /proc
the result is ``None`` and the run goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROC = Path("/proc")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in (PROC / str(pid) / "task").glob("*/children"):
        try:
            for child in task.read_text().split():
                found.add(int(child))
                found |= _children(int(child))
        except OSError:
            continue
    return found


def _stat(pid: int) -> list[str]:
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _ticks(pid: int, *, with_children: bool = False) -> int:
    """User + system ticks; ``with_children`` adds those of exited children the process
    waited for (a PostgreSQL backend that closed its connection ends up in the postmaster)."""
    fields = _stat(pid)
    if not fields:
        return 0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    if with_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks


def _comm(pid: int) -> str:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs since boot."""
    values = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass
class Snapshot:
    groups: dict[str, int]
    busy: int
    total: int


def snapshot(server_pid: int) -> Snapshot | None:
    if not (PROC / "stat").exists():
        return None
    groups = {"app_server": 0, "postgresql": 0, "redis": 0, "clients": 0}
    server = {server_pid} | _children(server_pid)
    me = os.getpid()
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        if pid in server:
            groups["app_server"] += _ticks(pid)
        elif pid == me:
            groups["clients"] += _ticks(pid)
        else:
            comm = _comm(pid)
            if comm.startswith("postgres"):
                parent = _stat(pid)[1:2]
                postmaster = not parent or not _comm(int(parent[0])).startswith("postgres")
                groups["postgresql"] += _ticks(pid, with_children=postmaster)
            elif comm.startswith("redis-server"):
                groups["redis"] += _ticks(pid)
    busy, total = _machine_ticks()
    return Snapshot(groups, busy, total)


def account(
    before: Snapshot | None, after: Snapshot | None, requests: int
) -> dict[str, Any] | None:
    """CPU ms per request by part, and how busy the machine was (1.0 = every core)."""
    if before is None or after is None or requests <= 0:
        return None
    ms_per_tick = 1000 / _TICK
    per_request = {
        name: round((after.groups[name] - before.groups[name]) * ms_per_tick / requests, 3)
        for name in after.groups
    }
    busy = (after.busy - before.busy) * ms_per_tick
    named = sum(after.groups[n] - before.groups[n] for n in after.groups) * ms_per_tick
    per_request["other"] = round(max(busy - named, 0) / requests, 3)
    per_request["total"] = round(busy / requests, 3)
    elapsed_total = (after.total - before.total) or 1
    return {
        "cpu_ms_per_request": per_request,
        "machine_busy": round((after.busy - before.busy) / elapsed_total, 3),
    }


class Usage:
    """CPU used from ``start()`` (the end of a warm-up) to the end of a ``measured`` block."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.before: Snapshot | None = None
        self.after: Snapshot | None = None

    def start(self) -> None:
        self.before = snapshot(self.server_pid)

    def account(self, requests: int) -> dict[str, Any] | None:
        return account(self.before, self.after, requests)


@contextmanager
def measured(server_pid: int) -> Iterator[Usage]:
    """Pass ``usage.start`` as the phase's ``on_measure``; the block's end takes the rest."""
    usage = Usage(server_pid)
    try:
        yield usage
    finally:
        if usage.before is None:
            usage.start()
        usage.after = snapshot(server_pid)
