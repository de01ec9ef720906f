"""Factories for the appointment book. A slot comes with its session, type and clinician."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from appointments.models import (
    AppointmentType,
    AppointmentTypeRole,
    Mode,
    RotaException,
    Session,
    SessionTemplate,
    Slot,
)
from staff.roles import Role
from tests.factories import PatientFactory as BasePatientFactory
from tests.factories import PracticeFactory, SiteFactory, StaffMemberFactory

_minutes = itertools.count()


def future(days: int = 1, hour: int = 10) -> datetime.datetime:
    """A local wall-clock time ``days`` from today, as an aware datetime."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


class AppointmentTypeFactory(DjangoModelFactory):
    class Meta:
        model = AppointmentType
        skip_postgeneration_save = True

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Type {n}")
    duration_minutes = 10
    mode = Mode.FACE_TO_FACE
    online_bookable = False

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            for role in extracted if extracted is not None else [Role.GP]:
                AppointmentTypeRole.objects.create(appointment_type_id=self.pk, role=role)


class SessionTemplateFactory(DjangoModelFactory):
    class Meta:
        model = SessionTemplate

    clinician = factory.SubFactory(StaffMemberFactory)
    site = factory.LazyAttribute(lambda o: o.clinician.sites.first())
    weekday = 0
    start_time = datetime.time(9)
    end_time = datetime.time(12)
    slot_minutes = 10
    appointment_type = factory.SubFactory(
        AppointmentTypeFactory, practice=factory.SelfAttribute("..clinician.practice")
    )
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class RotaExceptionFactory(DjangoModelFactory):
    class Meta:
        model = RotaException

    clinician = factory.SubFactory(StaffMemberFactory)
    start = factory.LazyFunction(lambda: future(1, 0))
    end = factory.LazyFunction(lambda: future(2, 0))


class SlotFactory(DjangoModelFactory):
    """A 10-minute slot tomorrow (each new one later than the last, so none overlap)."""

    class Meta:
        model = Slot

    class Params:
        site_obj = factory.SubFactory(SiteFactory)

    clinician = factory.SubFactory(
        StaffMemberFactory, practice=factory.SelfAttribute("..site_obj.practice")
    )
    site = factory.LazyAttribute(lambda o: o.site_obj)
    practice = factory.LazyAttribute(lambda o: o.site.practice)
    role = factory.LazyAttribute(lambda o: o.clinician.role)
    appointment_type = factory.SubFactory(
        AppointmentTypeFactory, practice=factory.SelfAttribute("..practice")
    )
    mode = factory.LazyAttribute(lambda o: o.appointment_type.mode)
    start = factory.LazyFunction(
        lambda: future(1, 8) + datetime.timedelta(minutes=10 * next(_minutes))
    )
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(minutes=10))
    session = factory.LazyAttribute(
        lambda o: Session.objects.create(
            clinician=o.clinician, site=o.site, start=o.start, end=o.end
        )
    )


PatientFactory = BasePatientFactory
