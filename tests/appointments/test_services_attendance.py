from __future__ import annotations

import datetime

import pytest

from appointments.models import Appointment, AppointmentEvent, AppointmentStatus
from appointments.services.attendance import (
    appointment_arrive,
    appointment_finish,
    appointment_mark_dna,
    appointment_start,
    appointments_mark_dna,
)
from appointments.services.booking import appointment_book, appointment_cancel
from common.errors import Conflict, PermissionRefused
from tests.factories import PatientFactory


@pytest.fixture
def appointment(world):
    return appointment_book(slot=world.slot(), patient=world.patient, actor=world.actor())


def test_arrive_start_finish_walk_the_statuses_with_events(world, appointment):
    actor = world.actor(world.gp)
    appointment_arrive(appointment=appointment, actor=world.actor())
    appointment_start(appointment=appointment, actor=actor)
    appointment_finish(appointment=appointment, actor=actor)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.FINISHED
    assert appointment.arrived_at is not None
    assert list(appointment.events.values_list("action", "from_status", "to_status")) == [
        ("booked", "", "booked"),
        ("arrived", "booked", "arrived"),
        ("started", "arrived", "in_consultation"),
        ("finished", "in_consultation", "finished"),
    ]


def test_telephone_consultation_can_start_without_arriving(world, appointment):
    appointment_start(appointment=appointment, actor=world.actor(world.gp))
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.IN_CONSULTATION


def test_finish_before_start_is_a_conflict(world, appointment):
    with pytest.raises(Conflict, match="is booked, so it cannot be finished"):
        appointment_finish(appointment=appointment, actor=world.actor())


def test_cancelled_appointment_cannot_arrive(world, appointment):
    appointment_cancel(appointment=appointment, actor=world.actor(), by="patient", reason="x")
    with pytest.raises(Conflict, match="cancelled by patient"):
        appointment_arrive(appointment=appointment, actor=world.actor())


def test_dna_before_the_start_is_refused(world, appointment):
    with pytest.raises(Conflict, match="has not started yet"):
        appointment_mark_dna(appointment=appointment, actor=world.actor())


def test_dna_after_the_start(world, appointment):
    appointment_mark_dna(
        appointment=appointment,
        actor=world.actor(),
        now=appointment.start + datetime.timedelta(minutes=15),
    )
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.DNA


def test_other_practice_cannot_record_attendance(world, appointment):
    with pytest.raises(PermissionRefused):
        appointment_arrive(appointment=appointment, actor=world.actor(world.partner_receptionist))


def test_overnight_job_marks_leftover_bookings_dna_once(world, appointment):
    arrived = appointment_book(
        slot=world.slot(),
        patient=PatientFactory(registered_practice=world.practice),
        actor=world.actor(),
    )
    appointment_arrive(appointment=arrived, actor=world.actor())
    later = appointment_book(
        slot=world.slot(start=appointment.start + datetime.timedelta(days=2)),
        patient=PatientFactory(registered_practice=world.practice),
        actor=world.actor(),
    )
    night = appointment.end + datetime.timedelta(hours=6)
    assert appointments_mark_dna(now=night) == 1
    assert appointments_mark_dna(now=night) == 0
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.DNA
    assert Appointment.objects.get(pk=arrived.pk).status == AppointmentStatus.ARRIVED
    assert Appointment.objects.get(pk=later.pk).status == AppointmentStatus.BOOKED
    event = AppointmentEvent.objects.get(appointment=appointment, action="dna")
    assert (event.by, event.from_status, event.detail) == (None, "booked", {"automatic": True})


def test_overnight_job_works_in_batches(world):
    for _ in range(5):
        appointment_book(
            slot=world.slot(),
            patient=PatientFactory(registered_practice=world.practice),
            actor=world.actor(),
        )
    night = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
    assert appointments_mark_dna(now=night, batch_size=2) == 5
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()


def test_mark_dna_task_runs_the_job(world, appointment, monkeypatch):
    from django.utils import timezone

    from appointments import tasks

    monkeypatch.setattr(timezone, "now", lambda: appointment.end + datetime.timedelta(hours=1))
    assert tasks.mark_dna() == 1


def test_beat_schedule_has_the_nightly_jobs(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"appointments.tasks.generate_slots", "appointments.tasks.mark_dna"} <= tasks
