"""factory_boy factories shared by every test module. Faker speaks en_GB."""

from __future__ import annotations

import datetime
import itertools
from typing import Any, cast

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from patients.models import Patient
from patients.nhs_number import make_nhs_number
from practices.models import Federation, Locality, Practice, Site
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
