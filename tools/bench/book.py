"""The appointment book of the data set, written in SQL: sessions, slots, existing bookings.

Sessions come from the weekly templates (08:00-12:00 and 14:00-18:00 on weekdays). A day that
has no template of its own (the rush day on a weekend) borrows Monday's rota as extra sessions
with no template, so the rush can be run on any day of the week.
"""

from __future__ import annotations

import datetime
from typing import Any

from psycopg import Cursor

from tools.bench.sqlutil import defaults_for_unknown_columns

_TEMPLATE_WEEKDAY = """
CASE WHEN extract(isodow FROM {day}) <= 5 THEN extract(isodow FROM {day})::int - 1 ELSE 0 END
"""

SESSIONS_AND_SLOTS = f"""
WITH days AS (
    SELECT d::date AS day FROM unnest(%(days)s::date[]) AS d
), new_sessions AS (
    INSERT INTO appointments_session (clinician_id, site_id, start, "end", template_id, cancelled)
    SELECT t.clinician_id, t.site_id,
           (days.day + t.start_time) AT TIME ZONE %(tz)s,
           (days.day + t.end_time) AT TIME ZONE %(tz)s,
           CASE WHEN t.weekday = extract(isodow FROM days.day)::int - 1 THEN t.id END,
           false
    FROM days
    JOIN appointments_sessiontemplate t
      ON t.weekday = {_TEMPLATE_WEEKDAY.format(day="days.day")}
    WHERE NOT EXISTS (
        SELECT 1 FROM appointments_session s
        WHERE s.clinician_id = t.clinician_id
          AND s.start = (days.day + t.start_time) AT TIME ZONE %(tz)s
    )
    RETURNING id, clinician_id, site_id, start, "end"
)
INSERT INTO appointments_slot (
    session_id, practice_id, site_id, clinician_id, role, appointment_type_id, mode,
    start, "end", online, federation, release_at, booked
)
SELECT s.id, site.practice_id, s.site_id, s.clinician_id, staff.role, t.appointment_type_id,
       kind.mode,
       s.start + g * make_interval(mins => t.slot_minutes::int),
       s.start + (g + 1) * make_interval(mins => t.slot_minutes::int),
       t.online, t.federation,
       CASE WHEN t.release_time IS NOT NULL THEN
           (((s.start AT TIME ZONE %(tz)s)::date - t.release_days_before::int) + t.release_time)
           AT TIME ZONE %(tz)s
       END,
       -- Chosen for an existing booking now, so that no second pass rewrites 30%% of the
       -- table; prebook() books these and frees any it has no patient for.
       s.start + g * make_interval(mins => t.slot_minutes::int) > now()
       AND (s.start AT TIME ZONE %(tz)s)::date IS DISTINCT FROM %(rush_day)s::date
       AND (hashtext(s.clinician_id::text || '/' || s.start::text || '/' || g::text) & 1023)
           < %(threshold)s
FROM new_sessions s
JOIN appointments_sessiontemplate t
  ON t.clinician_id = s.clinician_id
 AND t.start_time = (s.start AT TIME ZONE %(tz)s)::time
 AND t.weekday = {_TEMPLATE_WEEKDAY.format(day="(s.start AT TIME ZONE %(tz)s)")}
JOIN practices_site site ON site.id = s.site_id
JOIN staff_staffmember staff ON staff.id = s.clinician_id
JOIN appointments_appointmenttype kind ON kind.id = t.appointment_type_id
CROSS JOIN LATERAL generate_series(
    0, (extract(epoch FROM s."end" - s.start) / 60)::int / t.slot_minutes - 1
) AS g
"""  # noqa: S608 - the f-string only inserts constant SQL fragments

SESSION_COLUMNS = ("clinician_id", "site_id", "start", "end", "template_id", "cancelled")
SLOT_COLUMNS = (
    "session_id",
    "practice_id",
    "site_id",
    "clinician_id",
    "role",
    "appointment_type_id",
    "mode",
    "start",
    "end",
    "online",
    "federation",
    "release_at",
    "booked",
)

