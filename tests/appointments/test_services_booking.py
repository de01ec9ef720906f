from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from appointments.models import Appointment, AppointmentEvent, AppointmentStatus, Channel, Slot
from appointments.services.booking import (
    SLOT_TAKEN,
    appointment_book,
    appointment_cancel,
    appointment_note_set,
    appointment_reschedule,
)
from common.errors import Conflict, PermissionRefused, ServiceError
from tests.factories import PatientFactory, SiteFactory, StaffMemberFactory, future


def book(world, slot=None, patient=None, actor=None, **kwargs):
    return appointment_book(
        slot=slot or world.slot(),
        patient=patient or world.patient,
        actor=actor or world.actor(),
        **kwargs,
    )


def test_booking_claims_the_slot_and_records_who_where_and_how(world):
    slot = world.slot()
    appointment = book(world, slot=slot, actor=world.actor(site=world.kennington), note="Knee")
    appointment.refresh_from_db()
    slot.refresh_from_db()
    assert slot.booked
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.booked_by == world.receptionist.user
    assert appointment.booked_from_site == world.kennington
    assert appointment.channel == Channel.RECEPTION
    assert (appointment.start, appointment.end, appointment.clinician) == (
        slot.start,
        slot.end,
        slot.clinician,
    )
    assert appointment.note == "Knee"


def test_booking_writes_a_booked_event(world):
    appointment = book(world)
    event = AppointmentEvent.objects.get(appointment=appointment)
    assert (event.action, event.to_status, event.by) == (
        "booked",
        "booked",
        world.receptionist.user,
    )


def test_phone_channel_is_recorded_when_reception_asks_for_it(world):
    appointment = book(world, channel=Channel.PHONE)
    assert appointment.channel == Channel.PHONE


def test_booking_a_taken_slot_is_a_conflict_with_a_clear_message(world):
    slot = world.slot()
    book(world, slot=slot)
    with pytest.raises(Conflict) as excinfo:
        book(
            world,
            slot=Slot.objects.get(pk=slot.pk),
            patient=PatientFactory(registered_practice=world.practice),
        )
    assert excinfo.value.message == SLOT_TAKEN
    assert Appointment.objects.filter(slot=slot).count() == 1


def test_stale_slot_object_still_cannot_be_booked_twice(world):
    slot = world.slot()
    stale = Slot.objects.get(pk=slot.pk)
    book(world, slot=slot)
    other = PatientFactory(registered_practice=world.practice)
    with pytest.raises(Conflict):
        book(world, slot=stale, patient=other)


def test_patient_cannot_hold_two_overlapping_appointments(world):
    first = world.slot()
    other_gp = StaffMemberFactory(practice=world.practice, sites=[world.kennington])
    same_time = world.slot(clinician=other_gp, site_obj=world.kennington, start=first.start)
    book(world, slot=first)
    with pytest.raises(Conflict, match="already has another appointment"):
        book(world, slot=same_time)
    assert not Slot.objects.get(pk=same_time.pk).booked  # the claim was rolled back


def test_past_slot_cannot_be_booked(world):
    slot = world.slot(start=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ServiceError, match="in the past"):
        book(world, slot=slot)


def test_deceased_patient_cannot_be_booked(world):
    patient = PatientFactory(
        registered_practice=world.practice,
        date_of_birth=datetime.date(1940, 1, 1),
        date_of_death=datetime.date(2025, 1, 1),
    )
    with pytest.raises(ServiceError, match="deceased"):
        book(world, patient=patient)


def test_withdrawn_slot_cannot_be_booked(world):
    slot = world.slot(withdrawn=True)
    with pytest.raises(Conflict, match="withdrawn"):
        book(world, slot=slot)


def test_patient_of_another_practice_cannot_be_booked_by_reception(world):
    with pytest.raises(PermissionRefused, match="not registered with the practice"):
        book(world, patient=world.stranger_patient)


def test_user_without_staff_membership_is_refused(world):
    from policy.actor import actor_for_user

    with pytest.raises(PermissionRefused, match="not linked to an active staff member"):
        book(world, actor=actor_for_user(world.nobody))


def test_staff_of_an_unrelated_practice_is_refused(world):
    with pytest.raises(PermissionRefused, match="your own practice"):
        book(world, actor=world.actor(world.stranger_receptionist))


def test_booking_from_a_site_the_receptionist_does_not_work_at_records_no_site(world):
    from policy.actor import actor_for_user

    elsewhere = SiteFactory(practice=world.practice)
    actor = actor_for_user(world.receptionist.user, site_id=elsewhere.pk)
    assert book(world, actor=actor).booked_from_site is None


# ---- cancel -----------------------------------------------------------------------------------


