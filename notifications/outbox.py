"""Write and void outbox rows inside the booking change's own transaction.

``record_appointment_change`` is what ``appointments.hooks.on_appointment_changed`` delegates
to. It must run inside the transaction that books, cancels or moves the appointment: then the
messages exist if and only if the change committed. Nothing is sent here; immediate messages
are handed to Celery after commit, and if the broker is down they wait for the beat.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
from functools import partial
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from appointments.models import Appointment
from notifications.models import Kind, OutboxMessage, Status
from notifications.schedule import channels_for, reminder_hours, reminder_times, send_from

logger = logging.getLogger(__name__)

BOOKED = "booked"
CANCELLED = "cancelled"
RESCHEDULED = "rescheduled"
CHANGES = (BOOKED, CANCELLED, RESCHEDULED)

FAIL_FAST = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 2}

# One broker connection per thread, kept between bookings: opening a new one for every
# booking (TCP connect, kombu transport and channel set-up) cost more CPU than the publish.
# A connection that failed is dropped, so the next booking opens a fresh one (that booking's
# messages wait for the dispatcher, as when the broker is down); a changed broker URL too.
_broker = threading.local()


def _broker_connection() -> Any:
    url = current_app.conf.broker_url
    kept = getattr(_broker, "kept", None)
    if kept is not None and kept[0] == url:
        return kept[1]
    _drop_broker_connection()
    connection = current_app.connection_for_write(transport_options=FAIL_FAST)
    _broker.kept = (url, connection)
    return connection


def _drop_broker_connection() -> None:
    kept = getattr(_broker, "kept", None)
    _broker.kept = None
    if kept is not None:
        with contextlib.suppress(Exception):  # it is being thrown away either way
            kept[1].release()


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
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(partial(enqueue_due_for_appointment, appointment.pk), robust=True)


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


def enqueue_due_for_appointment(appointment_id: int) -> None:
    """After commit: hand this appointment's due messages to Celery at once.

    Never raises. If the broker is unreachable the rows stay pending and the next
    ``dispatch_due`` beat picks them up; the booking has already committed either way.
    """
    from notifications.dispatch import publish

    try:
        ids = list(
            OutboxMessage.objects.filter(
                appointment_id=appointment_id,
                status=Status.PENDING,
                next_attempt_at__lte=timezone.now(),
            ).values_list("pk", flat=True)
        )
        if not ids:
            return
        # One quick try on this thread's own connection: with the broker down, kombu's
        # default reconnect loop would hold the booking request for seconds.
        try:
            publish(ids, retry=False, connection=_broker_connection())
        except Exception:
            _drop_broker_connection()
            raise
        OutboxMessage.objects.filter(pk__in=ids, enqueued_at__isnull=True).update(
            enqueued_at=timezone.now()
        )
    except Exception:
        logger.warning(
            "Could not enqueue messages for appointment %s; the dispatcher will send them.",
            appointment_id,
            exc_info=True,
        )
