"""The database check after a run: no slot given twice, no 201 without an appointment."""

from __future__ import annotations

import datetime
from typing import Any

from psycopg import Cursor

LIVE = "status NOT IN ('cancelled_patient', 'cancelled_practice')"

DOUBLE_BOOKINGS = f"""
SELECT count(*) FROM (
    SELECT slot_id FROM appointments_appointment WHERE {LIVE}
    GROUP BY slot_id HAVING count(*) > 1
) AS twice
"""  # noqa: S608 - constant fragment

LOST_BOOKINGS = """
SELECT count(*) FROM unnest(%s::bigint[]) AS created(id)
WHERE NOT EXISTS (SELECT 1 FROM appointments_appointment a WHERE a.id = created.id)
"""

BOOKED_WITHOUT_APPOINTMENT = f"""
SELECT count(*) FROM appointments_slot s
WHERE s.id = ANY(%s) AND s.booked AND NOT EXISTS (
    SELECT 1 FROM appointments_appointment a WHERE a.slot_id = s.id AND a.{LIVE})
"""  # noqa: S608 - constant fragment

APPOINTMENT_ON_FREE_SLOT = f"""
SELECT count(*) FROM appointments_appointment a JOIN appointments_slot s ON s.id = a.slot_id
WHERE s.id = ANY(%s) AND NOT s.booked AND a.{LIVE}
"""  # noqa: S608 - constant fragment

UNACKNOWLEDGED = f"""
SELECT count(*) FROM appointments_appointment a
WHERE a.slot_id = ANY(%s) AND a.{LIVE} AND a.booked_at >= %s AND NOT a.id = ANY(%s)
"""  # noqa: S608 - constant fragment


def database_check(
    cur: Cursor[Any],
    *,
    slot_ids: list[int],
    created_ids: list[int],
    since: datetime.datetime,
) -> dict[str, int]:
    """Counts that must be zero (double, lost) and two that show the flag is kept in step.

    - ``double_bookings``: slots with more than one live appointment, anywhere in the book.
    - ``lost_bookings``: ids the API answered 201 with that are not in the database.
    - ``booked_without_appointment`` / ``appointment_on_free_slot``: rush slots whose
      ``booked`` flag disagrees with their appointments.
    - ``unacknowledged_bookings``: live rush appointments made during the run that no client
      got a 201 for (a timed-out request that committed, say): not lost, but worth knowing.
    """

    def one(query: str, params: list[Any] | None = None) -> int:
        row = cur.execute(query, params).fetchone()
        return int(row[0]) if row else 0

    return {
        "double_bookings": one(DOUBLE_BOOKINGS),
        "lost_bookings": one(LOST_BOOKINGS, [created_ids]),
        "booked_without_appointment": one(BOOKED_WITHOUT_APPOINTMENT, [slot_ids]),
        "appointment_on_free_slot": one(APPOINTMENT_ON_FREE_SLOT, [slot_ids]),
        "unacknowledged_bookings": one(UNACKNOWLEDGED, [slot_ids, since, created_ids]),
    }
