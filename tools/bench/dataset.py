"""Build the federation-scale data set with COPY and INSERT ... SELECT, or reuse it.

The parameters of the last build are kept in a one-row table, ``bench_dataset``, with the
list of applied migrations: a re-run with the same scale and schema skips the build.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg import Cursor
from psycopg.types.json import Jsonb

from tools.bench import book, rows
from tools.bench.scale import Scale
from tools.bench.sqlutil import copy_rows, reset_identity

__all__ = ["DatasetInfo", "Scale", "ensure_dataset"]

DATASET_FORMAT = 3
"""Bump when the builder changes what it writes, so old data sets are rebuilt."""

MARKER_TABLE = """
CREATE TABLE IF NOT EXISTS bench_dataset (
    id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    params jsonb NOT NULL,
    built_at timestamptz NOT NULL,
    build_seconds double precision NOT NULL,
    counts jsonb NOT NULL
)
"""


@dataclass
class DatasetInfo:
    reused: bool
    build_seconds: float
    built_at: str
    counts: dict[str, int]
    filled_columns: list[str] = field(default_factory=list)


def ensure_dataset(
    url: str,
    scale: Scale,
    *,
    today: datetime.date,
    rush_day: datetime.date,
    tz: str,
    rebuild: bool = False,
    log: Any = print,
) -> DatasetInfo:
    """Reuse the data set at ``url`` if it was built with ``scale``; else build it."""
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            cur.execute(MARKER_TABLE)
            wanted = _marker_params(cur, scale)
            row = cur.execute(
                "SELECT params, built_at, build_seconds, counts FROM bench_dataset"
            ).fetchone()
            conn.commit()
            if row is not None and row[0] == wanted and not rebuild and _intact(cur, row[3]):
                log(f"data set: reusing the one built {row[1]:%Y-%m-%d %H:%M} ({row[2]:.1f} s)")
                return DatasetInfo(True, row[2], row[1].isoformat(), row[3])
            log("data set: building " + ", ".join(f"{k}={v}" for k, v in asdict(scale).items()))
            started = time.perf_counter()
            filled: list[str] = []
            build(cur, scale, today=today, rush_day=rush_day, tz=tz, filled=filled, log=log)
            counts = count_rows(cur)
            seconds = time.perf_counter() - started
            cur.execute(
                "INSERT INTO bench_dataset (id, params, built_at, build_seconds, counts) "
                "VALUES (1, %s, now(), %s, %s) RETURNING built_at",
                [Jsonb(wanted), seconds, Jsonb(counts)],
            )
            built_at = cur.fetchone()[0]  # type: ignore[index]
        conn.commit()
        conn.autocommit = True
        log("data set: VACUUM ANALYZE")
        for table in ("records_patient", "appointments_slot", "appointments_appointment"):
            conn.execute(f"VACUUM ANALYZE {table}")
    seconds = time.perf_counter() - started
    log(f"data set: built in {seconds:.1f} s: {counts}")
    if filled:
        log(f"data set: filled required columns it did not know: {', '.join(filled)}")
    return DatasetInfo(False, seconds, built_at.isoformat(), counts, filled)


def _marker_params(cur: Cursor[Any], scale: Scale) -> dict[str, Any]:
    migrations = cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    digest = hashlib.sha256(json.dumps(migrations.fetchall()).encode()).hexdigest()[:16]
    return {**asdict(scale), "format": DATASET_FORMAT, "migrations": digest}


def _intact(cur: Cursor[Any], counts: dict[str, int]) -> bool:
    """The marker is only trusted if the tables still hold what it describes (no flush)."""
    now = count_rows(cur, ("practices", "sites", "staff", "patients"))
    return all(now[name] == counts.get(name) for name in now)


def count_rows(cur: Cursor[Any], names: tuple[str, ...] | None = None) -> dict[str, int]:
    tables = {
        "practices": "practices_practice",
        "sites": "practices_site",
        "staff": "staff_staffmember",
        "patients": "records_patient",
        "patients_online": "patients_patientaccount",
        "sessions": "appointments_session",
        "slots": "appointments_slot",
        "appointments": "appointments_appointment",
    }
    return {
        name: cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]  # noqa: S608
        for name, table in tables.items()
        if names is None or name in names
    }


def wipe(cur: Cursor[Any]) -> None:
    """Empty every table the data set writes, and everything that refers to them.

    The audit trail and the record's versions refuse TRUNCATE unless
    ``dovetail.allow_truncate`` is on: the bench database is disposable, so it turns it on
    for this transaction only.
    """
    cur.execute("SET LOCAL dovetail.allow_truncate = 'on'")
    cur.execute(
        "TRUNCATE practices_federation, practices_locality, practices_practice, auth_user, "
        "records_patient RESTART IDENTITY CASCADE"
    )
    cur.execute("DELETE FROM bench_dataset")


def build(
    cur: Cursor[Any],
    scale: Scale,
    *,
    today: datetime.date,
    rush_day: datetime.date,
    tz: str,
    filled: list[str],
    log: Any = print,
) -> None:
    rng = random.Random(scale.seed)
    step = _Stepper(log)
    wipe(cur)
    step("wiped")
    rows.organisations(cur, scale, filled)
    rows.staff_and_tokens(cur, scale, rng, filled)
    rows.appointment_types(cur, scale, filled)
    rows.templates(cur, scale, today, filled)
    step("organisations, staff, tokens, templates")
    patients = copy_rows(
        cur, "records_patient", rows.PATIENT_COLUMNS, rows.patients(scale, rng), filled
    )
    reset_identity(cur, "records_patient")
    step(f"{patients} patients")
    accounts = rows.patient_accounts(cur, scale, filled)
    step(f"{accounts} patients online, with API tokens")
    days = book.book_horizon(today, scale.weeks, rush_day)
    slots = book.book_days(
        cur, days, tz=tz, filled=filled, prebooked=scale.prebooked, rush_day=rush_day
    )
    step(f"{slots} slots over {len(days)} days")
    prebooked = book.prebook(cur, filled=filled)
    step(f"{prebooked} existing bookings")


class _Stepper:
    def __init__(self, log: Any) -> None:
        self.log = log
        self.last = time.perf_counter()

    def __call__(self, what: str) -> None:
        now = time.perf_counter()
        self.log(f"data set:   {what} ({now - self.last:.1f} s)")
        self.last = now
