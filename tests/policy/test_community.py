"""Locality team access: the "caring for" basis the records policy will use."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from policy.community import (
    locality_team_relationship,
    may_curate,
    may_import_directory,
    may_record_outcome,
    may_refer,
    may_use_directory,
    may_view_report,
)
from tests.factories import (
    CareTeamAssignmentFactory,
    FollowUpFactory,
    PatientFactory,
    ReferralFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_member_caring_for_the_patient_has_a_relationship(town) -> None:
    CareTeamAssignmentFactory(member=town.nurse_member, patient=town.patient)
    assert locality_team_relationship(staff=town.nurse_member, patient=town.patient)


def test_the_member_may_be_given_as_their_user(town) -> None:
    CareTeamAssignmentFactory(member=town.nurse_member, patient=town.patient)
    assert locality_team_relationship(staff=town.nurse_member.user, patient=town.patient)


def test_a_member_of_the_locality_not_caring_for_the_patient_is_refused(town) -> None:
    CareTeamAssignmentFactory(member=town.nurse_member, patient=PatientFactory(
        registered_practice=town.practice))
    assert not locality_team_relationship(staff=town.nurse_member, patient=town.patient)


def test_a_member_of_another_locality_is_refused_even_with_an_assignment(town) -> None:
    CareTeamAssignmentFactory(member=town.other_member, patient=town.patient)
    assert not locality_team_relationship(staff=town.other_member, patient=town.patient)


def test_the_relationship_ends_when_the_patient_moves_to_another_locality(town) -> None:
    CareTeamAssignmentFactory(member=town.nurse_member, patient=town.patient)
    town.patient.registered_practice = town.other_practice
    town.patient.save()
    assert not locality_team_relationship(staff=town.nurse_member, patient=town.patient)


def test_an_ended_assignment_gives_no_access(town) -> None:
    CareTeamAssignmentFactory(
        member=town.nurse_member,
        patient=town.patient,
        starts_on=TODAY() - datetime.timedelta(days=30),
        ends_on=TODAY() - datetime.timedelta(days=1),
    )
    assert not locality_team_relationship(staff=town.nurse_member, patient=town.patient)


def test_an_assignment_starting_tomorrow_gives_no_access_today(town) -> None:
    CareTeamAssignmentFactory(
        member=town.nurse_member, patient=town.patient,
        starts_on=TODAY() + datetime.timedelta(days=1),
    )
    assert not locality_team_relationship(staff=town.nurse_member, patient=town.patient)


def test_an_inactive_member_is_refused(town) -> None:
    CareTeamAssignmentFactory(member=town.nurse_member, patient=town.patient)
    town.nurse_member.active = False
    town.nurse_member.save()
    assert not locality_team_relationship(staff=town.nurse_member, patient=town.patient)


def test_practice_staff_are_not_locality_team_members(town) -> None:
    assert not locality_team_relationship(staff=town.gp.user, patient=town.patient)


def test_directory_is_shared_within_the_locality_only(town) -> None:
    assert may_use_directory(town.actor(town.gp), locality_id=town.city.pk)
    assert may_use_directory(town.actor(town.nurse_member), locality_id=town.city.pk)
    assert not may_use_directory(town.actor(town.other_gp), locality_id=town.city.pk)
    assert not may_use_directory(town.actor(town.other_member), locality_id=town.city.pk)


def test_only_the_curator_or_a_manager_may_curate(town) -> None:
    resource = ResourceFactory(locality=town.city, curator=town.link_worker.user)
    assert may_curate(town.actor(town.link_worker), resource)
    assert may_curate(town.actor(town.manager), resource)
    assert not may_curate(town.actor(town.gp), resource)
    assert not may_curate(town.actor(town.other_gp), resource)


def test_import_is_for_managers_and_curators(town) -> None:
    ResourceFactory(locality=town.city, curator=town.link_worker.user)
    assert may_import_directory(town.actor(town.manager), locality_id=town.city.pk)
    assert may_import_directory(town.actor(town.link_worker), locality_id=town.city.pk)
    assert not may_import_directory(town.actor(town.gp), locality_id=town.city.pk)


def test_reception_and_other_practices_may_not_refer(town) -> None:
    assert may_refer(town.actor(town.gp), patient=town.patient)
    assert may_refer(town.actor(town.link_worker), patient=town.patient)
    assert not may_refer(town.actor(town.receptionist), patient=town.patient)
    assert not may_refer(town.actor(town.other_gp), patient=town.patient)


def test_outcome_is_recorded_by_link_worker_or_referrer_only(town) -> None:
    referral = ReferralFactory(
        patient=town.patient, link_worker=town.link_worker, referred_by=town.gp.user
    )
    follow_up = FollowUpFactory(referral=referral, assigned_to=town.link_worker.user)
    assert may_record_outcome(town.actor(town.link_worker), follow_up=follow_up)
    assert may_record_outcome(town.actor(town.gp), follow_up=follow_up)
    assert not may_record_outcome(town.actor(town.manager), follow_up=follow_up)
    assert not may_record_outcome(town.actor(town.other_gp), follow_up=follow_up)


def test_receptionists_do_not_see_the_outcomes_report(town) -> None:
    assert may_view_report(town.actor(town.manager))
    assert not may_view_report(town.actor(town.receptionist))
