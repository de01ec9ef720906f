"""The test world's factories, one set for every app: the practice and its people, patients,
the appointment book, the clinical record and the community. Each returns a valid row with
the fewest other rows it needs; tests pass what matters to them."""

from __future__ import annotations

import datetime
import itertools
import uuid
from decimal import Decimal
from typing import Any, cast

import factory
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from factory.django import DjangoModelFactory

from appointments.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    AppointmentTypeRole,
    Channel,
    Mode,
    RotaException,
    Session,
    SessionTemplate,
    Slot,
)
from community.models import (
    CareTeamAssignment,
    Category,
    CommunityMember,
    CommunityRole,
    FollowUp,
    Need,
    Referral,
    Resource,
)
from notifications.outbox import record_appointment_change
from patients.models import Patient
from patients.nhs_number import make_nhs_number
from practices.models import Federation, Locality, Practice, Site
from records.clinical import Allergy, Consultation, Medication, Observation, Problem
from records.models import BreakGlassGrant
from staff.models import StaffMember
from staff.roles import Role

factory.Faker._DEFAULT_LOCALE = "en_GB"

_nhs_serials = itertools.count(100_000)
_ods_serials = itertools.count(10_000)


def next_nhs_number() -> str:
    """A valid, unique NHS number in the 999 test range (never issued to a real person)."""
    while True:
        number = make_nhs_number(next(_nhs_serials))
        if number:
            return number


REGISTRATION_EXAMPLES = {
    Role.GP: lambda n: f"{7_000_000 + n}",
    Role.ANP: lambda n: f"{n % 90 + 10}A{n % 10000:04d}B",
    Role.NURSE: lambda n: f"{n % 90 + 10}N{n % 10000:04d}C",
    Role.PHYSIO: lambda n: f"PH{100_000 + n}",
    Role.PHARMACIST: lambda n: f"{2_000_000 + n}",
}


class FederationFactory(DjangoModelFactory[Federation]):
    class Meta:
        model = Federation

    name = factory.Sequence(lambda n: f"Test Federation {n}")


class LocalityFactory(DjangoModelFactory[Locality]):
    class Meta:
        model = Locality

    name = factory.Sequence(lambda n: f"Locality {n}")


class PracticeFactory(DjangoModelFactory[Practice]):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Test Medical Centre {n}")
    ods_code = factory.LazyFunction(lambda: f"K{next(_ods_serials) % 100_000:05d}")


class SiteFactory(DjangoModelFactory[Site]):
    class Meta:
        model = Site

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    address_line1 = factory.Faker("street_address")
    town = factory.Faker("city")
    postcode = "OX2 9AS"
    phone = "01865 248719"


class UserFactory(DjangoModelFactory[Any]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("test-password-123")


class StaffMemberFactory(DjangoModelFactory[StaffMember]):
    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    practice = factory.SubFactory(PracticeFactory)
    role = Role.GP
    registration_number = factory.LazyAttributeSequence(
        lambda o, n: REGISTRATION_EXAMPLES[o.role](n) if o.role in REGISTRATION_EXAMPLES else ""
    )

    @factory.post_generation
    def sites(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        member = cast(StaffMember, self)  # factory_boy passes the built object as "self"
        if extracted is None:
            practice = member.practice
            extracted = list(practice.sites.all()) or [SiteFactory(practice=practice)]
        member.sites.set(extracted)


class PatientFactory(DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    nhs_number = factory.LazyFunction(next_nhs_number)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=0, maximum_age=100)
    sex = Patient.Sex.FEMALE
    address_line1 = factory.Faker("street_address")
    town = factory.Faker("city")
    postcode = "OX2 9AS"
    mobile = "+447700900123"
    email = factory.LazyAttribute(lambda p: f"{p.given_name.lower()}@example.com")
    sms_consent = True
    email_consent = True
    registered_practice = factory.SubFactory(PracticeFactory)
    registration_date = factory.LazyAttribute(
        lambda p: max(p.date_of_birth, datetime.date(2020, 1, 1))
    )


# --- The appointment book ---

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




# --- Booked appointments, recorded as the booking service records them (for messages) ---

_soon_minutes = itertools.count(0)


def soon(days: float = 5, hour: int = 10) -> datetime.datetime:
    """``days`` from now at about ``hour`` London time; successive calls differ by 10 minutes."""
    local = timezone.localtime() + datetime.timedelta(days=days)
    base = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(minutes=10 * (next(_soon_minutes) % 36))




class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    clinician = factory.SubFactory(StaffMemberFactory)
    site = factory.LazyAttribute(lambda o: o.clinician.sites.first())
    start = factory.LazyFunction(lambda: soon())
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(minutes=10))


class BookedSlotFactory(DjangoModelFactory):
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

    slot = factory.SubFactory(BookedSlotFactory)
    patient = factory.SubFactory(
        PatientFactory, registered_practice=factory.SelfAttribute("..slot.practice")
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
        slot: Any = BookedSlotFactory(
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


# --- The clinical record ---


class AdultPatientFactory(PatientFactory):
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


# --- The community ---



class CommunityMemberFactory(DjangoModelFactory):
    class Meta:
        model = CommunityMember

    user = factory.SubFactory(UserFactory)
    locality = factory.SubFactory(LocalityFactory)
    role = CommunityRole.COMMUNITY_NURSE
    organisation = "Oxford Health NHS Foundation Trust"


class CareTeamAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = CareTeamAssignment

    member = factory.SubFactory(CommunityMemberFactory)
    patient = factory.SubFactory(
        PatientFactory,
        registered_practice=factory.SubFactory(
            PracticeFactory, locality=factory.SelfAttribute("...member.locality")
        ),
    )
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    assigned_by = factory.SubFactory(UserFactory)


class ResourceFactory(DjangoModelFactory):
    class Meta:
        model = Resource

    locality = factory.SubFactory(LocalityFactory)
    external_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    name = factory.Sequence(lambda n: f"Community resource {n}")
    description = "A friendly group that meets every week."
    categories = factory.LazyFunction(lambda: [Category.ISOLATION.value])
    organisation_name = "Oxford Community Trust"
    area = "Botley"
    town = "Oxford"
    postcode = "OX2 9AS"
    curator = factory.SubFactory(UserFactory)
    last_checked = factory.LazyFunction(timezone.localdate)


def link_worker_for(practice: object) -> object:
    return StaffMemberFactory(practice=practice, role=Role.LINK_WORKER)


class ReferralFactory(DjangoModelFactory):
    """A referral to a link worker of the patient's practice, made 30 days ago."""

    class Meta:
        model = Referral

    patient = factory.SubFactory(PatientFactory)
    practice = factory.SelfAttribute("patient.registered_practice")
    locality = factory.SelfAttribute("practice.locality")
    referred_by = factory.SubFactory(UserFactory)
    referred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    link_worker = factory.SubFactory(
        StaffMemberFactory,
        practice=factory.SelfAttribute("..practice"),
        role=Role.LINK_WORKER,
    )
    needs = factory.LazyFunction(lambda: [Need.ISOLATION.value])


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        model = FollowUp

    referral = factory.SubFactory(ReferralFactory)
    due_on = factory.LazyAttribute(lambda f: f.referral.referred_on + datetime.timedelta(days=28))
    assigned_to = factory.SelfAttribute("referral.link_worker.user")


