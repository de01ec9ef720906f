"""Stale flagging and curation of directory entries."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from common.errors import PermissionRefused
from community.models import Resource
from community.oruk.mapping import resource_to_service
from community.selectors import resources_stale_for_curator
from community.services.directory import (
    resource_create,
    resource_mark_checked,
    resource_update,
    resources_flag_stale,
)
from community.tasks import flag_stale_resources
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def test_entries_unchecked_for_six_months_are_flagged_and_listed_for_their_curator(
    town, settings
) -> None:
    settings.COMMUNITY_STALE_AFTER_DAYS = 183
    curator = town.link_worker.user
    old = ResourceFactory(locality=town.city, curator=curator, last_checked=_days_ago(184))
    ResourceFactory(locality=town.city, curator=curator, last_checked=_days_ago(183))
    ResourceFactory(locality=town.city, last_checked=_days_ago(300))  # someone else's

    assert resources_flag_stale() == (2, 0)

    stale = list(resources_stale_for_curator(curator_id=curator.pk, locality_id=town.city.pk))
    assert stale == [old]


def test_the_stale_period_is_configurable(town, settings) -> None:
    settings.COMMUNITY_STALE_AFTER_DAYS = 30
    ResourceFactory(locality=town.city, last_checked=_days_ago(31))
    assert resources_flag_stale() == (1, 0)


def test_running_the_stale_check_twice_changes_nothing_the_second_time(town) -> None:
    resource = ResourceFactory(locality=town.city, last_checked=_days_ago(400))
    flag_stale_resources()
    first = Resource.objects.get(pk=resource.pk).stale_since

    assert flag_stale_resources() == {"flagged": 0, "cleared": 0}
    assert Resource.objects.get(pk=resource.pk).stale_since == first


def test_a_rechecked_entry_is_no_longer_stale(town) -> None:
    resource = ResourceFactory(
        locality=town.city, curator=town.link_worker.user, last_checked=_days_ago(400)
    )
    resources_flag_stale()
    resource_mark_checked(actor=town.actor(town.link_worker), resource=resource)
    resource.refresh_from_db()
    assert resource.stale_since is None
    assert resource.last_checked == timezone.localdate()


def test_the_daily_check_clears_a_flag_when_the_date_was_corrected(town) -> None:
    resource = ResourceFactory(locality=town.city, last_checked=_days_ago(400))
    resources_flag_stale()
    Resource.objects.filter(pk=resource.pk).update(last_checked=_days_ago(1))
    assert resources_flag_stale() == (0, 1)


def test_a_gp_who_is_not_the_curator_may_not_edit(town) -> None:
    resource = ResourceFactory(locality=town.city, curator=town.link_worker.user)
    with pytest.raises(PermissionRefused):
        resource_update(actor=town.actor(town.gp), resource=resource, name="Changed")
    resource.refresh_from_db()
    assert resource.name != "Changed"


def test_an_edit_by_the_curator_counts_as_a_check(town) -> None:
    resource = ResourceFactory(
        locality=town.city, curator=town.link_worker.user, last_checked=_days_ago(400)
    )
    resources_flag_stale()
    resource_update(actor=town.actor(town.link_worker), resource=resource, cost="£2")
    resource.refresh_from_db()
    assert (resource.cost, resource.stale_since) == ("£2", None)


def test_a_new_entry_gets_a_text_service_id_and_exports_as_json(town) -> None:
    resource = resource_create(
        actor=town.actor(town.link_worker), name="Knit and natter", description="Knitting.",
        categories=["isolation"], organisation_name="Botley library",
    )
    assert isinstance(resource.external_id, str)
    assert json.loads(json.dumps(resource_to_service(resource)))["name"] == "Knit and natter"
