"""The rush day: its morning slots are reset and embargoed before a run, then released at once.

The rush books the morning (08:00-12:00) of one day, by default tomorrow: the API rightly
refuses slots in the past, so "this morning" would only work before 08:00. Before each run
the day's appointments from earlier runs are cancelled (never deleted: other tables may
refer to them), its slots are freed and embargoed until 08:00, and ``release`` lifts the
embargo the moment the rush starts, as the 08:00 release does in a practice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from tools.bench import book

MORNING = (datetime.time(8), datetime.time(12))
AFTERNOON_FROM = datetime.time(14)


@dataclass(frozen=True)
class RushDay:
    day: datetime.date
    window_start: datetime.datetime
    window_end: datetime.datetime
    slot_ids: list[int]  # the morning's
    day_end: datetime.datetime  # midnight after the day
    day_slot_ids: list[int]  # every slot of the day, morning included


def default_rush_day(now: datetime.datetime, tz: str) -> datetime.date:
    return now.astimezone(ZoneInfo(tz)).date() + datetime.timedelta(days=1)


def window(day: datetime.date, tz: str) -> tuple[datetime.datetime, datetime.datetime]:
    zone = ZoneInfo(tz)
    return (
        datetime.datetime.combine(day, MORNING[0], zone),
        datetime.datetime.combine(day, MORNING[1], zone),
    )


def prepare(
    url: str,
    day: datetime.date,
    tz: str,
    filled: list[str],
    release_at: datetime.datetime | None = None,
) -> RushDay:
    """Make sure the day is in the book, undo earlier runs on it, embargo its mornings until
    ``release_at`` (default: 08:00 of the day, so until ``release`` lifts it)."""
    start, end = window(day, tz)
    next_day = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(0), start.tzinfo
    )
    day_start = datetime.datetime.combine(day, datetime.time(0), start.tzinfo)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        book.book_days(cur, [day], tz=tz, filled=filled)
        cur.execute(
            """
            UPDATE appointments_appointment a
            SET status = 'cancelled_practice', cancel_reason = 'benchmark reset',
                status_changed_at = now()
            FROM appointments_slot s
            WHERE a.slot_id = s.id AND s.start >= %s AND s.start < %s
              AND a.status NOT IN ('cancelled_patient', 'cancelled_practice')
            """,
            [day_start, next_day],
        )
        cur.execute(
            "UPDATE appointments_slot SET booked = false, release_at = %s "
            "WHERE start >= %s AND start < %s RETURNING id",
            [release_at or start, start, end],
        )
        ids = sorted(row[0] for row in cur.fetchall())
        cur.execute(
            "UPDATE appointments_slot SET booked = false WHERE start >= %s AND start < %s "
            "AND booked",
            [end, next_day],
        )
        cur.execute(
            "SELECT id FROM appointments_slot WHERE start >= %s AND start < %s ORDER BY id",
            [day_start, next_day],
        )
        day_ids = [row[0] for row in cur.fetchall()]
    return RushDay(day, start, end, ids, next_day, day_ids)


def release(
    url: str, slot_ids: list[int], at: datetime.datetime | None = None
) -> datetime.datetime:
    """Set the rush slots' release to ``at`` (default now); returns the release time."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "UPDATE appointments_slot SET release_at = coalesce(%s, now()) WHERE id = ANY(%s) "
            "RETURNING release_at",
            [at, slot_ids],
        ).fetchone()
    return row[0] if row else at or datetime.datetime.now(datetime.UTC)


TIDIED = (
    "appointments_slot",
    "appointments_appointment",
    "appointments_appointmentevent",
    "notifications_outboxmessage",
)


def tidy(url: str) -> None:
    """VACUUM ANALYZE what the runs rewrite: earlier runs' row versions are not this run's
    cost (autovacuum does this in a live system; it may be off on a test machine)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for table in TIDIED:
            conn.execute(f"VACUUM (ANALYZE) {table}")


def ceiling_pool(url: str, day: datetime.date, tz: str, limit: int) -> list[int]:
    """Free afternoon slots after the rush day: the ceiling's own rows, never the rush's."""
    after = datetime.datetime.combine(day + datetime.timedelta(days=1), MORNING[0], ZoneInfo(tz))
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            SELECT id FROM appointments_slot
            WHERE start >= %s AND NOT booked AND (start AT TIME ZONE %s)::time >= %s
            ORDER BY id LIMIT %s
            """,
            [after, tz, AFTERNOON_FROM, limit],
        ).fetchall()
    return [row[0] for row in rows]


def free_ceiling_pool(url: str, slot_ids: list[int]) -> int:
    """Undo the ceiling's updates: its slots have no appointment behind them."""
    with psycopg.connect(url) as conn:
        cur: Any = conn.execute(
            """
            UPDATE appointments_slot s SET booked = false
            WHERE s.id = ANY(%s) AND s.booked AND NOT EXISTS (
                SELECT 1 FROM appointments_appointment a WHERE a.slot_id = s.id
                AND a.status NOT IN ('cancelled_patient', 'cancelled_practice'))
            """,
            [slot_ids],
        )
        return int(cur.rowcount)
