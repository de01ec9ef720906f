"""The database check after a run, against a tiny appointment book on PostgreSQL."""

from __future__ import annotations

import datetime
from typing import cast

import pytest
from django.db import connection
from django.utils import timezone

from appointments.models import Appointment, AppointmentType, Session, Slot
from patients.models import Patient
from practices.models import Site
from staff.models import StaffMember
from staff.roles import Role
from tests.factories import PatientFactory, SiteFactory, StaffMemberFactory, UserFactory
from tools.bench.checks import database_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    site = cast(Site, SiteFactory())
    clinician = cast(
        StaffMember, StaffMemberFactory(practice=site.practice, role=Role.GP, sites=[site])
    )
    kind = AppointmentType.objects.create(
        practice=site.practice, name="GP routine", duration_minutes=10
    )
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=1)
    session = Session.objects.create(
        clinician=clinician, site=site, start=start, end=start + datetime.timedelta(hours=1)
    )
    slots = [
        Slot.objects.create(
            session=session,
            practice=site.practice,
            site=site,
            clinician=clinician,
            role=Role.GP,
            appointment_type=kind,
            mode="face_to_face",
            start=start + datetime.timedelta(minutes=10 * i),
            end=start + datetime.timedelta(minutes=10 * (i + 1)),
        )
        for i in range(4)
    ]
    return {"slots": slots, "booker": UserFactory(), "since": timezone.now()}


def _book(slot, booker, *, status="booked"):
    appointment = Appointment.objects.create(
        slot=slot,
        # The shared factory's default mobile (07700 900123) fails phonenumbers' validation.
        patient=cast(
            Patient, PatientFactory(registered_practice=slot.practice)
        ),
        clinician=slot.clinician,
        site=slot.site,
        start=slot.start,
        end=slot.end,
        status=status,
        channel="reception",
        booked_by=booker,
        cancel_reason="" if status == "booked" else "patient rang",
    )
    Slot.objects.filter(pk=slot.pk).update(booked=status == "booked")
    return appointment


def _check(book, created):
    with connection.cursor() as cursor:
        return database_check(
            cursor.cursor,
            slot_ids=[s.pk for s in book["slots"]],
            created_ids=created,
            since=book["since"],
        )


def test_a_clean_run_has_nothing_to_report(book):
    made = [_book(slot, book["booker"]).pk for slot in book["slots"][:2]]
    assert _check(book, made) == {
        "double_bookings": 0,
        "lost_bookings": 0,
        "booked_without_appointment": 0,
        "appointment_on_free_slot": 0,
        "unacknowledged_bookings": 0,
    }


def test_a_slot_with_two_live_appointments_is_a_double_booking(book):
    slot = book["slots"][0]
    with connection.cursor() as cursor:  # only this test's transaction loses the guard
        cursor.execute("DROP INDEX appointment_one_live_per_slot")
    made = [_book(slot, book["booker"]).pk, _book(slot, book["booker"]).pk]
    assert _check(book, made)["double_bookings"] == 1


def test_a_cancelled_appointment_does_not_count_as_a_second_booking(book):
    slot = book["slots"][0]
    _book(slot, book["booker"], status="cancelled_patient")
    made = [_book(slot, book["booker"]).pk]
    assert _check(book, made)["double_bookings"] == 0


def test_a_201_whose_appointment_is_missing_is_a_lost_booking(book):
    made = [_book(book["slots"][0], book["booker"]).pk]
    assert _check(book, [*made, made[0] + 1000])["lost_bookings"] == 1


def test_the_booked_flag_is_checked_both_ways(book):
    Slot.objects.filter(pk=book["slots"][0].pk).update(booked=True)
    appointment = _book(book["slots"][1], book["booker"])
    Slot.objects.filter(pk=book["slots"][1].pk).update(booked=False)
    result = _check(book, [appointment.pk])
    assert result["booked_without_appointment"] == 1
    assert result["appointment_on_free_slot"] == 1


def test_an_appointment_nobody_got_a_201_for_is_unacknowledged(book):
    acknowledged = _book(book["slots"][0], book["booker"])
    _book(book["slots"][1], book["booker"])
    assert _check(book, [acknowledged.pk])["unacknowledged_bookings"] == 1
