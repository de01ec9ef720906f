"""A small world on both sides of every access line: the patient's practice, another practice
of the same federation, a practice outside it, and a user with no staff membership."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from policy.actor import Actor, actor_for_user
from staff.roles import Role
from tests.factories import (
    AdultPatientFactory,
    FederationFactory,
    PracticeFactory,
    SiteFactory,
    StaffMemberFactory,
    UserFactory,
)


@dataclass
class World:
    home: Any
    partner: Any
    outsider: Any
    patient: Any

    def staff(self, role: str = Role.GP, practice: Any = None) -> Any:
        return StaffMemberFactory.create(role=role, practice=practice or self.home)

    def actor(self, role: str = Role.GP, practice: Any = None) -> Actor:
        return actor_for_user(self.staff(role, practice).user)


@pytest.fixture
def world(db: None) -> World:
    federation = FederationFactory.create()
    home = PracticeFactory.create(federation=federation)
    partner = PracticeFactory.create(federation=federation)
    outsider = PracticeFactory.create(federation=FederationFactory.create())
    for practice in (home, partner, outsider):
        SiteFactory.create(practice=practice)
    patient = AdultPatientFactory.create(registered_practice=home)
    return World(home=home, partner=partner, outsider=outsider, patient=patient)


@pytest.fixture
def nobody(db: None) -> Actor:
    return actor_for_user(UserFactory.create())


@pytest.fixture
def gp(world: World) -> Actor:
    return world.actor(Role.GP)
