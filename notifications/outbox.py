"""Write and void outbox rows inside the booking change's own transaction.

``record_appointment_change`` is what ``appointments.hooks.on_appointment_changed`` delegates
to. It must run inside the transaction that books, cancels or moves the appointment: then the
messages exist if and only if the change committed. Nothing is sent here; after commit a
dispatcher run is asked for (``kick_dispatcher``), and if the broker is down the messages wait
for the beat.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from appointments.models import Appointment
from common.prepared import insert_many
from notifications.models import Kind, OutboxMessage, Status
from notifications.schedule import channels_for, reminder_hours, reminder_times, send_from

logger = logging.getLogger(__name__)

BOOKED = "booked"
CANCELLED = "cancelled"
RESCHEDULED = "rescheduled"
CHANGES = (BOOKED, CANCELLED, RESCHEDULED)

FAIL_FAST = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 2}

KICK_SECONDS = 1.0
"""After a commit, a dispatcher run starts within about this long (ADR 0050, point 4)."""
_KICK_MARGIN = 0.25  # the run waits this much past the window: clocks and commits settle

# When this process may next ask for a dispatcher run (time.monotonic()), shared by threads.
_kick_lock = threading.Lock()
_kick_quiet_until = 0.0


def kick_dispatcher() -> None:
    """After commit: make sure a dispatcher run (``notifications.dispatch_due``) starts within
    about ``KICK_SECONDS``. Never raises.

    One publish per process per window, however many bookings commit in it: the run is
    scheduled for the end of the window, after every booking that skipped its own publish
    because of this one had committed, so it finds all of their rows. At the 8am rush that
    is one broker round trip a second instead of one per booking. If the broker is
    unreachable the window is reopened (the next commit tries again) and the rows wait for
    the beat, which runs the same task every minute.
    """
    global _kick_quiet_until
    now = time.monotonic()
    with _kick_lock:
        if now < _kick_quiet_until:
            return
        _kick_quiet_until = now + KICK_SECONDS
    from notifications.tasks import dispatch_due

    try:
        # A fresh fail-fast connection: with the broker down, kombu's default reconnect loop
        # would hold the request for seconds.
        with current_app.connection_for_write(transport_options=FAIL_FAST) as connection:
            options: dict[str, Any] = {"connection": connection}  # celery-types lack it
            dispatch_due.apply_async(
                countdown=KICK_SECONDS + _KICK_MARGIN,
                expires=60,  # if no worker takes it by then, the beat has done the work
                retry=False,
                **options,
            )
    except Exception:
        with _kick_lock:
            _kick_quiet_until = 0.0
        logger.warning(
            "Could not enqueue a dispatcher run; the next booking or the beat will send the "
            "messages.",
            exc_info=True,
        )


def reset_kick() -> None:
    """Forget the current window (tests: each starts with no run pending)."""
    global _kick_quiet_until
    with _kick_lock:
        _kick_quiet_until = 0.0


VOIDABLE_KINDS = (Kind.CONFIRMATION, Kind.REMINDER, Kind.RESCHEDULE)


def record_appointment_change(
    *,
    appointment: Appointment,
    change: str,
    previous_start: datetime.datetime | None = None,
) -> None:
    """Write the messages a booking change causes; void the ones it makes wrong.

    - booked: a confirmation now, and reminders per the practice's policy.
    - rescheduled: void pending confirmation/reminders/notices, then a reschedule notice now and
      fresh reminders for the new time (a new ``appointment_version``, so new unique keys).
    - cancelled: void pending confirmation/reminders/notices, then a cancellation notice now
      (only if the appointment was still in the future).

    Calling it twice for the same "booked" or "cancelled" change writes nothing more.
    """
    if change not in CHANGES:
        raise ValueError(f"change must be one of {CHANGES}, not {change!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_appointment_change must run inside the booking transaction.")
    now = timezone.now()
    if change == BOOKED:
        # The booking transaction created this appointment, so it holds the row and no earlier
        # messages exist: version 1. A repeated call is absorbed by the unique key.
        version, notice = 1, Kind.CONFIRMATION
    else:
        # The booking service holds this lock already; taking it here makes version numbering
        # safe even for a caller that does not.
        list(
            Appointment.objects.select_for_update()
            .filter(pk=appointment.pk)
            .order_by()
            .values_list("pk")
        )
        current = (
            OutboxMessage.objects.filter(appointment_id=appointment.pk).aggregate(
                v=Max("appointment_version")
            )["v"]
            or 0
        )
        if change == RESCHEDULED:
            void_pending(appointment_id=appointment.pk, reason="appointment moved")
            version, notice = current + 1, Kind.RESCHEDULE
        else:
            void_pending(appointment_id=appointment.pk, reason="appointment cancelled")
            version, notice = max(current, 1), Kind.CANCELLATION

    if appointment.start <= now:
        return
    rows = _planned_rows(
        appointment=appointment,
        version=version,
        notice=notice,
        with_reminders=change != CANCELLED,
        previous_start=previous_start if change == RESCHEDULED else None,
        now=now,
    )
    if not rows:
        return
    insert_many(rows, ignore_conflicts=True)  # bulk_create's INSERT, prepared
    if any(row.next_attempt_at <= now for row in rows):
        transaction.on_commit(kick_dispatcher, robust=True)


def void_pending(*, appointment_id: int, reason: str) -> int:
    """Void the appointment's pending confirmation, reminders and notices (pending rows only:
    a row a worker is sending is left to the worker, which re-checks the appointment)."""
    return OutboxMessage.objects.filter(
        appointment_id=appointment_id, status=Status.PENDING, kind__in=VOIDABLE_KINDS
    ).update(status=Status.VOID, last_error=reason[:500], updated_at=timezone.now())


def _planned_rows(
    *,
    appointment: Appointment,
    version: int,
    notice: str,
    with_reminders: bool,
    previous_start: datetime.datetime | None,
    now: datetime.datetime,
) -> list[OutboxMessage]:
    channels = channels_for(appointment.patient)
    if not channels:
        return []
    hours = reminder_hours(appointment) if with_reminders else ()
    common = {
        "appointment_id": appointment.pk,
        "patient_id": appointment.patient_id,
        "practice_id": appointment.slot.practice_id,
        "appointment_version": version,
        "appointment_start": appointment.start,
    }
    rows = []
    for channel in channels:
        not_before = send_from(channel, now)
        rows.append(
            OutboxMessage(
                **common,
                kind=notice,
                channel=channel,
                previous_start=previous_start,
                due_at=now,
                not_before=not_before,
                next_attempt_at=not_before,
            )
        )
        for before, due, not_before in reminder_times(
            start=appointment.start, hours=hours, channel=channel, now=now
        ):
            rows.append(
                OutboxMessage(
                    **common,
                    kind=Kind.REMINDER,
                    channel=channel,
                    hours_before=before,
                    due_at=due,
                    not_before=not_before,
                    next_attempt_at=not_before,
                )
            )
    return rows
