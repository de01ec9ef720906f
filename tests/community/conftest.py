from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from policy.actor import Actor, actor_for_user
from staff.roles import Role
from tests.factories import (
    CommunityMemberFactory,
    LocalityFactory,
    PatientFactory,
    PracticeFactory,
    StaffMemberFactory,
)


@dataclass
class Town:
    """Two localities, each with a practice and its people; tests use both sides of the line."""

    city: Any
    other: Any
    practice: Any
    other_practice: Any
    gp: Any
    link_worker: Any
    manager: Any
    receptionist: Any
    other_gp: Any
    nurse_member: Any
    other_member: Any
    patient: Any

    def actor(self, who: Any) -> Actor:
        user = who.user if hasattr(who, "user") else who
        return actor_for_user(user)


@pytest.fixture
def town(db: Any) -> Town:
    city = LocalityFactory(name="Oxford City")
    other = LocalityFactory(name="Abingdon")
    practice = PracticeFactory(name="Botley Medical Centre", ods_code="K84016", locality=city)
    other_practice = PracticeFactory(name="Abbey Surgery", locality=other)
    return Town(
        city=city,
        other=other,
        practice=practice,
        other_practice=other_practice,
        gp=StaffMemberFactory(practice=practice, role=Role.GP),
        link_worker=StaffMemberFactory(practice=practice, role=Role.LINK_WORKER),
        manager=StaffMemberFactory(practice=practice, role=Role.PRACTICE_MANAGER),
        receptionist=StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST),
        other_gp=StaffMemberFactory(practice=other_practice, role=Role.GP),
        nurse_member=CommunityMemberFactory(locality=city),
        other_member=CommunityMemberFactory(locality=other),
        patient=PatientFactory(registered_practice=practice),
    )
