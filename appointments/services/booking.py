"""Book, cancel, reschedule and annotate appointments without ever giving a slot twice.

How double booking is prevented (ADR 0020): a slot is *claimed* with one conditional UPDATE
(``booked = true WHERE id = ? AND NOT booked AND NOT withdrawn``). PostgreSQL row locking makes
concurrent claims queue on the row; after the winner commits, every other UPDATE re-checks
the condition, matches nothing and the service answers 409. The partial unique index "one
live appointment per slot" and the exclusion constraint "no overlapping live appointments
per patient" back this up; their violations are translated into ``Conflict`` too.

Lock order, everywhere: the patient, then the appointment, then slots by id
(``appointments.services.locks``, ADR 0020); each service is retried once if PostgreSQL still
picks it as a deadlock victim, then answers 409 (``common.contention``). Every change writes
an ``AppointmentEvent`` and calls ``hooks.on_appointment_changed`` in the same transaction.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from appointments import hooks
from appointments.models import (
    CANCELLED_STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Channel,
    RotaException,
    Slot,
)
from appointments.services._db import quote, violated_constraint
from appointments.services.locks import lock_patient, lock_slots
from audit.services import audit_write
from common.contention import retry_on_contention
from common.errors import Conflict, NotFound, ServiceError
from common.prepared import (
    fast_cursor,
    insert_values,
    on_postgres,
    typed_placeholders,
)
from patients.models import Patient
from policy import appointments as policy
from policy.actor import Actor

SLOT_TAKEN = "That slot has just been booked by someone else. Please choose another."
PATIENT_OVERLAP = (
    "This patient already has another appointment at that time. "
    "Cancel or move that one first, or choose another time."
)


def _integrity_conflict(exc: IntegrityError) -> Conflict:
    name = violated_constraint(exc)
    if name == "appointment_patient_no_overlap":
        return Conflict(PATIENT_OVERLAP)
    if name == "appointment_one_live_per_slot":
        return Conflict(SLOT_TAKEN)
    return Conflict("The appointment book changed while you were booking. Please try again.")


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %a %d %b %Y}"


def _check_bookable(slot: Slot, *, now: datetime.datetime, embargo_override_reason: str) -> bool:
    """Refuse past slots; return whether the booking overrides an embargo."""
    if slot.start <= now:
        raise ServiceError("That slot is in the past: choose a slot later than now.")
    if slot.withdrawn:
        raise Conflict(
            "That slot has been withdrawn (the clinician is away). Please choose another."
        )
    embargoed = slot.release_at is not None and slot.release_at > now
    if embargoed and not embargo_override_reason.strip():
        raise ServiceError(
            f"That slot is not released until {_local(slot.release_at)}"  # type: ignore[arg-type]
            ". To book it now, give a reason for overriding the embargo.",
            code="embargoed",
        )
    return embargoed


def record_event(
    appointment: Appointment,
    *,
    actor: Actor | None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    detail: dict[str, Any] | None = None,
    patient: Patient | None = None,
    practice_id: int | None = None,
) -> AppointmentEvent:
    """The appointment's own history row and, for a person's action, the audit event."""
    event = AppointmentEvent.objects.create(
        appointment=appointment,
        by=actor.user if actor is not None else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail or {},
    )
    if actor is not None:
        audit_appointment_action(
            appointment,
            actor=actor,
            action=action,
            patient=patient or appointment.patient,
            practice_id=practice_id,
        )
    return event


def audit_appointment_action(
    appointment: Appointment,
    *,
    actor: Actor,
    action: str,
    patient: Patient,
    practice_id: int | None,
) -> None:
    """Booked, cancelled, moved, arrived, DNA, started, finished, note: one audit event each,
    in the same transaction as the change (ADR 0032). ``practice_id`` is the practice holding
    the appointment: the basis says whether the actor acted for it, for another practice of
    the federation or as the patient."""
    audit_write(
        actor=actor,
        action=action,
        basis=policy.appointment_basis(actor, practice_id=practice_id).basis,
        patient=patient,
        object_type="appointment",
        object_id=appointment.pk,
        detail=f"{timezone.localtime(appointment.start):%Y-%m-%d %H:%M}",
    )


@retry_on_contention
def appointment_book(
    *,
    slot: Slot,
    patient: Patient,
    actor: Actor,
    channel: str | None = None,
    note: str = "",
    embargo_override_reason: str = "",
    now: datetime.datetime | None = None,
) -> Appointment:
    """Book ``slot`` for ``patient``. Raises Conflict (409) if the slot was taken meanwhile."""
    now = now or timezone.now()
    channel = policy.booking_channel(actor, slot=slot, requested=channel)
    if patient.is_deceased:
        raise ServiceError("This patient is recorded as deceased and cannot be booked.")
    overriding = _check_bookable(slot, now=now, embargo_override_reason=embargo_override_reason)
    policy.check_may_book(
        actor, slot=slot, patient=patient, channel=channel, overriding_embargo=overriding,
        now=now,
    )
    reason = embargo_override_reason.strip() if overriding else ""
    appointment = Appointment(
        slot=slot,
        patient=patient,
        clinician_id=slot.clinician_id,
        site_id=slot.site_id,
        start=slot.start,
        end=slot.end,
        status=AppointmentStatus.BOOKED,
        channel=channel,
        booked_by=actor.user,
        booked_from_site_id=actor.site_id if channel != Channel.ONLINE else None,
        note=note,
        embargo_override_reason=reason,
    )
    detail: dict[str, Any] = {"slot": slot.pk, "channel": channel}
    if reason:
        detail["embargo_override_reason"] = reason
        detail["release_at"] = slot.release_at.isoformat()  # type: ignore[union-attr]
    event = AppointmentEvent(
        by=actor.user, action="booked", to_status=AppointmentStatus.BOOKED, detail=detail
    )
    try:
        with transaction.atomic():
            # Lock order: the patient, then the slot (the claim). Holding the patient also
            # serialises their online bookings, so two at once cannot both pass the limit.
            lock_patient(patient.pk)
            if channel == Channel.ONLINE:
                policy.check_online_limit(patient, now=now)
            claimed = _claim_and_insert(slot_id=slot.pk, appointment=appointment, event=event)
            if claimed:
                audit_appointment_action(
                    appointment,
                    actor=actor,
                    action="booked",
                    patient=patient,
                    practice_id=slot.practice_id,
                )
                hooks.on_appointment_changed(appointment=appointment, change="booked")
    except IntegrityError as exc:
        raise _integrity_conflict(exc) from None
    if not claimed:
        # Raised after the transaction, which wrote nothing and so commits: a rollback would
        # also make psycopg deallocate every prepared statement of the connection, and at
        # the 8am rush a taken slot is an everyday answer, not an error.
        raise Conflict(SLOT_TAKEN)
    slot.booked = True
    return appointment


@cache
def _claim_and_insert_sql() -> str:
    slot_table = quote(Slot._meta.db_table)
    booked = typed_placeholders(Appointment)
    event = dict(typed_placeholders(AppointmentEvent))
    event.pop("appointment_id")
    return f"""
        WITH claimed AS (
            UPDATE {slot_table} SET "booked" = true
             WHERE "id" = %s AND NOT "booked" AND NOT "withdrawn"
         RETURNING "id"
        ), booked AS (
            INSERT INTO {quote(Appointment._meta.db_table)} ({", ".join(map(quote, booked))})
            SELECT {", ".join(booked.values())} FROM claimed
         RETURNING "id"
        )
        INSERT INTO {quote(AppointmentEvent._meta.db_table)}
               ("appointment_id", {", ".join(map(quote, event))})
        SELECT booked."id", {", ".join(event.values())} FROM booked
     RETURNING "appointment_id"
    """  # noqa: S608 - names from the models, every value a parameter


def _claim_and_insert(*, slot_id: int, appointment: Appointment, event: AppointmentEvent) -> bool:
    """Claim the slot, insert the appointment and its "booked" event: one statement, so one
    round trip. The claim is the conditional UPDATE of ADR 0020; when it matches no row (the
    slot was taken) nothing is inserted and this returns False. Constraint violations raise
    ``IntegrityError`` as ``save()`` would. (The SQLite demo takes the same three steps
    through the ORM.)"""
    if not on_postgres():
        if not Slot.objects.filter(pk=slot_id, booked=False, withdrawn=False).update(booked=True):
            return False
        appointment.save(force_insert=True)
        event.appointment = appointment
        event.save(force_insert=True)
        return True
    event_values = insert_values(event)
    event_values.pop("appointment_id")
    params = [slot_id, *insert_values(appointment).values(), *event_values.values()]
    with fast_cursor() as cursor:
        cursor.execute(_claim_and_insert_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return False
    appointment.pk = event.appointment_id = row[0]
    appointment._state.adding = event._state.adding = False
    return True


def lock_for_change(appointment: Appointment) -> Appointment:
    """Re-read the appointment under a row lock (the first lock every change takes).

    The locking query reads the appointment table alone: with a join (``select_related``),
    PostgreSQL re-checks a row updated meanwhile against the *old* joined slot row, drops
    it, and a concurrent reschedule would look like a deleted appointment.
    """
    try:
        return Appointment.objects.select_for_update().get(pk=appointment.pk)
    except Appointment.DoesNotExist:
        raise NotFound("That appointment no longer exists.") from None


def _free(slot_id: int) -> None:
    """Release a slot; if its clinician is on leave by now, it goes straight to withdrawn."""
    in_leave = Exists(
        RotaException.objects.filter(
            clinician_id=OuterRef("clinician_id"),
            start__lt=OuterRef("end"),
            end__gt=OuterRef("start"),
        )
    )
    Slot.objects.filter(pk=slot_id).update(booked=False, withdrawn=in_leave)


def refuse_state(appointment: Appointment, doing: str) -> Conflict:
    return Conflict(
        f"This appointment is {appointment.get_status_display().lower()}, so it cannot be {doing}."
    )


CANCEL_BY = {
    "patient": AppointmentStatus.CANCELLED_BY_PATIENT,
    "practice": AppointmentStatus.CANCELLED_BY_PRACTICE,
}


@retry_on_contention
def appointment_cancel(
    *, appointment: Appointment, actor: Actor, by: str, reason: str
) -> Appointment:
    """Cancel on behalf of the patient or the practice; the slot becomes free again."""
    policy.check_may_change(actor, appointment=appointment)
    if by not in CANCEL_BY:
        raise ServiceError('Say who is cancelling: "patient" or "practice".')
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give a reason for cancelling.")
    if len(reason) > 300:
        raise ServiceError("Keep the reason under 300 characters.")
    with transaction.atomic():
        lock_patient(appointment.patient_id)
        locked = lock_for_change(appointment)
        if locked.status != AppointmentStatus.BOOKED:
            raise refuse_state(locked, "cancelled")
        previous = locked.status
        locked.status = CANCEL_BY[by]
        locked.cancel_reason = reason
        locked.save(update_fields=["status", "cancel_reason", "status_changed_at"])
        _free(locked.slot_id)
        record_event(
            locked,
            actor=actor,
            patient=appointment.patient,
            practice_id=appointment.site.practice_id,
            action="cancelled",
            from_status=previous,
            to_status=locked.status,
            detail={"by": by, "reason": reason, "slot": locked.slot_id},
        )
        hooks.on_appointment_changed(appointment=locked, change="cancelled")
    return locked


@retry_on_contention
def appointment_reschedule(
    *,
    appointment: Appointment,
    slot: Slot,
    actor: Actor,
    embargo_override_reason: str = "",
    now: datetime.datetime | None = None,
) -> Appointment:
    """Move a booked appointment to ``slot`` in one transaction: both changes or neither."""
    now = now or timezone.now()
    policy.check_may_change(actor, appointment=appointment)
    if slot.pk == appointment.slot_id:
        raise ServiceError("The appointment is already in that slot.")
    if appointment.start <= now:
        raise ServiceError("This appointment has already started, so it cannot be moved.")
    overriding = _check_bookable(slot, now=now, embargo_override_reason=embargo_override_reason)
    channel = policy.booking_channel(actor, slot=slot)
    policy.check_may_book(
        actor,
        slot=slot,
        patient=appointment.patient,
        channel=channel,
        overriding_embargo=overriding,
    )
    try:
        with transaction.atomic():
            lock_patient(appointment.patient_id)
            locked = lock_for_change(appointment)
            if locked.status != AppointmentStatus.BOOKED:
                raise refuse_state(locked, "moved")
            lock_slots([locked.slot_id, slot.pk])
            previous_slot = locked.slot
            claimed = Slot.objects.filter(pk=slot.pk, booked=False, withdrawn=False).update(
                booked=True
            )
            if not claimed:
                raise Conflict(SLOT_TAKEN)
            locked.slot = slot
            locked.clinician_id = slot.clinician_id
            locked.site_id = slot.site_id
            locked.start = slot.start
            locked.end = slot.end
            fields = ["slot", "clinician", "site", "start", "end", "status_changed_at"]
            if overriding:
                locked.embargo_override_reason = embargo_override_reason.strip()
                fields.append("embargo_override_reason")
            locked.save(update_fields=fields)
            _free(previous_slot.pk)
            detail: dict[str, Any] = {
                "from_slot": previous_slot.pk,
                "to_slot": slot.pk,
                "from_start": previous_slot.start.isoformat(),
                "to_start": slot.start.isoformat(),
            }
            if overriding:
                detail["embargo_override_reason"] = locked.embargo_override_reason
            record_event(
                locked,
                actor=actor,
                patient=appointment.patient,
            practice_id=appointment.site.practice_id,
                action="rescheduled",
                from_status=locked.status,
                to_status=locked.status,
                detail=detail,
            )
            hooks.on_appointment_changed(
                appointment=locked, change="rescheduled", previous_slot=previous_slot
            )
    except IntegrityError as exc:
        raise _integrity_conflict(exc) from None
    return locked


@retry_on_contention
def appointment_note_set(*, appointment: Appointment, actor: Actor, note: str) -> Appointment:
    """Add or replace the booking note (shown to reception and the clinician)."""
    policy.check_may_change(actor, appointment=appointment)
    note = (note or "").strip()
    if len(note) > 500:
        raise ServiceError("Keep the note under 500 characters.")
    with transaction.atomic():
        locked = lock_for_change(appointment)
        if locked.status in CANCELLED_STATUSES:
            raise refuse_state(locked, "annotated")
        previous = locked.note
        locked.note = note
        locked.save(update_fields=["note", "status_changed_at"])
        record_event(
            locked,
            actor=actor,
            patient=appointment.patient,
            practice_id=appointment.site.practice_id,
            action="note_changed",
            from_status=locked.status,
            to_status=locked.status,
            detail={"from": previous, "to": note},
        )
    return locked
