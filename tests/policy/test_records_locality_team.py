"""Locality team members reach a patient's record only while caring for them, audited."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from common.errors import PermissionRefused
from patients.models import Patient
from policy.records import Basis, RecordAction, decide, visible_patients_q
from records.selectors.summary import patient_summary
from tests.factories import CareTeamAssignmentFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def _caring(town, member=None, **kwargs):
    return CareTeamAssignmentFactory(
        member=member or town.nurse_member, patient=town.patient, **kwargs
    )


def test_a_member_caring_for_the_patient_reads_the_record_on_a_locality_team_basis(town) -> None:
    _caring(town)
    decision = decide(town.actor(town.nurse_member), RecordAction.VIEW_RECORD, town.patient)
    assert decision.allowed
    assert decision.basis == Basis.LOCALITY_TEAM


def test_reading_the_record_is_audited_with_the_members_role_and_basis(town) -> None:
    _caring(town)
    actor = town.actor(town.nurse_member)
    patient_summary(actor=actor, patient=town.patient)
    event = AuditEvent.objects.filter(patient=town.patient).latest("at")
    assert event.basis == Basis.LOCALITY_TEAM
    assert event.role == town.nurse_member.role
    assert event.user_id == town.nurse_member.user_id


def test_a_member_not_in_the_care_team_is_refused_and_the_refusal_audited(town) -> None:
    actor = town.actor(town.nurse_member)
    with pytest.raises(PermissionRefused, match="not in this patient's care team"):
        patient_summary(actor=actor, patient=town.patient)
    assert AuditEvent.objects.filter(
        patient=town.patient, user=town.nurse_member.user, basis__startswith="refused"
    ).exists()


def test_a_member_of_another_locality_is_refused_even_with_an_assignment(town) -> None:
    _caring(town, member=town.other_member)
    decision = decide(town.actor(town.other_member), RecordAction.VIEW_RECORD, town.patient)
    assert not decision.allowed


def test_an_ended_assignment_gives_no_access(town) -> None:
    today = timezone.localdate()
    _caring(
        town,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=1),
    )
    decision = decide(town.actor(town.nurse_member), RecordAction.VIEW_RECORD, town.patient)
    assert not decision.allowed


@pytest.mark.parametrize(
    ("action", "entry_type", "allowed"),
    [
        (RecordAction.VIEW_SENSITIVE, None, False),
        (RecordAction.BREAK_GLASS, None, False),
        (RecordAction.CREATE, "consultation", False),
        (RecordAction.CREATE, "observation", False),
        (RecordAction.CREATE, "medication", False),
        (RecordAction.AMEND, "problem", False),
    ],
)
def test_what_a_caring_member_may_do(town, action, entry_type, allowed) -> None:
    _caring(town)
    actor = town.actor(town.nurse_member)
    assert decide(actor, action, town.patient, entry_type=entry_type).allowed is allowed


def test_search_finds_only_the_patients_a_member_is_caring_for(town) -> None:
    _caring(town)
    PatientFactory(registered_practice=town.practice)  # same practice, not in their care
    visible = Patient.objects.filter(visible_patients_q(town.actor(town.nurse_member)))
    assert list(visible) == [town.patient]
    assert not Patient.objects.filter(visible_patients_q(town.actor(town.other_member))).exists()


def test_a_user_who_is_neither_staff_nor_team_member_is_refused(town) -> None:
    actor = town.actor(UserFactory())
    decision = decide(actor, RecordAction.VIEW_DEMOGRAPHICS, town.patient)
    assert not decision.allowed
