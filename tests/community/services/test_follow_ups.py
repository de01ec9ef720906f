"""Four-week follow-ups: created once, outcomes recorded with optional wellbeing scores."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from common.errors import Conflict, PermissionRefused, ServiceError
from community.models import FollowUp, Outcome, Referral, WellbeingScale
from community.services.follow_ups import follow_up_record_outcome, follow_ups_create_due
from community.tasks import create_due_follow_ups
from tests.expect import violates
from tests.factories import FollowUpFactory, ReferralFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def _referred(town, days_ago: int, **kwargs):
    kwargs.setdefault("link_worker", town.link_worker)
    return ReferralFactory(
        patient=town.patient,
        referred_by=town.gp.user,
        referred_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        **kwargs,
    )


def test_a_follow_up_is_created_four_weeks_after_the_referral(town) -> None:
    due = _referred(town, 28)
    _referred(town, 27)
    assert follow_ups_create_due() == 1
    follow_up = FollowUp.objects.get()
    assert follow_up.referral == due
    assert follow_up.due_on == timezone.localdate()
    assert follow_up.assigned_to == town.link_worker.user


def test_running_the_job_twice_creates_no_duplicates(town) -> None:
    _referred(town, 40)
    _referred(town, 35)
    assert create_due_follow_ups() == 2
    assert create_due_follow_ups() == 0
    assert FollowUp.objects.count() == 2


def test_the_database_refuses_a_second_follow_up_for_a_referral(town) -> None:
    referral = _referred(town, 30)
    FollowUpFactory(referral=referral)
    with violates("community_followup_referral_id_key"):
        FollowUp.objects.create(
            referral=referral, due_on=referral.referred_on, assigned_to=town.gp.user
        )


def test_the_follow_up_period_is_a_setting(town, settings) -> None:
    settings.SOCIAL_PRESCRIBING_FOLLOW_UP_DAYS = 14
    _referred(town, 14)
    assert follow_ups_create_due() == 1


def test_declined_referrals_are_not_followed_up(town) -> None:
    _referred(town, 40, status=Referral.Status.DECLINED, snomed_code="871711000000103")
    assert follow_ups_create_due() == 0


def test_a_referral_straight_to_a_resource_is_followed_up_by_the_referrer(town) -> None:
    _referred(town, 30, link_worker=None, resource=ResourceFactory(locality=town.city))
    follow_ups_create_due()
    assert FollowUp.objects.get().assigned_to == town.gp.user


def test_the_link_worker_records_still_attending_with_an_ons4_score(town) -> None:
    follow_up = FollowUpFactory(referral=_referred(town, 30))
    follow_up_record_outcome(
        actor=town.actor(town.link_worker), follow_up=follow_up,
        outcome=Outcome.STILL_ATTENDING, ons4=[7, 8, 6, 3],
    )
    assert follow_up.outcome == Outcome.STILL_ATTENDING
    assert follow_up.wellbeing_scale == WellbeingScale.ONS4
    assert (follow_up.ons4_satisfied, follow_up.ons4_anxious) == (7, 3)
    assert follow_up.recorded_by == town.link_worker.user


def test_swemwbs_stores_the_items_and_raw_score(town) -> None:
    follow_up = FollowUpFactory(referral=_referred(town, 30))
    follow_up_record_outcome(
        actor=town.actor(town.gp), follow_up=follow_up, outcome=Outcome.NEVER_STARTED,
        swemwbs_items=[3, 4, 2, 5, 3, 3, 1],
    )
    assert (follow_up.swemwbs_raw, follow_up.swemwbs_items) == (21, [3, 4, 2, 5, 3, 3, 1])


def test_stopped_needs_a_reason(town) -> None:
    follow_up = FollowUpFactory(referral=_referred(town, 30))
    with pytest.raises(ServiceError):
        follow_up_record_outcome(
            actor=town.actor(town.link_worker), follow_up=follow_up, outcome=Outcome.STOPPED
        )


def test_out_of_range_scores_are_refused(town) -> None:
    follow_up = FollowUpFactory(referral=_referred(town, 30))
    with pytest.raises(ServiceError):
        follow_up_record_outcome(
            actor=town.actor(town.link_worker), follow_up=follow_up,
            outcome=Outcome.STILL_ATTENDING, swemwbs_items=[6, 1, 1, 1, 1, 1, 1],
        )


def test_an_outcome_is_recorded_once(town) -> None:
    follow_up = FollowUpFactory(referral=_referred(town, 30))
    actor = town.actor(town.link_worker)
    follow_up_record_outcome(actor=actor, follow_up=follow_up, outcome=Outcome.NEVER_STARTED)
    with pytest.raises(Conflict):
        follow_up_record_outcome(actor=actor, follow_up=follow_up, outcome=Outcome.STOPPED,
                                 stopped_reason="moved")


def test_a_gp_of_another_practice_may_not_record_the_outcome(town) -> None:
    follow_up = FollowUpFactory(referral=_referred(town, 30))
    with pytest.raises(PermissionRefused):
        follow_up_record_outcome(
            actor=town.actor(town.other_gp), follow_up=follow_up, outcome=Outcome.STOPPED,
            stopped_reason="x",
        )
    follow_up.refresh_from_db()
    assert follow_up.outcome == ""
