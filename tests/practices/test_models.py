from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from practices.models import OpeningHours, Site
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_closing_before_opening_is_refused_in_words() -> None:
    hours = OpeningHours(
        site=SiteFactory.create(),
        weekday=OpeningHours.Weekday.MONDAY,
        opens=datetime.time(18, 30),
        closes=datetime.time(8, 0),
    )
    with pytest.raises(ValidationError) as caught:
        hours.full_clean()
    assert caught.value.message_dict == {
        "closes": ["The closing time must be after the opening time."]
    }


def test_database_refuses_closing_before_opening() -> None:
    hours = OpeningHours.objects.create(
        site=SiteFactory.create(), weekday=0, opens=datetime.time(8), closes=datetime.time(18)
    )
    with (
        pytest.raises(IntegrityError, match="opening_closes_after_opens"),
        transaction.atomic(),
    ):
        OpeningHours.objects.filter(pk=hours.pk).update(closes=datetime.time(7))


def test_database_refuses_two_sites_of_one_practice_with_one_name() -> None:
    site = SiteFactory.create(name="Botley Medical Centre")
    copy = Site(
        practice=site.practice,
        name="Botley Medical Centre",
        address_line1="Elms Road",
        town="Oxford",
        postcode="OX2 9JS",
    )
    with pytest.raises(IntegrityError, match="site_name_unique_in_practice"), transaction.atomic():
        Site.objects.bulk_create([copy])
