"""Factories for the clinical record and for appointments (a minimal booking, for the
relationship rule: the appointments app owns real booking)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from appointments.models import Appointment, AppointmentType, Session, Slot
from records.clinical import Allergy, Consultation, Medication, Observation, Problem
from records.models import BreakGlassGrant
from tests.factories import PatientFactory as _BasePatientFactory
from tests.factories import SiteFactory, StaffMemberFactory


class PatientFactory(_BasePatientFactory):
    """Adult patients (record tests prescribe and record adult observations)."""

    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)


class ConsultationFactory(DjangoModelFactory[Consultation]):
    class Meta:
        model = Consultation

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(
        StaffMemberFactory, practice=factory.SelfAttribute("..patient.registered_practice")
    )
    author_role = factory.SelfAttribute("author.role")
    site = factory.LazyAttribute(lambda o: o.author.sites.first())

    history = "Cough for 3 days, no fever."
    examination = "Chest clear."
    plan = "Self-care advice; return if worse."
    consulted_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class ProblemFactory(DjangoModelFactory[Problem]):
    class Meta:
        model = Problem

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(
        StaffMemberFactory, practice=factory.SelfAttribute("..patient.registered_practice")
    )
    author_role = factory.SelfAttribute("author.role")
    site = factory.LazyAttribute(lambda o: o.author.sites.first())

    title = "Essential hypertension"
    snomed_concept_id = "59621000"
    snomed_term = "Essential hypertension"
    onset_date = datetime.date(2019, 5, 1)


class MedicationFactory(DjangoModelFactory[Medication]):
    class Meta:
        model = Medication

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(
        StaffMemberFactory, practice=factory.SelfAttribute("..patient.registered_practice")
    )
    author_role = factory.SelfAttribute("author.role")
    site = factory.LazyAttribute(lambda o: o.author.sites.first())

    name = "Amlodipine 5mg tablets"
    dose = "One tablet once a day"
    course = Medication.Course.REPEAT
    start_date = datetime.date(2023, 1, 10)


class AllergyFactory(DjangoModelFactory[Allergy]):
    class Meta:
        model = Allergy

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(
        StaffMemberFactory, practice=factory.SelfAttribute("..patient.registered_practice")
    )
    author_role = factory.SelfAttribute("author.role")
    site = factory.LazyAttribute(lambda o: o.author.sites.first())

    substance = "Penicillin"
    reaction = "Rash"
    severity = Allergy.Severity.MODERATE


class ObservationFactory(DjangoModelFactory[Observation]):
    class Meta:
        model = Observation

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(
        StaffMemberFactory, practice=factory.SelfAttribute("..patient.registered_practice")
    )
    author_role = factory.SelfAttribute("author.role")
    site = factory.LazyAttribute(lambda o: o.author.sites.first())

    kind = "pulse"
    value = Decimal("72")
    unit = "beats/min"
    taken_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=2))


def make_appointment(*, patient: Any, clinician: Any, start: datetime.datetime, **kw: Any) -> Any:
    """A booked appointment with ``clinician`` (their first site), built row by row."""
    site: Any = clinician.sites.first() or SiteFactory.create(practice=clinician.practice)
    end = start + datetime.timedelta(minutes=10)
    appt_type, _ = AppointmentType.objects.get_or_create(
        practice=clinician.practice, name="Routine", defaults={"duration_minutes": 10}
    )
    session = Session.objects.create(clinician=clinician, site=site, start=start, end=end)
    slot = Slot.objects.create(
        session=session,
        practice=clinician.practice,
        site=site,
        clinician=clinician,
        role=clinician.role,
        appointment_type=appt_type,
        mode="face_to_face",
        start=start,
        end=end,
        booked=True,
    )
    booker = get_user_model().objects.filter(is_superuser=False).first() or clinician.user
    defaults: dict[str, Any] = {"status": "booked", "channel": "reception"}
    defaults.update(kw)
    return Appointment.objects.create(
        slot=slot,
        patient=patient,
        clinician=clinician,
        site=site,
        start=start,
        end=end,
        booked_by=booker,
        **defaults,
    )


def make_grant(*, staff: Any, patient: Any, hours: int = 4, ago: int = 0) -> BreakGlassGrant:
    started = timezone.now() - datetime.timedelta(hours=ago)
    return BreakGlassGrant.objects.create(
        user=staff.user,
        staff=staff,
        patient=patient,
        reason="Patient collapsed in the hub clinic; need allergies and medication list.",
        started_at=started,
        expires_at=started + datetime.timedelta(hours=hours),
    )
