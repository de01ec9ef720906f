"""Token authentication reads the token, user, staff membership, practice and working-site
check in one query (common/authentication.py): the same answers as before, fewer queries."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import future

SLOTS = "/api/v1/slots/"
APPOINTMENTS = "/api/v1/appointments/"


def token_client(user: Any, site: Any = None) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    extra = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    if site is not None:
        extra["HTTP_X_DOVETAIL_SITE"] = str(site.pk)
    client.credentials(**extra)
    return client


def test_search_with_a_token_is_two_queries(world, django_assert_num_queries):
    for day in range(2, 7):
        world.slot(start=future(day))
    client = token_client(world.receptionist.user, world.botley)
    with django_assert_num_queries(2):  # token + user + staff + practice + site check, slots
        response = client.get(SLOTS, {"site": world.botley.pk})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 5


def test_the_working_site_from_the_header_is_used_when_they_work_there(world):
    world.receptionist.sites.set([world.botley, world.kennington])
    slot = world.slot()
    client = token_client(world.receptionist.user, world.kennington)
    response = client.post(APPOINTMENTS, {"slot": slot.pk, "patient": world.patient.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["booked_from_site"] == world.kennington.pk


def test_a_site_they_do_not_work_at_is_ignored(world):
    world.receptionist.sites.set([world.botley])
    slot = world.slot()
    client = token_client(world.receptionist.user, world.stranger_site)
    response = client.post(APPOINTMENTS, {"slot": slot.pk, "patient": world.patient.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["booked_from_site"] is None


def test_a_header_that_is_not_a_number_is_ignored(world):
    slot = world.slot()
    client = token_client(world.receptionist.user)
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"],
        HTTP_X_DOVETAIL_SITE="botley",
    )
    response = client.post(APPOINTMENTS, {"slot": slot.pk, "patient": world.patient.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["booked_from_site"] is None


def test_an_inactive_staff_membership_is_refused(world):
    client = token_client(world.receptionist.user, world.botley)
    world.receptionist.active = False
    world.receptionist.save(update_fields=["active"])
    response = client.get(SLOTS)
    assert response.status_code == 403
    assert "not linked to an active staff member" in response.json()["message"]


def test_a_user_without_staff_membership_is_refused(world):
    response = token_client(world.nobody).get(SLOTS)
    assert response.status_code == 403


def test_an_inactive_user_is_401_on_the_next_request(world):
    client = token_client(world.receptionist.user, world.botley)
    assert client.get(SLOTS).status_code == 200
    world.receptionist.user.is_active = False
    world.receptionist.user.save(update_fields=["is_active"])
    assert client.get(SLOTS).status_code == 401


def test_a_deleted_token_is_401_on_the_next_request(world):
    client = token_client(world.receptionist.user, world.botley)
    assert client.get(SLOTS).status_code == 200
    Token.objects.filter(user=world.receptionist.user).delete()
    assert client.get(SLOTS).status_code == 401


def test_an_unknown_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(SLOTS).status_code == 401


def test_a_site_number_no_database_holds_is_ignored_not_a_401(world):
    """The header is ignored like any site they do not work at; the token still counts."""
    slot = world.slot()
    client = token_client(world.receptionist.user)
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"],
        HTTP_X_DOVETAIL_SITE=str(2**70),
    )
    response = client.post(APPOINTMENTS, {"slot": slot.pk, "patient": world.patient.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["booked_from_site"] is None
