"""Appointment-book rows for notification tests, made directly (the booking services live in
another branch), and a ``book`` helper that plays the booking service's part: change the
appointment and record the change in one transaction."""

from __future__ import annotations

import datetime
import itertools
from typing import Any, cast

import factory
from django.db import transaction
from django.utils import timezone
from factory.django import DjangoModelFactory

from appointments.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Channel,
    Mode,
    Session,
    Slot,
)
from notifications.outbox import record_appointment_change
from tests.factories import PatientFactory, PracticeFactory, StaffMemberFactory
from tests.factories import UserFactory as UserFactory

_minutes = itertools.count(0)


def future(days: float = 5, hour: int = 10) -> datetime.datetime:
    """``days`` from now at about ``hour`` London time; successive calls differ by 10 minutes."""
    local = timezone.localtime() + datetime.timedelta(days=days)
    base = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(minutes=10 * (next(_minutes) % 36))


ReachablePatientFactory = PatientFactory


class AppointmentTypeFactory(DjangoModelFactory):
    class Meta:
        model = AppointmentType

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Routine {n}")
    duration_minutes = 10
    mode = Mode.FACE_TO_FACE


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    clinician = factory.SubFactory(StaffMemberFactory)
    site = factory.LazyAttribute(lambda o: o.clinician.sites.first())
    start = factory.LazyFunction(lambda: future())
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(minutes=10))


class SlotFactory(DjangoModelFactory):
    class Meta:
        model = Slot

    session = factory.SubFactory(SessionFactory)
    clinician = factory.SelfAttribute("session.clinician")
    site = factory.SelfAttribute("session.site")
    practice = factory.SelfAttribute("session.site.practice")
    role = factory.SelfAttribute("session.clinician.role")
    appointment_type = factory.SubFactory(
        AppointmentTypeFactory, practice=factory.SelfAttribute("..practice")
    )
    mode = factory.SelfAttribute("appointment_type.mode")
    start = factory.SelfAttribute("session.start")
    end = factory.SelfAttribute("session.end")
    booked = True


class AppointmentFactory(DjangoModelFactory):
    class Meta:
        model = Appointment

    slot = factory.SubFactory(SlotFactory)
    patient = factory.SubFactory(
        ReachablePatientFactory, registered_practice=factory.SelfAttribute("..slot.practice")
    )
    clinician = factory.SelfAttribute("slot.clinician")
    site = factory.SelfAttribute("slot.site")
    start = factory.SelfAttribute("slot.start")
    end = factory.SelfAttribute("slot.end")
    status = AppointmentStatus.BOOKED
    channel = Channel.RECEPTION
    booked_by = factory.SubFactory(UserFactory)


def book(**kwargs: object) -> Appointment:
    """Create an appointment and record "booked", in one transaction, like the booking service."""
    with transaction.atomic():
        appointment = cast(Appointment, AppointmentFactory(**kwargs))
        record_appointment_change(appointment=appointment, change="booked")
    return appointment


def cancel(appointment: Appointment, *, by_practice: bool = False) -> None:
    with transaction.atomic():
        appointment.status = (
            AppointmentStatus.CANCELLED_BY_PRACTICE
            if by_practice
            else AppointmentStatus.CANCELLED_BY_PATIENT
        )
        appointment.cancel_reason = "cannot come"
        appointment.save()
        record_appointment_change(appointment=appointment, change="cancelled")


def reschedule(appointment: Appointment, *, to: datetime.datetime) -> None:
    """Move the appointment to a new slot with the same clinician, as the booking service would."""
    with transaction.atomic():
        previous = appointment.start
        slot: Any = SlotFactory(
            session__clinician=appointment.clinician,
            session__start=to,
            appointment_type=appointment.slot.appointment_type,
        )
        appointment.slot = slot
        appointment.start, appointment.end = slot.start, slot.end
        appointment.save()
        record_appointment_change(
            appointment=appointment, change="rescheduled", previous_start=previous
        )