# Existing bookings: a share of future slots (never on the rush day) already taken, each by
# a different patient of the slot's practice (the first patients of each list: the rush books
# for the last ones), booked at reception by the practice's first receptionist.
PREBOOK = """
WITH candidates AS (
    SELECT sl.id, sl.practice_id, sl.site_id, sl.clinician_id, sl.start, sl."end",
           row_number() OVER (PARTITION BY sl.practice_id ORDER BY sl.id) AS rn
    FROM appointments_slot sl
    WHERE sl.booked AND NOT EXISTS (
        SELECT 1 FROM appointments_appointment a WHERE a.slot_id = sl.id
    )
), patients AS (
    SELECT id, registered_practice_id,
           row_number() OVER (PARTITION BY registered_practice_id ORDER BY id) AS rn
    FROM records_patient
), bookers AS (
    SELECT DISTINCT ON (practice_id) practice_id, user_id
    FROM staff_staffmember WHERE role = 'reception' ORDER BY practice_id, id
)
INSERT INTO appointments_appointment (
    slot_id, patient_id, clinician_id, site_id, start, "end", status, channel, booked_by_id,
    booked_from_site_id, booked_at, note, embargo_override_reason, cancel_reason,
    status_changed_at
)
SELECT c.id, p.id, c.clinician_id, c.site_id, c.start, c."end", 'booked', 'reception',
       b.user_id, c.site_id, now() - interval '1 day', '', '', '', now() - interval '1 day'
FROM candidates c
JOIN patients p ON p.registered_practice_id = c.practice_id AND p.rn = c.rn
JOIN bookers b ON b.practice_id = c.practice_id
"""
APPOINTMENT_COLUMNS = (
    "slot_id",
    "patient_id",
    "clinician_id",
    "site_id",
    "start",
    "end",
    "status",
    "channel",
    "booked_by_id",
    "booked_from_site_id",
    "booked_at",
    "note",
    "embargo_override_reason",
    "cancel_reason",
    "status_changed_at",
)

FREE_UNMATCHED = """
UPDATE appointments_slot sl SET booked = false
WHERE sl.booked AND NOT EXISTS (SELECT 1 FROM appointments_appointment a WHERE a.slot_id = sl.id)
"""


def book_days(
    cur: Cursor[Any],
    days: list[datetime.date],
    *,
    tz: str,
    filled: list[str],
    prebooked: float = 0,
    rush_day: datetime.date | None = None,
) -> int:
    """Create the sessions and slots of ``days`` that do not exist yet; returns slots made.

    About ``prebooked`` of the future slots outside ``rush_day`` are marked booked, for
    ``prebook`` to give an appointment.
    """
    params = {
        "days": days,
        "tz": tz,
        "rush_day": rush_day,
        "threshold": round(prebooked * 1024),
    }
    with (
        defaults_for_unknown_columns(cur, "appointments_session", SESSION_COLUMNS, filled),
        defaults_for_unknown_columns(cur, "appointments_slot", SLOT_COLUMNS, filled),
    ):
        cur.execute(SESSIONS_AND_SLOTS, params)
        made = cur.rowcount  # before the defaults are dropped again
    return made


def prebook(cur: Cursor[Any], *, filled: list[str]) -> int:
    """Give each slot ``book_days`` marked booked an appointment, each for a different patient
    of its practice; slots left without one (more than the practice's patients) are freed."""
    with defaults_for_unknown_columns(cur, "appointments_appointment", APPOINTMENT_COLUMNS, filled):
        cur.execute(PREBOOK)
        made = cur.rowcount
    cur.execute(FREE_UNMATCHED)
    return made


def book_horizon(today: datetime.date, weeks: int, rush_day: datetime.date) -> list[datetime.date]:
    """Weekdays from today for ``weeks`` weeks, plus the rush day whatever day it is."""
    days = [today + datetime.timedelta(days=i) for i in range(weeks * 7)]
    chosen = {day for day in days if day.isoweekday() <= 5}
    chosen.add(rush_day)
    return sorted(chosen)
