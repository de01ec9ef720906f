"""One benchmark run: data set, server, ceiling, the rush, the database check, the report."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from bench import cpu, rushday
from bench.checks import database_check
from bench.dataset import DatasetInfo, Scale, ensure_dataset
from bench.load import run_clients
from bench.rush import (
    CeilingClient,
    RushClient,
    describe_clients,
    load_plan,
    make_ceiling_clients,
    make_clients,
)
from bench.server import ServerOptions, running_server
from bench.stats import merged, per_second

TARGET_RATIO = 0.40
TARGET_SEARCH_P95_MS = 50.0


@dataclass(frozen=True)
class RushOptions:
    clients: int = 64
    duration: float = 30.0
    out: Path = Path("bench/results/rush.json")
    server: ServerOptions = field(default_factory=ServerOptions)
    rush_day: datetime.date | None = None
    pick_from: int = 5
    think_ms: float = 0.0
    rush_practices: int = 8
    hub_share: float = 0.125
    ceiling: bool = True
    ceiling_pool: int = 300_000
    patients_per_practice: int = 3000
    seed: int = 8


def machine_state(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": row[0] if row else None,
        "platform": platform.platform(),
    }


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - read-only, informative
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def run_rush(
    url: str,
    redis_url: str,
    scale: Scale,
    options: RushOptions,
    *,
    tz: str,
    rebuild: bool = False,
    log: Any = print,
) -> tuple[int, dict[str, Any]]:
    now = datetime.datetime.now(datetime.UTC)
    day = options.rush_day or rushday.default_rush_day(now, tz)
    today = now.astimezone(ZoneInfo(tz)).date()
    before = machine_state(url)
    dataset = ensure_dataset(url, scale, today=today, rush_day=day, tz=tz, rebuild=rebuild, log=log)
    filled: list[str] = list(dataset.filled_columns)
    rush = rushday.prepare(url, day, tz, filled)
    log(f"rush day {day}: {len(rush.slot_ids)} morning slots, embargoed until the rush starts")
    plan = load_plan(
        url,
        start_after=rush.window_start,
        start_before=rush.window_end,
        patients_per_practice=options.patients_per_practice,
        pick_from=options.pick_from,
        think_seconds=options.think_ms / 1000,
    )
    pool = rushday.ceiling_pool(url, day, tz, options.ceiling_pool) if options.ceiling else []
    log_path = options.out.with_suffix(".gunicorn.log")
    ceiling: dict[str, Any] | None = None
    with running_server(
        options.server, database_url=url, redis_url=redis_url, log_path=log_path
    ) as server:
        log(f"gunicorn ready on port {server.port}: {options.server.describe()}")
        if options.ceiling:
            log(f"ceiling: {options.clients} clients, {options.duration:.0f} s, {len(pool)} slots")
            ceiling_clients = make_ceiling_clients(pool, port=server.port, count=options.clients)
            cpu_before = cpu.snapshot(server.pid)
            try:
                elapsed = run_clients(ceiling_clients, options.duration)
                cpu_after = cpu.snapshot(server.pid)
            finally:  # also when interrupted: the ceiling's slots have no appointment
                freed = rushday.free_ceiling_pool(url, pool)
            ceiling = summarise_ceiling(ceiling_clients, elapsed)
            ceiling["cpu"] = cpu.account(cpu_before, cpu_after, ceiling["requests"])
            log(f"ceiling cpu: {ceiling['cpu']}")
            log(f"ceiling: {ceiling['updates_per_s']} updates/s; {freed} slots freed again")
        released_at = rushday.release(url, rush.slot_ids)
        clients = make_clients(
            plan,
            port=server.port,
            count=options.clients,
            hub_share=options.hub_share,
            rush_practices=options.rush_practices,
            seed=options.seed,
        )
        log(f"rush: {describe_clients(clients)} clients, {options.duration:.0f} s")
        cpu_before = cpu.snapshot(server.pid)
        elapsed = run_clients(clients, options.duration)
        cpu_after = cpu.snapshot(server.pid)
    outcome = summarise_rush(clients, elapsed)
    outcome["cpu"] = cpu.account(
        cpu_before, cpu_after, outcome["search"]["requests"] + outcome["book"]["requests"]
    )
    log(f"rush cpu: {outcome['cpu']}")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        check = database_check(
            cur, slot_ids=rush.slot_ids, created_ids=outcome.pop("_created"), since=released_at
        )
    result = assemble(
        scale=scale,
        options=options,
        dataset=dataset,
        day=day,
        rush_slots=len(rush.slot_ids),
        ceiling=ceiling,
        rush=outcome,
        check=check,
        machine_before=before,
        machine_after=machine_state(url),
        started_at=now,
        filled=sorted(set(filled)),
    )
    return (0 if result["ok"] else 1), result


def summarise_ceiling(clients: list[CeilingClient], elapsed: float) -> dict[str, Any]:
    timings = merged(c.tally.timings for c in clients)
    updated = sum(c.tally.updated for c in clients)
    return {
        "elapsed_s": round(elapsed, 3),
        "requests": timings.count,
        "updates": updated,
        "updates_per_s": per_second(updated, elapsed),
        "requests_per_s": per_second(timings.count, elapsed),
        "latency": timings.summary(),
        "clients_out_of_slots": sum(c.tally.exhausted for c in clients),
    }


def summarise_rush(clients: list[RushClient], elapsed: float) -> dict[str, Any]:
    search = merged(c.tally.search for c in clients)
    book = merged(c.tally.book for c in clients)
    created = [i for c in clients for i in c.tally.created]
    classes = book.summary()["classes"]
    return {
        "elapsed_s": round(elapsed, 3),
        "bookings": len(created),
        "bookings_per_s": per_second(len(created), elapsed),
        "book_attempts_per_s": per_second(book.count, elapsed),
        "searches_per_s": per_second(search.count, elapsed),
        "counts": {
            "201": classes["201"],
            "409": classes["409"],
            "other_4xx": classes["other_4xx"] + search.summary()["classes"]["other_4xx"],
            "5xx": classes["5xx"] + search.summary()["classes"]["5xx"],
            "transport_errors": book.transport_errors + search.transport_errors,
            "201_without_id": sum(c.tally.created_without_id for c in clients),
            "unreadable_search_bodies": search.bad_bodies,
        },
        "search": search.summary(),
        "book": book.summary(),
        "clients_finished_early": sum(c.tally.finished_early for c in clients),
        "clients_out_of_patients": sum(1 for c in clients if c.tally.no_patient),
        "_created": created,
    }


def assemble(
    *,
    scale: Scale,
    options: RushOptions,
    dataset: DatasetInfo,
    day: datetime.date,
    rush_slots: int,
    ceiling: dict[str, Any] | None,
    rush: dict[str, Any],
    check: dict[str, int],
    machine_before: dict[str, Any],
    machine_after: dict[str, Any],
    started_at: datetime.datetime,
    filled: list[str],
) -> dict[str, Any]:
    ceiling_rate = ceiling["updates_per_s"] if ceiling else None
    ratio = round(rush["bookings_per_s"] / ceiling_rate, 3) if ceiling_rate else None
    counts = rush["counts"]
    failures = []
    if counts["5xx"]:
        failures.append(f"{counts['5xx']} responses were 5xx")
    if counts["transport_errors"]:
        failures.append(f"{counts['transport_errors']} requests got no HTTP answer")
    if ceiling and (ceiling["latency"]["classes"]["5xx"] or ceiling["latency"]["transport_errors"]):
        failures.append("the ceiling view failed")
    if check["double_bookings"]:
        failures.append(f"{check['double_bookings']} slots are double booked")
    if check["lost_bookings"]:
        failures.append(f"{check['lost_bookings']} bookings answered 201 are not in the database")
    if counts["201_without_id"]:
        failures.append(f"{counts['201_without_id']} 201 answers had no appointment id")
    if rush["bookings"] == 0:
        failures.append("the rush booked nothing (is the booking API there?)")
    search_p95 = rush["search"]["p95_ms"]
    return {
        "benchmark": "rush",
        "started_at": started_at.isoformat(),
        "commit": git_commit(),
        "machine": {"before": machine_before, "after": machine_after},
        "scale": asdict(scale),
        "dataset": asdict(dataset),
        "run": {
            "clients": options.clients,
            "duration_s": options.duration,
            "rush_day": day.isoformat(),
            "rush_slots": rush_slots,
            "pick_from": options.pick_from,
            "think_ms": options.think_ms,
            "rush_practices": options.rush_practices,
            "hub_share": options.hub_share,
            "server": options.server.describe(),
            "filled_columns": filled,
        },
        "ceiling": ceiling,
        "rush": rush,
        "ratio": ratio,
        "database_check": check,
        "targets": {
            "booking_at_least_40pc_of_ceiling": None if ratio is None else ratio >= TARGET_RATIO,
            "search_p95_under_50ms": None
            if search_p95 is None
            else search_p95 < TARGET_SEARCH_P95_MS,
            "zero_5xx": counts["5xx"] == 0,
            "zero_double_bookings": check["double_bookings"] == 0,
            "zero_lost_bookings": check["lost_bookings"] == 0,
        },
        "failures": failures,
        "ok": not failures,
    }


def render(result: dict[str, Any]) -> str:
    """The human summary printed at the end of a run."""
    rush, ceiling, check = result["rush"], result["ceiling"], result["database_check"]
    counts = rush["counts"]
    lines = [
        f"8am rush: {result['run']['clients']} clients for {rush['elapsed_s']:.1f} s "
        f"on {result['run']['rush_slots']} released slots "
        f"({result['run']['server']['worker_class']} x{result['run']['server']['workers']}"
        f"/{result['run']['server']['threads']})",
        f"  bookings/s     {rush['bookings_per_s']:>9}   ({rush['bookings']} booked)",
    ]
    if ceiling:
        lines.append(
            f"  ceiling upd/s  {ceiling['updates_per_s']:>9}   ratio {result['ratio']} "
            f"(target >= {TARGET_RATIO})"
        )
    for name in ("search", "book"):
        part = rush[name]
        lines.append(
            f"  {name:<6} ms      p50 {part['p50_ms']}  p95 {part['p95_ms']}  p99 {part['p99_ms']}"
            f"  ({part['requests']} requests)"
        )
    lines.append(
        f"  answers        201 {counts['201']}  409 {counts['409']}  other 4xx "
        f"{counts['other_4xx']}  5xx {counts['5xx']}  no answer {counts['transport_errors']}"
    )
    lines.append(
        f"  database       double {check['double_bookings']}  lost {check['lost_bookings']}  "
        f"booked-without-appointment {check['booked_without_appointment']}  "
        f"unacknowledged {check['unacknowledged_bookings']}"
    )
    lines.append("  OK" if result["ok"] else "  FAILED: " + "; ".join(result["failures"]))
    return "\n".join(lines)
