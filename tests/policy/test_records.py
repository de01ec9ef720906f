"""The relationship rules in detail (the matrix covers roles x actions)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from policy.actor import actor_for_user
from policy.records import RecordAction, access_for, access_for_many, decide
from staff.roles import Role
from tests.factories import AdultPatientFactory, PracticeFactory, make_appointment, make_grant


def _partner_gp(world):
    staff = world.staff(Role.GP, world.partner)
    return staff, actor_for_user(staff.user)


def test_federation_clinician_without_relationship_is_told_to_use_break_glass(world):
    _, actor = _partner_gp(world)
    decision = decide(actor, RecordAction.VIEW_RECORD, world.patient)
    assert not decision.allowed
    assert decision.basis == "refused: no legitimate relationship"
    assert "No legitimate relationship" in decision.message and "break-glass" in decision.message


def test_receptionist_is_told_clinical_entries_are_not_for_them(world):
    decision = decide(world.actor(Role.RECEPTIONIST), RecordAction.VIEW_RECORD, world.patient)
    assert "demographics and appointments only" in decision.message


@pytest.mark.parametrize(
    ("days_from_now", "related"),
    [(-60, False), (-27, True), (0, True), (13, True), (20, False)],
)
def test_appointment_counts_only_when_live_or_recent(world, days_from_now, related):
    staff, actor = _partner_gp(world)
    make_appointment(
        patient=world.patient,
        clinician=staff,
        start=timezone.now() + datetime.timedelta(days=days_from_now),
    )
    assert access_for(actor, world.patient).relationship == (
        "appointment_relationship" if related else None
    )


def test_cancelled_appointment_is_no_relationship(world):
    staff, actor = _partner_gp(world)
    make_appointment(
        patient=world.patient,
        clinician=staff,
        start=timezone.now() + datetime.timedelta(days=1),
        status="cancelled_patient",
        cancel_reason="Feeling better",
    )
    assert not decide(actor, RecordAction.VIEW_RECORD, world.patient).allowed


def test_appointment_with_a_colleague_is_not_a_relationship_for_me(world):
    colleague, _ = _partner_gp(world)
    _, actor = _partner_gp(world)
    make_appointment(
        patient=world.patient, clinician=colleague, start=timezone.now() + datetime.timedelta(1)
    )
    assert not decide(actor, RecordAction.VIEW_RECORD, world.patient).allowed


def test_expired_break_glass_no_longer_gives_access(world):
    staff, actor = _partner_gp(world)
    make_grant(staff=staff, patient=world.patient, hours=4, ago=5)
    assert not decide(actor, RecordAction.VIEW_RECORD, world.patient).allowed


def test_live_break_glass_gives_access_with_break_glass_basis(world):
    staff, actor = _partner_gp(world)
    make_grant(staff=staff, patient=world.patient, hours=4, ago=1)
    assert decide(actor, RecordAction.VIEW_RECORD, world.patient).basis == "break_glass"


def test_break_glass_of_another_user_gives_me_nothing(world):
    other, _ = _partner_gp(world)
    _, actor = _partner_gp(world)
    make_grant(staff=other, patient=world.patient)
    assert not decide(actor, RecordAction.VIEW_RECORD, world.patient).allowed


def test_break_glass_is_not_needed_in_own_practice(world):
    decision = decide(world.actor(Role.GP), RecordAction.BREAK_GLASS, world.patient)
    assert not decision.allowed and "not needed" in decision.message


def test_practices_outside_any_federation_never_share(db):
    lone = PracticeFactory.create(federation=None)
    other = PracticeFactory.create(federation=None)
    from tests.factories import SiteFactory, StaffMemberFactory

    SiteFactory.create(practice=other)
    patient = AdultPatientFactory.create(registered_practice=lone)
    actor = actor_for_user(StaffMemberFactory.create(practice=other).user)
    decision = decide(actor, RecordAction.BREAK_GLASS, patient)
    assert decision.basis == "refused: outside federation"


def test_inactive_staff_member_is_refused(world):
    staff = world.staff(Role.GP)
    staff.active = False
    staff.save()
    actor = actor_for_user(staff.user)
    assert decide(actor, RecordAction.VIEW_DEMOGRAPHICS, world.patient).basis == (
        "refused: no staff membership"
    )


def test_relationship_costs_at_most_two_queries(world, django_assert_max_num_queries):
    _, actor = _partner_gp(world)
    with django_assert_max_num_queries(2):
        access_for(actor, world.patient)


def test_a_page_of_patients_gets_the_same_answers_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    # The audit recorder asks this for every patient a page showed: the answers must be
    # access_for's, patient by patient, and the cost must not grow with the page.
    staff, actor = _partner_gp(world)
    related = AdultPatientFactory(registered_practice=world.home)
    make_appointment(patient=related, clinician=staff,
                     start=timezone.now() + datetime.timedelta(days=1))
    glassed = AdultPatientFactory(registered_practice=world.home)
    make_grant(staff=staff, patient=glassed)
    own = AdultPatientFactory(registered_practice=world.partner)
    outside = AdultPatientFactory(registered_practice=world.outsider)
    strangers = [AdultPatientFactory(registered_practice=world.home) for _ in range(10)]
    page = [related, glassed, own, outside, world.patient, *strangers]

    with django_assert_max_num_queries(4):
        many = access_for_many(actor, page)
    for patient in page:
        one = access_for(actor, patient)
        assert (many[patient.pk].relationship, many[patient.pk].refusal) == (
            one.relationship, one.refusal
        ), patient
    assert many[related.pk].relationship == "appointment_relationship"
    assert many[glassed.pk].relationship == "break_glass"
    assert many[own.pk].relationship == "own_practice"
    assert many[outside.pk].relationship is None
