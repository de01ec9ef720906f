from __future__ import annotations

import random
from dataclasses import dataclass, field

from records import demo_record
from records.clinical import Consultation, Observation, Problem
from staff.roles import Role
from tests.factories import (
    AdultPatientFactory,
    PracticeFactory,
    SiteFactory,
    StaffMemberFactory,
    UserFactory,
)


@dataclass
class Ctx:
    summary: list[str] = field(default_factory=list)

    def random(self, purpose: str) -> random.Random:
        return random.Random(f"2026:{purpose}")


def _practice():
    practice = PracticeFactory.create(ods_code="K84016")
    SiteFactory.create(practice=practice)
    for username, role in (("gp", Role.GP), ("nurse", Role.NURSE), ("hca", Role.HCA)):
        StaffMemberFactory.create(
            user=UserFactory.create(username=username), role=role, practice=practice
        )
    return practice


def test_seed_adds_valid_entries_once(db):
    practice = _practice()
    AdultPatientFactory.create_batch(5, registered_practice=practice)
    demo_record.seed(Ctx())
    counts = (Problem.objects.count(), Observation.objects.count(), Consultation.objects.count())
    assert counts[0] >= 5 and counts[1] == 20 and counts[2] == 5
    demo_record.seed(Ctx())
    assert (
        Problem.objects.count(),
        Observation.objects.count(),
        Consultation.objects.count(),
    ) == counts


def test_seed_without_the_demo_practice_does_nothing(db):
    ctx = Ctx()
    demo_record.seed(ctx)
    assert "skipped" in ctx.summary[0]
