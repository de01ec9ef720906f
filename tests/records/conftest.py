"""A small world on both sides of every access line: the patient's practice, another practice
of the same federation, a practice outside it, and a user with no staff membership."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from policy.actor import Actor, actor_for_user
from practices.models import Practice
from staff.roles import Role
from tests.records.factories import PatientFactory
from tests.factories import (
    FederationFactory,
    PracticeFactory,
    SiteFactory,
    StaffMemberFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Hashing a password properly takes ~0.3 s; these tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    home: Practice
    partner: Practice
    outsider: Practice
    patient: Any

    def staff(self, role: str = Role.GP, practice: Practice | None = None) -> Any:
        return StaffMemberFactory(role=role, practice=practice or self.home)

    def actor(self, role: str = Role.GP, practice: Practice | None = None) -> Actor:
        return actor_for_user(self.staff(role, practice).user)


@pytest.fixture
def world(db: None) -> World:
    federation = FederationFactory()
    home = PracticeFactory(federation=federation)
    partner = PracticeFactory(federation=federation)
    outsider = PracticeFactory(federation=FederationFactory())
    for practice in (home, partner, outsider):
        SiteFactory(practice=practice)
    patient = PatientFactory(registered_practice=home)
    return World(home=home, partner=partner, outsider=outsider, patient=patient)


@pytest.fixture
def nobody(db: None) -> Actor:
    return actor_for_user(UserFactory())


@pytest.fixture
def gp(world: World) -> Actor:
    return world.actor(Role.GP)
