from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from common.errors import Conflict, PermissionRefused
from online import services
from online.models import ProxyAccess
from policy.actor import actor_for_user
from policy.identity import patients_actable_by
from staff.roles import Role
from tests.factories import StaffMemberFactory
from tests.online.conftest import PatientFactory, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(practice):
    return PatientFactory(registered_practice=practice, given_name="Milo", family_name="McDonald")


def _grant(child, receptionist, email="ava@example.com", **kwargs) -> ProxyAccess:
    return services.proxy_access_grant(patient=child, grantee_email=email,
                                       granted_by=receptionist.user,
                                       reason="Parent of a child under 11", **kwargs)


def test_a_grant_lets_the_carer_act_for_the_patient(account, child, receptionist) -> None:
    assert set(patients_actable_by(account.user)) == {account.patient}
    _grant(child, receptionist)
    assert set(patients_actable_by(account.user)) == {account.patient, child}
    actor = actor_for_user(account.user)
    assert actor.patient_ids == {account.patient.pk, child.pk}
    assert actor.acting_for_id == account.patient.pk  # their own by default


def test_switching_to_the_proxied_patient(account, child, receptionist) -> None:
    _grant(child, receptionist)
    client = signed_in(account)
    home = client.get("/patient/").content.decode()
    assert 'id="acting-for"' in home and "Milo McDonald" in home
    response = client.post("/patient/acting-for/", {"patient": child.pk, "next": "/patient/"})
    assert response.status_code == 302
    assert "Acting for Milo McDonald" in client.get("/patient/").content.decode()
    me = client.get("/api/v1/me/").json()
    assert me["acting_for"] == child.pk
    assert {(p["id"], p["relationship"]) for p in me["patients"]} == {
        (account.patient.pk, "self"), (child.pk, "proxy")}
    assert client.get("/api/v1/me/preferences/").json()["patient"] == child.pk


def test_revoking_ends_access_at_once(account, child, receptionist) -> None:
    grant = _grant(child, receptionist)
    client = signed_in(account)
    client.post("/patient/acting-for/", {"patient": child.pk})
    services.proxy_access_revoke(grant=grant, revoked_by=receptionist.user, reason="Moved away")
    assert set(patients_actable_by(account.user)) == {account.patient}
    assert client.get(f"/patient/?patient={child.pk}").status_code == 404
    assert client.get(f"/api/v1/me/preferences/?patient={child.pk}").status_code == 404
    # The switcher's stale choice falls back to their own record.
    assert "Hello Ava" in client.get("/patient/").content.decode()
    with pytest.raises(Conflict):
        services.proxy_access_revoke(grant=grant, revoked_by=receptionist.user, reason="again")


def test_grants_count_only_between_start_and_end(account, child, receptionist) -> None:
    now = timezone.now()
    _grant(child, receptionist, starts_at=now + datetime.timedelta(days=1))
    assert child not in patients_actable_by(account.user)
    ProxyAccess.objects.update(starts_at=now - datetime.timedelta(days=10),
                               ends_at=now - datetime.timedelta(days=1))
    assert child not in patients_actable_by(account.user)
    ProxyAccess.objects.update(ends_at=now + datetime.timedelta(days=1))
    assert child in patients_actable_by(account.user)


def test_only_reception_or_manager_of_the_practice_grant(account, child, practice) -> None:
    gp = StaffMemberFactory(practice=practice, role=Role.GP)
    other = StaffMemberFactory(role=Role.PRACTICE_MANAGER)
    for staff in (gp, other):
        with pytest.raises(PermissionRefused):
            _grant(child, staff)
    assert not ProxyAccess.objects.exists()


def test_the_grantee_needs_their_own_online_account(child, receptionist) -> None:
    with pytest.raises(ValidationError) as caught:
        _grant(child, receptionist, email="nobody@example.com")
    assert "grantee_email" in caught.value.message_dict


def test_one_unrevoked_grant_per_person_and_patient(account, child, receptionist) -> None:
    _grant(child, receptionist)
    with pytest.raises(Conflict):
        _grant(child, receptionist)


def test_staff_page_grants_and_revokes(account, child, receptionist) -> None:
    client = Client()
    client.force_login(receptionist.user)
    url = f"/staff/patients/{child.pk}/proxy-access/"
    response = client.post(url, {"grantee_email": "AVA@example.com", "reason": "Parent"})
    assert response.status_code == 302
    grant = ProxyAccess.objects.get()
    assert grant.grantee == account.user and grant.granted_by == receptionist.user
    assert "ava@example.com" in client.get(url).content.decode()
    client.post(f"{url}{grant.pk}/revoke/", {"reason": "Parental responsibility ended"})
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == receptionist.user


def test_staff_of_another_practice_get_404_on_the_proxy_page(child) -> None:
    other = StaffMemberFactory(role=Role.RECEPTIONIST)
    client = Client()
    client.force_login(other.user)
    assert client.get(f"/staff/patients/{child.pk}/proxy-access/").status_code == 404


def test_pages_do_not_grow_queries_with_more_proxied_patients(
    account, receptionist, practice, django_assert_max_num_queries
) -> None:
    client = signed_in(account)
    _grant(PatientFactory(registered_practice=practice), receptionist)
    with django_assert_max_num_queries(100) as one:
        client.get("/patient/")
        client.get("/api/v1/me/")
    for _ in range(3):
        _grant(PatientFactory(registered_practice=practice), receptionist)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get("/patient/")
        client.get("/api/v1/me/")


def test_home_shows_only_cards_for_pages_that_exist(account, settings) -> None:
    client = signed_in(account)
    body = client.get("/patient/").content.decode()
    assert 'href="/patient/preferences/"' in body
    for href in ("/patient/book/", "/patient/appointments/", "/patient/record/",
                 "/patient/record/access-log/"):
        assert f'href="{href}"' in body
    settings.ROOT_URLCONF = "tests.online.urls_without_booking"
    body = client.get("/patient/").content.decode()
    assert 'href="/patient/preferences/"' in body
    assert "Book an appointment" not in body and "/patient/record/" not in body
