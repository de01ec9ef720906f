"""What the benchmarks refuse: a production configuration, and a database holding anyone else's
data. Both tools write to their database (the rush benchmark truncates every app table, the
reminders benchmark sends due reminders), so each checks before it touches anything.

The bench owns the practices whose ODS code starts with ``Y9``: the data set's are Y90000 up,
the reminders benchmark's Y99xxx, and NHS England issues no GP practice a Y9 code. A database
holds data that is not the bench's when it has a practice outside that range or a patient not
registered at one of the bench's practices.
"""

from __future__ import annotations

import os
from typing import Any

from psycopg import Cursor

BENCH_ODS_PREFIX = "Y9"

FOREIGN = f"""
SELECT (SELECT count(*) FROM practices_practice WHERE ods_code NOT LIKE '{BENCH_ODS_PREFIX}%%'),
       (SELECT count(*) FROM records_patient p
          LEFT JOIN practices_practice pr ON pr.id = p.registered_practice_id
         WHERE pr.id IS NULL OR pr.ods_code NOT LIKE '{BENCH_ODS_PREFIX}%%')
"""  # noqa: S608 - a constant


class Refused(Exception):
    """The benchmark will not run here; the message says why and what to do."""


def refuse_production(*, production: bool | None = None) -> None:
    """Refuse ``DOVETAIL_ENV=production`` (the environment, or the loaded settings)."""
    if production is None:
        production = os.environ.get("DOVETAIL_ENV", "").strip().lower() == "production"
    if production:
        raise Refused(
            "Refusing to run a benchmark with DOVETAIL_ENV=production: the benchmarks write "
            "and delete data. Run them on a development machine against a bench database."
        )


def refuse_foreign_data(cur: Cursor[Any]) -> None:
    """Refuse a database with practices or patients the bench did not create."""
    cur.execute(
        "SELECT to_regclass('practices_practice') IS NOT NULL "
        "AND to_regclass('records_patient') IS NOT NULL"
    )
    row = cur.fetchone()
    if not row or not row[0]:
        return  # not migrated yet: nothing in it
    cur.execute(FOREIGN)
    practices, patients = cur.fetchone() or (0, 0)
    if practices or patients:
        raise Refused(
            f"Refusing to run: this database holds data the bench did not create ({practices} "
            f"practices without a {BENCH_ODS_PREFIX} ODS code, {patients} patients not "
            "registered at a bench practice). Point --database-url at a database of its own."
        )
