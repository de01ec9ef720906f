"""One benchmark run: data set, server, ceiling, the rush, the database check, the report."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from tools.bench import cpu, rushday
from tools.bench.checks import database_check
from tools.bench.dataset import DatasetInfo, Scale, ensure_dataset
from tools.bench.load import run_phase
from tools.bench.rush import (
    SAME_WORK_PATH,
    CeilingClient,
    Pace,
    RushClient,
    describe_clients,
    load_plan,
    make_booking_clients,
    make_ceiling_clients,
    make_clients,
    make_people,
    staff_tokens,
)
from tools.bench.server import ServerOptions, running_server
from tools.bench.stats import Timings, merged, per_second

RELEASE_DELAY = datetime.timedelta(seconds=20)
TARGET_SEARCH_P95_MS = 50.0
TARGET_BOOK_P95_MS = 150.0
TARGET_SAME_WORK_RATIO = 0.5


@dataclass(frozen=True)
class RushOptions:
    clients: int = 64
    duration: float = 30.0
    out: Path = Path("tools/bench/results/rush.json")
    server: ServerOptions = field(default_factory=ServerOptions)
    rush_day: datetime.date | None = None
    pick_from: int = 5
    patient_pick_from: int = 20
    rush_practices: int = 8
    hub_share: float = 0.125
    patient_share: float = 0.5
    ceiling: bool = True
    api_ceiling: bool = True  # the bare UPDATE behind DRF and token authentication
    booking: bool = True  # the booking endpoint on its own, no searches, no contention
    same_work: bool = True  # the booking's own writes with plain psycopg (bench.samework)
    burst: bool = True
    ceiling_pool: int = 300_000
    patients_per_practice: int = 3000
    # The rush at a human pace (ADR 0041): how many patients online at once, and how long
    # people take (means of exponential pauses).
    warmup: float = 5.0  # seconds of each phase not measured (connections, caches)
    paced: bool = True
    paced_patients: int = 300
    patient_think_s: float = 4.0
    desk_think_s: float = 15.0
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
    """Data set, server, then the phases (ADR 0041): the ceiling (bare UPDATEs flat out), the
    API ceiling (the same UPDATE behind DRF and a token), the booking endpoint alone (desks
    booking their own sites' slots flat out), the burst (the rush's clients flat out: how
    many bookings the system takes), the rush at a human pace (what people wait) and the
    ceiling again (ADR 0043). The rush day is reset before each booking phase and the
    database checked after it."""
    now = datetime.datetime.now(datetime.UTC)
    day = options.rush_day or rushday.default_rush_day(now, tz)
    today = now.astimezone(ZoneInfo(tz)).date()
    before = machine_state(url)
    dataset = ensure_dataset(url, scale, today=today, rush_day=day, tz=tz, rebuild=rebuild, log=log)
    filled: list[str] = list(dataset.filled_columns)
    pool = rushday.ceiling_pool(url, day, tz, options.ceiling_pool) if options.ceiling else []
    log_path = options.out.with_suffix(".gunicorn.log")
    ceiling: dict[str, Any] | None = None
    api_ceiling: dict[str, Any] | None = None
    ceiling_after: dict[str, Any] | None = None
    phases: dict[str, dict[str, Any]] = {}
    with running_server(
        options.server, database_url=url, redis_url=redis_url, log_path=log_path
    ) as server:
        log(f"gunicorn ready on port {server.port}: {options.server.describe()}")

        def bare(name: str, tokens: list[tuple[str, int | None]] | None) -> dict[str, Any]:
            log(f"{name}: {options.clients} clients, {options.duration:.0f} s, {len(pool)} slots")
            # Each ceiling starts on vacuumed tables, as the booking phases do: the API
            # ceiling claims the slots the ceiling has just claimed and freed.
            rushday.tidy(url)
            clients = make_ceiling_clients(
                pool, port=server.port, count=options.clients, tokens=tokens
            )
            try:
                with cpu.measured(server.pid) as usage:
                    run = run_phase(clients, options.duration, options.warmup, usage.start)
            finally:  # also when interrupted: the ceiling's slots have no appointment
                freed = rushday.free_ceiling_pool(url, pool)
            outcome = summarise_ceiling(clients, run.elapsed, run.measured_from)
            outcome["cpu"] = usage.account(outcome["requests"])
            log(f"{name}: {outcome['updates_per_s']} updates/s; {freed} slots freed again")
            return outcome

        if options.ceiling:
            ceiling = bare("ceiling", None)
            if options.api_ceiling:
                api_ceiling = bare("API ceiling", staff_tokens(url, options.clients))

        def phase(name: str, make: Any, *, whole_day: bool = False) -> None:
            # Released a little later, after a VACUUM: the embargo then ends as 08:00 passing
            # ends it, without rewriting the rows the rush is about to read.
            released_at = datetime.datetime.now(datetime.UTC) + RELEASE_DELAY
            rush = rushday.prepare(url, day, tz, filled, release_at=released_at)
            rushday.tidy(url)
            plan = load_plan(
                url,
                start_after=rush.window_start,
                start_before=rush.day_end if whole_day else rush.window_end,
                patients_per_practice=options.patients_per_practice,
                pick_from=1 if whole_day else options.pick_from,
                patient_pick_from=options.patient_pick_from,
            )
            checked = rush.day_slot_ids if whole_day else rush.slot_ids
            wait = released_at - datetime.datetime.now(datetime.UTC)
            time.sleep(max(0.0, wait.total_seconds()))
            clients = make(plan, server.port)
            log(f"{name}: {describe_clients(clients)} clients, {options.duration:.0f} s, "
                f"{len(rush.slot_ids)} morning slots released")
            with cpu.measured(server.pid) as usage:
                run = run_phase(clients, options.duration, options.warmup, usage.start)
            outcome = summarise_rush(clients, run.elapsed, run.measured_from)
            outcome["cpu"] = usage.account(
                outcome["search"]["requests"] + outcome["book"]["requests"]
            )
            outcome["rush_slots"] = len(rush.slot_ids)
            with psycopg.connect(url) as conn, conn.cursor() as cur:
                outcome["database_check"] = database_check(
                    cur,
                    slot_ids=checked,
                    created_ids=outcome.pop("_created"),
                    since=released_at,
                )
            log(f"{name}: {outcome['bookings_per_s']} bookings/s, search p95 "
                f"{outcome['search']['p95_ms']} ms, book p95 {outcome['book']['p95_ms']} ms")
            phases[name] = outcome

        if options.booking:
            phase(
                "booking",
                lambda plan, port: make_booking_clients(
                    plan, port=port, count=options.clients, seed=options.seed
                ),
                whole_day=True,
            )
        if options.same_work:
            phase(
                "same_work",
                lambda plan, port: make_booking_clients(
                    plan, port=port, count=options.clients, seed=options.seed,
                    book_path=SAME_WORK_PATH,
                ),
                whole_day=True,
            )
        if options.burst:
            phase(
                "burst",
                lambda plan, port: make_clients(
                    plan,
                    port=port,
                    count=options.clients,
                    hub_share=options.hub_share,
                    patient_share=options.patient_share,
                    rush_practices=options.rush_practices,
                    seed=options.seed,
                ),
            )
        if options.paced:
            pace = Pace(
                patient_think_s=options.patient_think_s, desk_think_s=options.desk_think_s
            )
            phase(
                "rush",
                lambda plan, port: make_people(
                    plan, port=port, patients=options.paced_patients, pace=pace, seed=options.seed
                ),
            )
        if options.ceiling and phases:
            # The machine's speed drifts over the minutes a run takes: the ceiling again at
            # the end brackets the booking phases, and the ratios use the mean (ADR 0043).
            ceiling_after = bare("ceiling again", None)
    result = assemble(
        scale=scale,
        options=options,
        dataset=dataset,
        day=day,
        ceiling=ceiling,
        api_ceiling=api_ceiling,
        ceiling_after=ceiling_after,
        phases=phases,
        machine_before=before,
        machine_after=machine_state(url),
        started_at=now,
        filled=sorted(set(filled)),
    )
    return (0 if result["ok"] else 1), result


def summarise_ceiling(
    clients: list[CeilingClient], elapsed: float, since: float | None = None
) -> dict[str, Any]:
    """Rates and latencies of the requests sent from ``since`` on (after the warm-up)."""
    timings = merged(c.tally.timings for c in clients)
    measured = timings.since(since) if since is not None else timings
    updated = sum(
        1 for c in clients for at in c.tally.updated_at if since is None or at >= since
    )
    return {
        "elapsed_s": round(elapsed, 3),
        "requests": measured.count,
        "updates": updated,
        "updates_per_s": per_second(updated, elapsed),
        "requests_per_s": per_second(measured.count, elapsed),
        "latency": measured.summary(),
        "failed_anywhere": timings.summary()["classes"]["5xx"] + timings.transport_errors,
        "clients_out_of_slots": sum(c.tally.exhausted for c in clients),
    }


def summarise_rush(
    clients: list[RushClient], elapsed: float, since: float | None = None
) -> dict[str, Any]:
    """Rates and latencies of the requests sent from ``since`` on (after the warm-up);
    errors and the appointments made are counted over the whole phase."""

    def measured(timings: Timings) -> Timings:
        return timings.since(since) if since is not None else timings

    search_all = merged(c.tally.search for c in clients)
    book_all = merged(c.tally.book for c in clients)
    search, book = measured(search_all), measured(book_all)
    created = [i for c in clients for i in c.tally.created]
    every = {"search": search_all.summary()["classes"], "book": book_all.summary()["classes"]}
    by_kind = {}
    for kind in sorted({c.tally.kind for c in clients}):
        mine = [c for c in clients if c.tally.kind == kind]
        kind_book = measured(merged(c.tally.book for c in mine))
        by_kind[kind] = {
            "clients": len(mine),
            "bookings": kind_book.statuses[201],
            "search": measured(merged(c.tally.search for c in mine)).summary(),
            "book": kind_book.summary(),
        }
    booked = book.statuses[201]
    return {
        "elapsed_s": round(elapsed, 3),
        "bookings": booked,
        "bookings_per_s": per_second(booked, elapsed),
        "book_attempts_per_s": per_second(book.count, elapsed),
        "searches_per_s": per_second(search.count, elapsed),
        "bookings_with_warmup": len(created),
        "counts": {  # the whole phase, warm-up included
            "201": every["book"]["201"],
            "409": every["book"]["409"],
            "other_4xx": every["book"]["other_4xx"] + every["search"]["other_4xx"],
            "5xx": every["book"]["5xx"] + every["search"]["5xx"],
            "transport_errors": book_all.transport_errors + search_all.transport_errors,
            "201_without_id": sum(c.tally.created_without_id for c in clients),
            "unreadable_search_bodies": search_all.bad_bodies,
        },
        "search": search.summary(),
        "book": book.summary(),
        "by_kind": by_kind,
        "clients_finished_early": sum(c.tally.finished_early for c in clients),
        "clients_out_of_patients": sum(1 for c in clients if c.tally.no_patient),
        "_created": created,
    }


def _failures(name: str, outcome: dict[str, Any]) -> list[str]:
    counts, check = outcome["counts"], outcome["database_check"]
    found = []
    if counts["5xx"]:
        found.append(f"{name}: {counts['5xx']} responses were 5xx")
    if counts["transport_errors"]:
        found.append(f"{name}: {counts['transport_errors']} requests got no HTTP answer")
    if check["double_bookings"]:
        found.append(f"{name}: {check['double_bookings']} slots are double booked")
    if check["lost_bookings"]:
        found.append(f"{name}: {check['lost_bookings']} bookings answered 201 are not saved")
    if counts["201_without_id"]:
        found.append(f"{name}: {counts['201_without_id']} 201 answers had no appointment id")
    if outcome["bookings"] == 0:
        found.append(f"{name}: nothing was booked")
    return found


def assemble(
    *,
    scale: Scale,
    options: RushOptions,
    dataset: DatasetInfo,
    day: datetime.date,
    ceiling: dict[str, Any] | None,
    phases: dict[str, dict[str, Any]],
    api_ceiling: dict[str, Any] | None = None,
    ceiling_after: dict[str, Any] | None = None,
    machine_before: dict[str, Any],
    machine_after: dict[str, Any],
    started_at: datetime.datetime,
    filled: list[str],
) -> dict[str, Any]:
    burst = phases.get("burst")
    paced = phases.get("rush")
    same_work = phases.get("same_work")
    booking = phases.get("booking")
    same_work_ratio = (
        round(booking["bookings_per_s"] / same_work["bookings_per_s"], 3)
        if booking and same_work and same_work["bookings_per_s"]
        else None
    )
    bracket = [c["updates_per_s"] for c in (ceiling, ceiling_after) if c]
    ceiling_rate = round(sum(bracket) / len(bracket), 2) if bracket else None
    drift = (
        round(ceiling_after["updates_per_s"] / ceiling["updates_per_s"], 3)
        if ceiling and ceiling_after and ceiling["updates_per_s"]
        else None
    )
    ratio = (
        round(burst["bookings_per_s"] / ceiling_rate, 3) if ceiling_rate and burst else None
    )
    ratios = {
        name: round(rate / ceiling_rate, 3)
        for name, rate in (
            ("api_ceiling", api_ceiling["updates_per_s"] if api_ceiling else None),
            ("booking", phases["booking"]["bookings_per_s"] if "booking" in phases else None),
            ("same_work", same_work["bookings_per_s"] if same_work else None),
            ("burst", burst["bookings_per_s"] if burst else None),
        )
        if rate is not None and ceiling_rate
    }
    failures = [f for name, outcome in phases.items() for f in _failures(name, outcome)]
    if ceiling and ceiling["failed_anywhere"]:
        failures.append("the ceiling view failed")
    if api_ceiling and (api_ceiling["failed_anywhere"] or not api_ceiling["updates"]):
        failures.append("the API ceiling view failed")
    if ceiling_after and ceiling_after["failed_anywhere"]:
        failures.append("the ceiling view failed at the end")
    search_p95 = paced["search"]["p95_ms"] if paced else None
    book_p95 = paced["book"]["p95_ms"] if paced else None
    checks = [outcome["database_check"] for outcome in phases.values()]
    return {
        "benchmark": "rush",
        "started_at": started_at.isoformat(),
        "commit": git_commit(),
        "machine": {"before": machine_before, "after": machine_after},
        "scale": asdict(scale),
        "dataset": asdict(dataset),
        "run": {
            "duration_s": options.duration,
            "warmup_s": options.warmup,
            "rush_day": day.isoformat(),
            "burst_clients": options.clients,
            "phases": ["ceiling"] * bool(ceiling)
            + ["api_ceiling"] * bool(api_ceiling)
            + list(phases)
            + ["ceiling_after"] * bool(ceiling_after),
            "patient_share": options.patient_share,
            "hub_share": options.hub_share,
            "rush_practices": options.rush_practices,
            "pick_from": options.pick_from,
            "patient_pick_from": options.patient_pick_from,
            "paced": options.paced,
            "paced_patients": options.paced_patients,
            "patient_think_s": options.patient_think_s,
            "desk_think_s": options.desk_think_s,
            "server": options.server.describe(),
            "filled_columns": filled,
        },
        "ceiling": ceiling,
        "ceiling_after": ceiling_after,
        "ceiling_rate": ceiling_rate,  # the mean of the ceilings the ratios divide by
        "ceiling_drift": drift,  # the ceiling at the end over the one at the start
        "api_ceiling": api_ceiling,
        "booking": booking,
        "same_work": same_work,
        # The restated target (ADR 0043): the booking endpoint over the same writes with no
        # framework, both flat out on the same clients; aim for at least 0.5.
        "booking_over_same_work": same_work_ratio,
        "burst": burst,
        "rush": paced,
        "ratio": ratio,
        "ratios": ratios,
        "targets": {
            "search_p95_under_50ms": None
            if search_p95 is None
            else search_p95 < TARGET_SEARCH_P95_MS,
            "book_p95_under_150ms": None if book_p95 is None else book_p95 < TARGET_BOOK_P95_MS,
            "booking_at_least_half_of_same_work": None
            if same_work_ratio is None
            else same_work_ratio >= TARGET_SAME_WORK_RATIO,
            "zero_5xx": all(o["counts"]["5xx"] == 0 for o in phases.values()),
            "zero_double_bookings": all(c["double_bookings"] == 0 for c in checks),
            "zero_lost_bookings": all(c["lost_bookings"] == 0 for c in checks),
        },
        "failures": failures,
        "ok": not failures,
    }


def render(result: dict[str, Any]) -> str:
    """The human summary printed at the end of a run."""
    ceiling = result["ceiling"]
    lines = []
    if ceiling:
        lines.append(
            f"ceiling        {ceiling['updates_per_s']:>9} bare UPDATEs/s "
            f"({result['run']['burst_clients']} clients flat out)"
        )
    after = result.get("ceiling_after")
    if ceiling and after:
        lines.append(
            f"ceiling again  {after['updates_per_s']:>9} at the end (drift "
            f"{result['ceiling_drift']}); ratios use the mean, {result['ceiling_rate']}"
        )
    api = result.get("api_ceiling")
    if api:
        lines.append(
            f"API ceiling    {api['updates_per_s']:>9} UPDATEs/s behind DRF and a token "
            f"(ratio {result['ratios'].get('api_ceiling')})"
        )
    titles = {
        "booking": "the booking endpoint alone, flat out",
        "same_work": "the booking's writes with plain psycopg, flat out",
        "burst": "the rush flat out",
        "rush": "the rush at a human pace",
    }
    for name, title in titles.items():
        outcome = result.get(name)
        if not outcome:
            continue
        counts, check = outcome["counts"], outcome["database_check"]
        kinds = ", ".join(f"{v['clients']} {k}" for k, v in outcome["by_kind"].items())
        lines.append(f"{name} ({title}: {kinds}; {outcome['elapsed_s']:.1f} s)")
        lines.append(
            f"  bookings/s     {outcome['bookings_per_s']:>9}   ({outcome['bookings']} booked, "
            f"{outcome['searches_per_s']} searches/s)"
        )
        if name == "burst" and ceiling:
            lines.append(f"  ratio to the ceiling {result['ratio']}")
        elif name == "booking" and ceiling:
            lines.append(f"  ratio to the ceiling {result['ratios'].get('booking')}")
        elif name == "same_work" and result.get("booking_over_same_work") is not None:
            lines.append(
                f"  booking / same-work ceiling {result['booking_over_same_work']} "
                f"(target >= {TARGET_SAME_WORK_RATIO})"
            )
        for part in ("search", "book"):
            summary = outcome[part]
            lines.append(
                f"  {part:<6} ms      p50 {summary['p50_ms']}  p95 {summary['p95_ms']}  "
                f"p99 {summary['p99_ms']}  ({summary['requests']} requests)"
            )
        lines.append(
            f"  answers        201 {counts['201']}  409 {counts['409']}  other 4xx "
            f"{counts['other_4xx']}  5xx {counts['5xx']}  no answer {counts['transport_errors']}"
        )
        lines.append(
            f"  database       double {check['double_bookings']}  lost "
            f"{check['lost_bookings']}  booked-without-appointment "
            f"{check['booked_without_appointment']}  unacknowledged "
            f"{check['unacknowledged_bookings']}"
        )
        cpu_ms = (outcome.get("cpu") or {}).get("cpu_ms_per_request")
        if cpu_ms:
            lines.append("  cpu ms/request " + "  ".join(f"{k} {v}" for k, v in cpu_ms.items()))
    targets = ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in result["targets"].items()
                        if v is not None)
    lines.append(f"targets: {targets}")
    lines.append("OK" if result["ok"] else "FAILED: " + "; ".join(result["failures"]))
    return "\n".join(lines)
