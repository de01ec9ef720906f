from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from practices.models import Practice, Site
from staff.models import StaffMember
from staff.permissions import PRACTICE_MANAGERS_GROUP
from staff.roles import Role
from staff.services import staff_member_create
from tests.factories import PracticeFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Site:
    return SiteFactory.create()


def _create(site: Site, **overrides: Any) -> StaffMember:
    arguments: dict[str, Any] = {
        "username": "jokafor",
        "first_name": "James",
        "last_name": "Okafor",
        "email": "james.okafor@example.org",
        "password": "a-long-demo-passphrase",
        "practice": site.practice,
        "role": Role.GP,
        "registration_number": "7040137",
        "sites": [site],
    }
    arguments.update(overrides)
    return staff_member_create(**arguments)


def test_creates_a_login_and_staff_membership_at_the_sites(site: Site) -> None:
    member = _create(site)
    assert member.user.check_password("a-long-demo-passphrase")
    assert list(member.sites.all()) == [site]
    assert member.display_name == "Dr James Okafor"
    assert not member.user.is_staff


def test_practice_manager_gets_admin_access_and_the_managers_group(site: Site) -> None:
    member = _create(site, role=Role.PRACTICE_MANAGER, registration_number="")
    assert member.user.is_staff
    assert list(member.user.groups.values_list("name", flat=True)) == [PRACTICE_MANAGERS_GROUP]


def test_no_password_makes_an_account_that_cannot_log_in(site: Site) -> None:
    member = _create(site, password=None)
    assert not member.user.has_usable_password()


def test_bad_registration_number_is_refused_and_nothing_is_written(site: Site) -> None:
    with pytest.raises(ValidationError) as caught:
        _create(site, registration_number="12345")
    assert "GMC number is 7 digits" in caught.value.message_dict["registration_number"][0]
    assert not get_user_model().objects.filter(username="jokafor").exists()


def test_site_of_another_practice_is_refused(site: Site) -> None:
    other: Practice = PracticeFactory.create()
    with pytest.raises(ValidationError) as caught:
        _create(site, practice=other)
    assert caught.value.message_dict["sites"] == [
        "Every site must belong to the staff member's practice."
    ]


def test_taken_username_is_refused(site: Site) -> None:
    _create(site)
    with pytest.raises(ValidationError) as caught:
        _create(site, registration_number="7040274")
    assert "username" in caught.value.message_dict
    assert StaffMember.objects.count() == 1


def test_weak_password_is_refused(site: Site) -> None:
    with pytest.raises(ValidationError) as caught:
        _create(site, password="12345678")
    assert caught.value.message_dict["password"]


def test_arguments_are_keyword_only(site: Site) -> None:
    with pytest.raises(TypeError):
        staff_member_create("jokafor")  # type: ignore[misc, call-arg]