def test_cancel_frees_the_slot_and_records_reason_and_event(world):
    appointment = book(world)
    appointment_cancel(appointment=appointment, actor=world.actor(), by="patient", reason="Better")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_PATIENT
    assert appointment.cancel_reason == "Better"
    assert not Slot.objects.get(pk=appointment.slot_id).booked
    event = appointment.events.last()
    assert (event.action, event.from_status, event.to_status) == (
        "cancelled",
        "booked",
        "cancelled_patient",
    )


def test_cancelled_slot_can_be_booked_again(world):
    appointment = book(world)
    appointment_cancel(appointment=appointment, actor=world.actor(), by="practice", reason="GP ill")
    again = book(world, slot=Slot.objects.get(pk=appointment.slot_id))
    assert again.status == AppointmentStatus.BOOKED


def test_cancel_needs_a_reason(world):
    appointment = book(world)
    with pytest.raises(ServiceError, match="reason"):
        appointment_cancel(appointment=appointment, actor=world.actor(), by="patient", reason=" ")


def test_cancel_needs_patient_or_practice(world):
    appointment = book(world)
    with pytest.raises(ServiceError, match="who is cancelling"):
        appointment_cancel(appointment=appointment, actor=world.actor(), by="gp", reason="x")


def test_cancelling_twice_is_a_conflict(world):
    appointment = book(world)
    appointment_cancel(appointment=appointment, actor=world.actor(), by="patient", reason="x")
    with pytest.raises(Conflict, match="cancelled by patient"):
        appointment_cancel(appointment=appointment, actor=world.actor(), by="patient", reason="x")


def test_staff_of_an_unrelated_practice_cannot_cancel(world):
    appointment = book(world)
    with pytest.raises(PermissionRefused):
        appointment_cancel(
            appointment=appointment,
            actor=world.actor(world.stranger_receptionist),
            by="practice",
            reason="x",
        )


# ---- reschedule -------------------------------------------------------------------------------


def test_reschedule_moves_the_appointment_and_frees_the_old_slot(world):
    appointment = book(world)
    old_slot_id = appointment.slot_id
    target = world.slot(site_obj=world.kennington)
    moved = appointment_reschedule(appointment=appointment, slot=target, actor=world.actor())
    moved.refresh_from_db()
    assert (moved.slot_id, moved.start, moved.site) == (target.pk, target.start, world.kennington)
    assert not Slot.objects.get(pk=old_slot_id).booked
    assert Slot.objects.get(pk=target.pk).booked
    event = moved.events.last()
    assert event.action == "rescheduled"
    assert event.detail["from_slot"] == old_slot_id


def test_reschedule_into_a_taken_slot_changes_nothing(world):
    appointment = book(world)
    target = world.slot()
    book(world, slot=target, patient=PatientFactory(registered_practice=world.practice))
    with pytest.raises(Conflict, match="just been booked"):
        appointment_reschedule(
            appointment=appointment, slot=Slot.objects.get(pk=target.pk), actor=world.actor()
        )
    appointment.refresh_from_db()
    assert Slot.objects.get(pk=appointment.slot_id).booked
    assert appointment.events.count() == 1


def test_reschedule_into_the_past_is_refused(world):
    appointment = book(world)
    past = world.slot(start=timezone.now() - datetime.timedelta(hours=2))
    with pytest.raises(ServiceError, match="in the past"):
        appointment_reschedule(appointment=appointment, slot=past, actor=world.actor())


def test_reschedule_a_past_appointment_is_refused(world):
    appointment = book(world)
    later = world.slot()
    with pytest.raises(ServiceError, match="already started"):
        appointment_reschedule(
            appointment=appointment,
            slot=later,
            actor=world.actor(),
            now=appointment.start + datetime.timedelta(minutes=1),
        )


def test_reschedule_a_cancelled_appointment_is_a_conflict(world):
    appointment = book(world)
    appointment_cancel(appointment=appointment, actor=world.actor(), by="patient", reason="x")
    with pytest.raises(Conflict, match="cannot be moved"):
        appointment_reschedule(appointment=appointment, slot=world.slot(), actor=world.actor())


def test_reschedule_to_an_overlapping_time_of_the_same_patient_is_refused(world):
    first = book(world)
    second = book(world, slot=world.slot(start=future(3, 9)))
    other_gp = StaffMemberFactory(practice=world.practice, sites=[world.botley])
    clash = world.slot(clinician=other_gp, start=first.start)
    with pytest.raises(Conflict, match="already has another appointment"):
        appointment_reschedule(appointment=second, slot=clash, actor=world.actor())
    assert not Slot.objects.get(pk=clash.pk).booked
    assert Appointment.objects.get(pk=second.pk).slot_id == second.slot_id


# ---- notes ------------------------------------------------------------------------------------


