"""``python -m tools.bench.cost``: CPU time and queries of one search and one booking, in process.

Throughput on a shared, loaded machine moves with the neighbours; the CPU time a request
costs does not (much). This drives the real URL stack (middleware, DRF, policy, services)
through Django's test ``Client`` against the bench database, one request at a time, and
prints for the ceiling view, a slot search and a booking: CPU ms per request (process time),
wall ms, and queries per request. ``--profile`` adds the top of a cProfile listing.

Bookings take free afternoon slots of the rush day, which the next ``python -m tools.bench`` run
resets (ADR 0040). Build the data set first (``python -m tools.bench build ...``).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import os
import pstats
import sys
import time
from typing import Any
from zoneinfo import ZoneInfo


def _setup(database_url: str, redis_url: str) -> None:
    import psycopg

    from tools.bench import dbtarget, guard

    guard.refuse_production()
    dbtarget.check_safe(database_url, force=False)
    with psycopg.connect(database_url) as conn, conn.cursor() as cur:
        guard.refuse_foreign_data(cur)
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DOVETAIL_ENV", "development")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tools.bench.settings"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def _measure(label: str, calls: list[Any], profile: bool) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    calls[0]()  # warm up (imports, connection, caches)
    profiler = cProfile.Profile() if profile else None
    with CaptureQueriesContext(connection) as queries:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        statuses: dict[int, int] = {}
        for call in calls[1:]:
            status = call()
            statuses[status] = statuses.get(status, 0) + 1
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    n = len(calls) - 1
    result = {
        "what": label,
        "n": n,
        "cpu_ms": round(cpu / n * 1000, 2),
        "wall_ms": round(wall / n * 1000, 2),
        "queries": round(len(queries) / n, 2),
        "statuses": statuses,
    }
    print(result)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        print(out.getvalue())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.cost", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/dovetail_bench"
        ),
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("-n", type=int, default=200, help="requests per kind (default 200)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    _setup(args.database_url, args.redis_url)

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tools.bench import rushday

    tz = ZoneInfo(settings.TIME_ZONE)
    day = datetime.datetime.now(tz).date() + datetime.timedelta(days=1)
    morning = datetime.datetime.combine(day, datetime.time(8), tz)
    # Undo earlier runs on the rush day (its slots free again), as a bench run does.
    rushday.prepare(args.database_url, day, settings.TIME_ZONE, [])
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT t.key, s.practice_id,
                   (SELECT min(site_id) FROM staff_staffmember_sites ss
                    WHERE ss.staffmember_id = s.id)
            FROM authtoken_token t JOIN auth_user u ON u.id = t.user_id
            JOIN staff_staffmember s ON s.user_id = u.id
            WHERE s.active AND u.is_active AND u.username NOT LIKE 'hub%%'
            ORDER BY u.username LIMIT 1
            """
        )
        token, practice, site = cur.fetchone()
        cur.execute(
            """
            SELECT id FROM appointments_slot
            WHERE practice_id = %s AND NOT booked AND NOT withdrawn
              AND start >= %s AND start < %s
              AND (release_at IS NULL OR release_at <= now())
            ORDER BY start, id LIMIT %s
            """,
            [
                practice,
                morning + datetime.timedelta(hours=6),
                morning + datetime.timedelta(hours=10),
                args.n + 1,
            ],
        )
        slots = [row[0] for row in cur.fetchall()]
        cur.execute(
            """
            SELECT p.id FROM records_patient p
            WHERE p.registered_practice_id = %s AND p.date_of_death IS NULL
              AND NOT EXISTS (SELECT 1 FROM appointments_appointment a
                              WHERE a.patient_id = p.id AND a.start >= %s AND a.start < %s
                                AND a.status NOT IN ('cancelled_patient', 'cancelled_practice'))
            ORDER BY p.id DESC LIMIT %s
            """,
            [practice, morning, morning + datetime.timedelta(hours=12), args.n + 1],
        )
        patients = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT id FROM appointments_slot WHERE NOT booked ORDER BY id DESC LIMIT 1")
        ceiling_slot = cur.fetchone()[0]
    if len(slots) < args.n + 1 or len(patients) < args.n + 1:
        print(f"only {len(slots)} free afternoon slots / {len(patients)} patients: lower -n")
        return 2

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_X_DOVETAIL_SITE=str(site))
    bare = Client()
    search = (
        f"/api/v1/slots/?practice={practice}&site={site}"
        f"&start_after={morning.isoformat()}"
        f"&start_before={(morning + datetime.timedelta(hours=10)).isoformat()}"
    ).replace("+", "%2B")

    def ceiling() -> int:
        # The same slot: after the first claim every UPDATE matches nothing (still one query).
        return int(bare.post(f"/bench/ceiling/{ceiling_slot}/").status_code)

    def find() -> int:
        return int(client.get(search).status_code)

    pairs = iter(zip(slots, patients, strict=False))

    def book() -> int:
        slot, patient = next(pairs)
        response = client.post(
            "/api/v1/appointments/",
            {"slot": slot, "patient": patient},
            content_type="application/json",
        )
        return int(response.status_code)

    results = [
        _measure("ceiling", [ceiling] * (args.n + 1), args.profile),
        _measure("search", [find] * (args.n + 1), args.profile),
        _measure("book", [book] * (args.n + 1), args.profile),
    ]
    with connection.cursor() as cur:  # leave the ceiling's slot as it was
        cur.execute("UPDATE appointments_slot SET booked = false WHERE id = %s", [ceiling_slot])
    print(
        "ratio of CPU, ceiling / (search + book):",
        round(results[0]["cpu_ms"] / (results[1]["cpu_ms"] + results[2]["cpu_ms"]), 3),
        file=sys.stdout,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
