from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from policy.actor import WORKING_SITE_SESSION_KEY
from staff.roles import Role
from tests.factories import PracticeFactory, SiteFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"


@pytest.fixture
def practice_with_two_sites():
    practice = PracticeFactory()
    return (
        practice,
        SiteFactory(practice=practice, name="Botley"),
        SiteFactory(practice=practice, name="Kennington"),
    )


def _sign_in(client: Client, username: str, site_id: int | str, password: str = PASSWORD):
    return client.post(
        reverse("sign-in"), {"username": username, "password": password, "site": site_id}
    )


def test_staff_sign_in_keeps_the_chosen_site_in_the_session(practice_with_two_sites) -> None:
    practice, botley, kennington = practice_with_two_sites
    staff = StaffMemberFactory(
        practice=practice, role=Role.RECEPTIONIST, sites=[botley, kennington]
    )
    client = Client()
    response = _sign_in(client, staff.user.username, kennington.pk)
    assert response.status_code == 302
    assert client.session[WORKING_SITE_SESSION_KEY] == kennington.pk
    assert response.cookies["dovetail_site"].value == str(kennington.pk)


def test_remembered_site_is_preselected_next_time(practice_with_two_sites) -> None:
    practice, botley, kennington = practice_with_two_sites
    staff = StaffMemberFactory(
        practice=practice, role=Role.RECEPTIONIST, sites=[botley, kennington]
    )
    client = Client()
    _sign_in(client, staff.user.username, kennington.pk)
    client.post(reverse("sign-out"))
    page = client.get(reverse("sign-in"))
    assert f'<option value="{kennington.pk}" selected>' in page.content.decode()


def test_sign_in_at_a_site_you_do_not_work_at_is_refused(practice_with_two_sites) -> None:
    practice, botley, kennington = practice_with_two_sites
    staff = StaffMemberFactory(practice=practice, role=Role.NURSE, sites=[botley])
    client = Client()
    response = _sign_in(client, staff.user.username, kennington.pk)
    assert response.status_code == 400
    assert "You are not set up to work at Kennington" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_gives_an_error_summary_and_no_session(practice_with_two_sites) -> None:
    practice, botley, _ = practice_with_two_sites
    staff = StaffMemberFactory(practice=practice, sites=[botley])
    client = Client()
    response = _sign_in(client, staff.user.username, botley.pk, password="wrong")
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "username or password is not right" in body
    assert "_auth_user_id" not in client.session


def test_a_user_who_is_not_staff_is_refused(practice_with_two_sites) -> None:
    _, botley, _ = practice_with_two_sites
    user = UserFactory()
    response = _sign_in(Client(), user.username, botley.pk)
    assert response.status_code == 400
    assert "not set up for practice staff" in response.content.decode()


def test_repeated_failures_lock_the_username_out_even_with_the_right_password(
    practice_with_two_sites, settings
) -> None:
    _, botley, _ = practice_with_two_sites
    staff = StaffMemberFactory(practice=botley.practice, sites=[botley])
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, staff.user.username, botley.pk, password="wrong")
    response = _sign_in(client, staff.user.username, botley.pk)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_need_sign_in() -> None:
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_session_is_an_idle_timeout(settings) -> None:
    # Every request renews the expiry, so the cookie age is the idle time allowed.
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 60 * 60
