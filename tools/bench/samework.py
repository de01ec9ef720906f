"""The same-work ceiling (ADR 0043): a booking's own writes, in one transaction, no framework.

``POST /bench/same-work/`` with the booking's body (``{"slot": id, "patient": id}``) runs the
statements a booking must run whatever code runs them: claim the slot (the conditional
UPDATE of ADR 0020), insert the appointment, its "booked" history event and its outbox rows
(a confirmation and a reminder), then commit. Plain psycopg on one connection per server
thread, with psycopg's own defaults (server-side binding, statements prepared after five
runs); no Django, no DRF, no authentication, no policy, no reads. It answers 201 with the
appointment's id, or 409 when the slot was taken, so the booking phase's clients and its
database check work unchanged. ``booking ÷ same_work`` says how much of the best a booking
could do the product keeps.

It is served by the bench's WSGI entry (``application`` below) in front of the app, in the
same gunicorn workers and threads as the booking endpoint.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

import psycopg

PATH = "/bench/same-work/"

CLAIM = """
UPDATE appointments_slot SET booked = true
 WHERE id = %s AND NOT booked AND NOT withdrawn
RETURNING clinician_id, site_id, practice_id, start, "end"
"""
APPOINTMENT = """
INSERT INTO appointments_appointment (
    slot_id, patient_id, clinician_id, site_id, start, "end", status, channel, booked_by_id,
    booked_from_site_id, booked_at, note, embargo_override_reason, cancel_reason,
    status_changed_at
) VALUES (%s, %s, %s, %s, %s, %s, 'booked', 'reception', %s, %s, now(), '', '', '', now())
RETURNING id
"""
EVENT = """
INSERT INTO appointments_appointmentevent (appointment_id, by_id, at, action, from_status,
                                           to_status, detail)
VALUES (%s, %s, now(), 'booked', '', 'booked', %s)
"""
_OUTBOX_ROW = (
    "(gen_random_uuid(), %s, %s, %s, %s, 'sms', 1, %s, %s, 'pending', %s, %s, %s, 0, '', '', "
    "'', now(), now())"
)
OUTBOX = f"""
INSERT INTO notifications_outboxmessage (
    reference, appointment_id, patient_id, practice_id, kind, channel, appointment_version,
    hours_before, appointment_start, status, due_at, not_before, next_attempt_at, attempts,
    provider_id, recipient, last_error, created_at, updated_at
) VALUES {_OUTBOX_ROW}, {_OUTBOX_ROW}
"""  # noqa: S608 - constant SQL, every value a parameter
BOOKER = "SELECT user_id FROM staff_staffmember WHERE role = 'reception' ORDER BY id LIMIT 1"

_local = threading.local()


def _connection() -> psycopg.Connection[Any]:
    conn: psycopg.Connection[Any] | None = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(os.environ["DATABASE_URL"])
        _local.conn = conn
        row = conn.execute(BOOKER).fetchone()
        conn.commit()
        _local.booker = row[0] if row else None
    return conn


def book(slot_id: int, patient_id: int) -> int | None:
    """The booking's writes; the appointment's id, or None when the slot was taken."""
    conn = _connection()
    booker = _local.booker
    with conn.transaction(), conn.cursor() as cur:
        claimed = cur.execute(CLAIM, [slot_id]).fetchone()
        if claimed is None:
            return None
        clinician, site, practice, start, end = claimed
        cur.execute(APPOINTMENT, [slot_id, patient_id, clinician, site, start, end, booker, site])
        row = cur.fetchone()
        assert row is not None
        appointment = row[0]
        cur.execute(EVENT, [appointment, booker, json.dumps({"slot": slot_id})])
        now, remind = datetime.datetime.now(datetime.UTC), start - datetime.timedelta(hours=24)
        cur.execute(
            OUTBOX,
            [
                *(appointment, patient_id, practice, "confirmation", 0, start, now, now, now),
                *(appointment, patient_id, practice, "reminder", 24, start, remind, remind, remind),
            ],
        )
    return int(appointment)


StartResponse = Callable[..., Any]


def _answer(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length))
        slot, patient = int(body["slot"]), int(body["patient"])
    except (ValueError, KeyError, TypeError):
        return _answer(start_response, "400 Bad Request", {"error": "invalid"})
    appointment = book(slot, patient)
    if appointment is None:
        return _answer(start_response, "409 Conflict", {"error": "conflict"})
    return _answer(start_response, "201 Created", {"id": appointment})


def wrap(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """``app`` with ``POST /bench/same-work/`` answered before it."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "POST":
            return handle(environ, start_response)
        return app(environ, start_response)

    return application
