"""Run N client threads against the server at once, for a bounded time, on loopback only."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

LOOPBACK = "127.0.0.1"


class TransportError(Exception):
    """No HTTP answer: the connection failed, was reset or timed out."""


class Http:
    """One persistent connection (reopened when the server closes it) per client thread."""

    def __init__(self, port: int, *, timeout: float = 30.0) -> None:
        self.connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)

    def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        payload: Any = None,
    ) -> tuple[int, bytes, float]:
        """Send one request; returns (status, body, milliseconds)."""
        body = None if payload is None else json.dumps(payload).encode()
        sent = dict(headers or {})
        if body is not None:
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            raise TransportError(f"{method} {path}: {exc!r}") from exc
        return response.status, data, (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.connection.close()


Client = Callable[[threading.Event], None]
"""A client loops until the event is set (time is up) or it has nothing left to do."""


@dataclass(frozen=True)
class Run:
    elapsed: float  # seconds from the end of the warm-up until the last client finished
    measured_from: float  # time.monotonic() when the warm-up ended


def run_clients(clients: Sequence[Client], duration: float) -> float:
    """Start every client at the same moment, stop them after ``duration`` seconds.

    Returns the elapsed seconds from the start until the last client finished (each
    finishes the request it is in when time is up, so that its answer is counted).
    """
    return run_phase(clients, duration).elapsed


def run_phase(
    clients: Sequence[Client],
    duration: float,
    warmup: float = 0.0,
    on_measure: Callable[[], None] | None = None,
) -> Run:
    """``run_clients`` after a warm-up of ``warmup`` seconds: requests sent from
    ``measured_from`` on are the measured ones (a fresh server's first connections, and
    people all turning up at once, are not the rush's steady state). ``on_measure`` is
    called when the warm-up ends."""
    stop = threading.Event()
    gate = threading.Barrier(len(clients) + 1)
    errors: list[BaseException] = []

    def body(client: Client) -> None:
        gate.wait()
        try:
            client(stop)
        except BaseException as exc:  # a broken client must not hang the run
            errors.append(exc)
            raise

    threads = [
        threading.Thread(target=body, args=(c,), name=f"client-{i}", daemon=True)
        for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    measured_from = time.monotonic() + warmup
    deadline = started + warmup + duration
    try:
        time.sleep(warmup)
        if on_measure is not None:
            on_measure()
        for thread in threads:
            thread.join(max(0.0, deadline - time.perf_counter()))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    elapsed = time.perf_counter() - started - warmup
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed; the first: {errors[0]!r}")
    return Run(elapsed=elapsed, measured_from=measured_from)
