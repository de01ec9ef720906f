"""Adding locality team members to a patient's care team."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from common.errors import Conflict, PermissionRefused
from community.services.teams import care_team_assign, care_team_end
from policy.community import locality_team_relationship

pytestmark = pytest.mark.django_db


def test_a_gp_adds_the_community_nurse_and_the_nurse_gains_the_relationship(town) -> None:
    assignment = care_team_assign(actor=town.actor(town.gp), member=town.nurse_member,
                                  patient=town.patient, reason="Wound care")
    assert assignment.assigned_by == town.gp.user
    assert locality_team_relationship(staff=town.nurse_member, patient=town.patient)


def test_a_member_of_another_locality_cannot_be_added(town) -> None:
    with pytest.raises(PermissionRefused):
        care_team_assign(actor=town.actor(town.gp), member=town.other_member,
                         patient=town.patient)


def test_a_receptionist_cannot_add_to_the_care_team(town) -> None:
    with pytest.raises(PermissionRefused):
        care_team_assign(actor=town.actor(town.receptionist), member=town.nurse_member,
                         patient=town.patient)


def test_a_second_open_assignment_is_a_conflict(town) -> None:
    care_team_assign(actor=town.actor(town.gp), member=town.nurse_member, patient=town.patient)
    with pytest.raises(Conflict):
        care_team_assign(actor=town.actor(town.gp), member=town.nurse_member,
                         patient=town.patient)


def test_ending_the_assignment_ends_the_relationship_after_today(town) -> None:
    assignment = care_team_assign(
        actor=town.actor(town.gp), member=town.nurse_member, patient=town.patient,
        starts_on=timezone.localdate() - datetime.timedelta(days=5),
    )
    care_team_end(actor=town.actor(town.gp), assignment=assignment)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert not locality_team_relationship(staff=town.nurse_member, patient=town.patient,
                                          on=tomorrow)
