"""Directory search and the outcomes report."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.utils import timezone

from community.models import FollowUp, Outcome, Referral, Resource
from community.models.directory import resource_search_vector
from community.selectors import outcomes_report, resources_search, share
from policy.community import report_scope
from tests.factories import PracticeFactory, ReferralFactory, ResourceFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def _names(qs) -> list[str]:
    return [r.name for r in qs]


def test_search_finds_words_by_stem_best_match_first(town) -> None:
    ResourceFactory(locality=town.city, name="Botley walking group",
                    description="Gentle walks for all.")
    ResourceFactory(locality=town.city, name="Knit and natter",
                    description="Knitting, tea and a walk to the park in summer.")
    ResourceFactory(locality=town.city, name="Debt advice", description="Money help.")
    found = _names(resources_search(locality_id=town.city.pk, words="walks"))
    assert found == ["Botley walking group", "Knit and natter"]


def test_search_filters_by_category_and_area_within_the_locality(town) -> None:
    ResourceFactory(locality=town.city, name="Food bank", categories=["food"], area="Cowley")
    ResourceFactory(locality=town.city, name="Pantry", categories=["food"], area="Botley")
    ResourceFactory(locality=town.city, name="Choir", categories=["arts"], area="Cowley")
    ResourceFactory(locality=town.other, name="Abingdon food", categories=["food"],
                    area="Cowley")
    found = resources_search(locality_id=town.city.pk, category="food", area="cowley")
    assert _names(found) == ["Food bank"]


def test_the_search_expression_is_the_one_the_full_text_index_covers(town) -> None:
    ResourceFactory(locality=town.city)
    query = SearchQuery("walk", config="english", search_type="websearch")
    qs = Resource.objects.annotate(search=resource_search_vector()).filter(search=query)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "resource_search_idx" in plan


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [(35, 131, "35 of 131 (27%)"), (1, 8, "1 of 8 (13%)"), (0, 0, "0 of 0"),
     (3, 3, "3 of 3 (100%)")],
)
def test_share_is_written_as_part_of_whole_with_a_rounded_percentage(part, whole, text) -> None:
    assert share(part, whole) == text


def _referrals(town, count: int, *, practice=None, needs=None, days_ago: int = 60):
    practice = practice or town.practice
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return Referral.objects.bulk_create(
        Referral(
            patient=town.patient, practice=practice, locality=practice.locality,
            referred_by=town.gp.user, referred_on=day, link_worker=town.link_worker,
            needs=needs or ["isolation"],
        )
        for _ in range(count)
    )


def _follow_up(referrals, outcome: str, user) -> None:
    FollowUp.objects.bulk_create(
        FollowUp(
            referral=r, due_on=r.referred_on + datetime.timedelta(days=28), assigned_to=user,
            outcome=outcome, recorded_by=user, recorded_at=timezone.now(),
            stopped_reason="moved away" if outcome == Outcome.STOPPED else "",
        )
        for r in referrals
    )


def test_the_links_project_figures_come_out_as_35_of_131(town, django_assert_num_queries) -> None:
    referrals = _referrals(town, 131)
    _follow_up(referrals[:35], Outcome.STILL_ATTENDING, town.link_worker.user)
    _follow_up(referrals[35:100], Outcome.STOPPED, town.link_worker.user)
    scope = report_scope(town.actor(town.manager))
    with django_assert_num_queries(1):
        report = outcomes_report(scope=scope)
    assert report.total.engaged_share == "35 of 131 (27%)"
    assert report.total.followed_up_share == "100 of 131 (76%)"
    assert report.by["practice"][0].engaged_share == "35 of 131 (27%)"


def test_the_report_splits_by_practice_and_counts_each_need(town) -> None:
    second = PracticeFactory(name="Kennington Health Centre", locality=town.city)
    a = _referrals(town, 4, needs=["isolation", "carer"])
    b = _referrals(town, 2, practice=second, needs=["finance"])
    _follow_up(a[:1] + b, Outcome.STILL_ATTENDING, town.link_worker.user)
    report = outcomes_report(scope=report_scope(town.actor(town.manager)))
    by_practice = {row.label: row.engaged_share for row in report.by["practice"]}
    assert by_practice == {
        "Botley Medical Centre": "1 of 4 (25%)",
        "Kennington Health Centre": "2 of 2 (100%)",
    }
    by_need = {row.key: row.engaged_share for row in report.by["need"]}
    assert by_need == {"isolation": "1 of 4 (25%)", "carer": "1 of 4 (25%)",
                       "finance": "2 of 2 (100%)"}
    assert report.by["locality"][0].engaged_share == "3 of 6 (50%)"


def test_the_date_range_filters_by_referral_date(town) -> None:
    _referrals(town, 3, days_ago=100)
    _referrals(town, 2, days_ago=10)
    since = timezone.localdate() - datetime.timedelta(days=50)
    report = outcomes_report(scope=report_scope(town.actor(town.manager)), start=since)
    assert report.total.referred == 2


def test_another_localitys_manager_sees_none_of_these_referrals(town) -> None:
    _referrals(town, 3)
    manager = StaffMemberFactory(practice=town.other_practice, role="manager")
    report = outcomes_report(scope=report_scope(town.actor(manager)))
    assert report.total.referred == 0


def test_a_resource_row_names_the_resource(town) -> None:
    resource = ResourceFactory(locality=town.city, name="Cowley food bank")
    ReferralFactory(patient=town.patient, link_worker=town.link_worker, resource=resource)
    report = outcomes_report(scope=report_scope(town.actor(town.manager)))
    assert [r.label for r in report.by["resource"]] == ["Cowley food bank"]
