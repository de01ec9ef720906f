"""Two practices in one federation, a third outside it, and users on both sides of the line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from patients.models import Patient
from policy.actor import Actor, actor_for_user
from practices.models import Practice, Site
from staff.models import StaffMember
from staff.roles import Role
from tests.factories import (
    AppointmentTypeFactory,
    FederationFactory,
    PatientFactory,
    PracticeFactory,
    SiteFactory,
    SlotFactory,
    StaffMemberFactory,
    UserFactory,
)


@dataclass
class World:
    practice: Practice
    botley: Site
    kennington: Site
    partner: Practice  # same federation
    partner_site: Site
    stranger: Practice  # no federation in common
    stranger_site: Site
    receptionist: StaffMember
    gp: StaffMember
    partner_receptionist: StaffMember
    stranger_receptionist: StaffMember
    nobody: Any  # a user with no staff membership
    patient: Patient
    partner_patient: Patient
    stranger_patient: Patient

    def actor(self, staff: StaffMember | None = None, *, site: Site | None = None) -> Actor:
        staff = staff or self.receptionist
        return actor_for_user(staff.user, site_id=(site or staff.sites.first()).pk)

    def slot(self, **kwargs: Any) -> Any:
        kwargs.setdefault("site_obj", self.botley)
        if "clinician" not in kwargs and kwargs["site_obj"].practice_id == self.practice.pk:
            kwargs["clinician"] = self.gp
        return SlotFactory(**kwargs)

    def client(self, staff: StaffMember | None = None, user: Any = None) -> APIClient:
        client = APIClient()
        client.force_authenticate(user if user is not None else (staff or self.receptionist).user)
        return client


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """PBKDF2 makes every user cost a second on a loaded machine; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any) -> World:
    federation = FederationFactory()
    practice = PracticeFactory(federation=federation, ods_code="K84016")
    botley = SiteFactory(practice=practice, name="Botley Medical Centre")
    kennington = SiteFactory(practice=practice, name="Kennington Health Centre")
    partner = PracticeFactory(federation=federation)
    partner_site = SiteFactory(practice=partner)
    stranger = PracticeFactory()
    stranger_site = SiteFactory(practice=stranger)
    AppointmentTypeFactory(practice=practice, name="GP routine")
    return World(
        practice=practice,
        botley=botley,
        kennington=kennington,
        partner=partner,
        partner_site=partner_site,
        stranger=stranger,
        stranger_site=stranger_site,
        receptionist=StaffMemberFactory(
            practice=practice, role=Role.RECEPTIONIST, sites=[botley, kennington]
        ),
        gp=StaffMemberFactory(practice=practice, role=Role.GP, sites=[botley, kennington]),
        partner_receptionist=StaffMemberFactory(
            practice=partner, role=Role.RECEPTIONIST, sites=[partner_site]
        ),
        stranger_receptionist=StaffMemberFactory(
            practice=stranger, role=Role.RECEPTIONIST, sites=[stranger_site]
        ),
        nobody=UserFactory(),
        patient=PatientFactory(registered_practice=practice),
        partner_patient=PatientFactory(registered_practice=partner),
        stranger_patient=PatientFactory(registered_practice=stranger),
    )
