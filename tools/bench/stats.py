"""Latency and outcome statistics: percentiles, status classes, merging per-client tallies."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation between closest ranks.

    The same definition as numpy's default: p50 of [1, 2, 3, 4] is 2.5. None when empty.
    """
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be between 0 and 100, not {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def status_classes(statuses: Counter[int]) -> dict[str, int]:
    """Counts by what matters here: 201 (booked), 409 (taken), other 4xx, 5xx, others."""
    out = {"200": 0, "201": 0, "409": 0, "other_4xx": 0, "5xx": 0, "other": 0}
    for status, count in statuses.items():
        if status in (200, 201, 409):
            out[str(status)] += count
        elif 400 <= status < 500:
            out["other_4xx"] += count
        elif 500 <= status < 600:
            out["5xx"] += count
        else:
            out["other"] += count
    return out


@dataclass
class Timings:
    """The latencies (ms) and HTTP statuses of one kind of request, for one client or all."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    bad_bodies: int = 0
    # Per request, in order: when it was sent (time.monotonic()) and its status.
    sent_at: list[float] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)

    def record(self, status: int, milliseconds: float, sent_at: float | None = None) -> None:
        self.latencies_ms.append(milliseconds)
        self.statuses[status] += 1
        self.sent_at.append(
            time.monotonic() - milliseconds / 1000 if sent_at is None else sent_at
        )
        self.codes.append(status)

    def since(self, moment: float) -> Timings:
        """The requests sent from ``moment`` on (after a warm-up), without its errors."""
        kept = Timings()
        for at, ms, code in zip(self.sent_at, self.latencies_ms, self.codes, strict=True):
            if at >= moment:
                kept.record(code, ms, at)
        return kept

    def merge(self, other: Timings) -> None:
        self.latencies_ms.extend(other.latencies_ms)
        self.statuses.update(other.statuses)
        self.sent_at.extend(other.sent_at)
        self.codes.extend(other.codes)
        self.transport_errors += other.transport_errors
        self.bad_bodies += other.bad_bodies

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def summary(self) -> dict[str, Any]:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value, 2)

        values = self.latencies_ms
        return {
            "requests": len(values),
            "p50_ms": ms(percentile(values, 50)),
            "p95_ms": ms(percentile(values, 95)),
            "p99_ms": ms(percentile(values, 99)),
            "mean_ms": ms(sum(values) / len(values)) if values else None,
            "max_ms": ms(max(values)) if values else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "classes": status_classes(self.statuses),
            "transport_errors": self.transport_errors,
            "bad_bodies": self.bad_bodies,
        }


def merged(parts: Iterable[Timings]) -> Timings:
    total = Timings()
    for part in parts:
        total.merge(part)
    return total


def per_second(count: int, seconds: float) -> float:
    return round(count / seconds, 2) if seconds > 0 else 0.0