def test_note_can_be_edited_with_history(world):
    appointment = book(world, note="first")
    appointment_note_set(appointment=appointment, actor=world.actor(), note="second")
    appointment.refresh_from_db()
    assert appointment.note == "second"
    assert appointment.events.last().detail == {"from": "first", "to": "second"}


def test_every_booking_change_calls_the_hook(world, monkeypatch):
    from appointments import hooks

    calls = []

    def spy(*, appointment, change, previous_slot=None):
        calls.append((change, appointment.pk, previous_slot))

    monkeypatch.setattr(hooks, "on_appointment_changed", spy)
    appointment = book(world)
    first_slot = Slot.objects.get(pk=appointment.slot_id)
    appointment_reschedule(appointment=appointment, slot=world.slot(), actor=world.actor())
    appointment_cancel(appointment=appointment, actor=world.actor(), by="patient", reason="x")
    assert calls == [
        ("booked", appointment.pk, None),
        ("rescheduled", appointment.pk, first_slot),
        ("cancelled", appointment.pk, None),
    ]


def test_a_failing_hook_rolls_the_booking_back(world, monkeypatch):
    """The hook runs inside the booking's transaction: an outbox write commits with it."""
    from appointments import hooks

    def boom(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(hooks, "on_appointment_changed", boom)
    slot = world.slot()
    with pytest.raises(RuntimeError):
        book(world, slot=slot)
    assert not Appointment.objects.filter(slot=slot).exists()
    assert not Slot.objects.get(pk=slot.pk).booked


def test_cancelling_inside_new_leave_withdraws_the_slot_instead_of_offering_it(world):
    from tests.factories import RotaExceptionFactory

    appointment = book(world)
    RotaExceptionFactory(
        clinician=world.gp,
        start=appointment.start - datetime.timedelta(hours=1),
        end=appointment.end + datetime.timedelta(hours=1),
    )
    appointment_cancel(
        appointment=appointment, actor=world.actor(), by="practice", reason="GP away"
    )
    slot = Slot.objects.get(pk=appointment.slot_id)
    assert (slot.booked, slot.withdrawn) == (False, True)


def test_cancelling_outside_leave_offers_the_slot_again(world):
    appointment = book(world)
    appointment_cancel(appointment=appointment, actor=world.actor(), by="patient", reason="x")
    slot = Slot.objects.get(pk=appointment.slot_id)
    assert (slot.booked, slot.withdrawn) == (False, False)


@pytest.mark.parametrize("one_statement", [True, False], ids=["postgresql", "orm-way"])
def test_both_ways_of_writing_a_booking_write_the_same_rows(world, monkeypatch, one_statement):
    """PostgreSQL claims the slot and inserts the appointment and its event in one statement;
    the SQLite demo takes three ORM steps. Both give the same rows and the same refusals."""
    from appointments.services import booking

    monkeypatch.setattr(booking, "on_postgres", lambda: one_statement)
    slot = world.slot()
    appointment = book(world, slot=slot, note="Knee")

    saved = Appointment.objects.get(pk=appointment.pk)
    assert (saved.slot_id, saved.patient_id, saved.note, saved.status) == (
        slot.pk, world.patient.pk, "Knee", AppointmentStatus.BOOKED
    )
    assert saved.booked_at == appointment.booked_at
    event = AppointmentEvent.objects.get(appointment=saved)
    assert (event.action, event.to_status) == ("booked", "booked")
    assert event.by == world.receptionist.user
    assert event.detail == {"slot": slot.pk, "channel": Channel.RECEPTION}
    assert Slot.objects.get(pk=slot.pk).booked
    with pytest.raises(Conflict, match="just been booked"):
        book(world, slot=slot, patient=PatientFactory(registered_practice=world.practice))
    nurse = StaffMemberFactory(practice=world.practice, role="nurse", sites=[world.botley])
    overlapping = world.slot(start=slot.start, clinician=nurse)
    with pytest.raises(Conflict, match="another appointment at that time"):
        book(world, slot=overlapping)


def test_a_taken_slot_rolls_nothing_back_so_prepared_statements_survive(world):
    """psycopg deallocates every prepared statement of a connection on ROLLBACK. At the 8am
    rush a taken slot is an everyday answer: the booking that finds its slot taken wrote
    nothing, commits its empty transaction and only then answers 409."""
    from django.db import connection

    slot = world.slot()
    book(world, slot=slot)

    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cursor.fetchall()}

    claim = {s for s in prepared() if "WITH claimed AS" in s}
    assert claim, "the booking's statement is prepared"
    with pytest.raises(Conflict):
        book(world, slot=slot, patient=PatientFactory(registered_practice=world.practice))
    assert claim <= prepared()
