"""Factories for community links. Built on the shared factories in tests/factories.py."""

from __future__ import annotations

import datetime
import uuid

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

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
from staff.roles import Role
from tests.factories import (
    LocalityFactory,
    PracticeFactory,
    StaffMemberFactory,
    UserFactory,
)
from tests.factories import PatientFactory as SharedPatientFactory

PatientFactory = SharedPatientFactory


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


