"""What happened on the day: arrived -> in consultation -> finished, or did not attend (DNA).

Legal transitions only; anything else is a 409 with a message naming the current status.
The overnight ``appointments_mark_dna`` marks appointments still "booked" after their end.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from appointments.models import Appointment, AppointmentEvent, AppointmentStatus
from appointments.services.booking import lock_for_change, record_event, refuse_state
from common.contention import retry_on_contention
from common.errors import Conflict
from policy import appointments as policy
from policy.actor import Actor

logger = logging.getLogger(__name__)

S = AppointmentStatus
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # action: (allowed from, to, how to say it in an error)
    "arrived": ((S.BOOKED,), S.ARRIVED, "marked arrived"),
    "started": ((S.BOOKED, S.ARRIVED), S.IN_CONSULTATION, "started"),
    "finished": ((S.IN_CONSULTATION,), S.FINISHED, "finished"),
    "dna": ((S.BOOKED,), S.DNA, "marked as did not attend"),
}


@retry_on_contention
def _transition(
    *, appointment: Appointment, actor: Actor, action: str, now: datetime.datetime | None
) -> Appointment:
    policy.check_may_record_attendance(actor, appointment=appointment)
    allowed, target, doing = TRANSITIONS[action]
    now = now or timezone.now()
    with transaction.atomic():
        # Lock order (appointments.services.locks): only the appointment, step 2.
        locked = lock_for_change(appointment)
        if locked.status not in allowed:
            raise refuse_state(locked, doing)
        if action == "dna" and locked.start > now:
            raise Conflict("The appointment has not started yet, so it cannot be marked DNA.")
        previous = locked.status
        locked.status = target
        fields = ["status", "status_changed_at"]
        if action == "arrived":
            locked.arrived_at = now
            fields.append("arrived_at")
        locked.save(update_fields=fields)
        record_event(
            locked,
            actor=actor,
            action=action,
            from_status=previous,
            to_status=target,
            patient=appointment.patient,
            practice_id=appointment.site.practice_id,
        )
    return locked


def appointment_arrive(
    *, appointment: Appointment, actor: Actor, now: datetime.datetime | None = None
) -> Appointment:
    return _transition(appointment=appointment, actor=actor, action="arrived", now=now)


def appointment_start(
    *, appointment: Appointment, actor: Actor, now: datetime.datetime | None = None
) -> Appointment:
    return _transition(appointment=appointment, actor=actor, action="started", now=now)


def appointment_finish(
    *, appointment: Appointment, actor: Actor, now: datetime.datetime | None = None
) -> Appointment:
    return _transition(appointment=appointment, actor=actor, action="finished", now=now)


def appointment_mark_dna(
    *, appointment: Appointment, actor: Actor, now: datetime.datetime | None = None
) -> Appointment:
    return _transition(appointment=appointment, actor=actor, action="dna", now=now)


def appointments_mark_dna(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Mark every appointment still "booked" whose end has passed as DNA. Idempotent.

    Works in small batches; rows are claimed with ``FOR UPDATE SKIP LOCKED`` so a second
    worker or a receptionist changing one of them at the same moment is never overwritten.
    """
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Appointment.objects.select_for_update(skip_locked=True)
                .filter(status=S.BOOKED, end__lte=now)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            Appointment.objects.filter(pk__in=ids).update(status=S.DNA, status_changed_at=now)
            AppointmentEvent.objects.bulk_create(
                AppointmentEvent(
                    appointment_id=pk,
                    by=None,
                    action="dna",
                    from_status=S.BOOKED,
                    to_status=S.DNA,
                    detail={"automatic": True},
                )
                for pk in ids
            )
        total += len(ids)
        if len(ids) < batch_size:
            break
    logger.info("appointments_mark_dna: %s appointments marked DNA", total)
    return total
