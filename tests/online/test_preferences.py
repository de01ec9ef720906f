from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from common.errors import PermissionRefused
from online import services
from online.models import ContactPreferenceChange
from tests.online.conftest import signed_in

pytestmark = pytest.mark.django_db
URL = "/patient/preferences/"


def test_the_page_saves_and_records_who_changed_it(account) -> None:
    client = signed_in(account)
    response = client.post(URL, {"mobile": "07400 765432", "email": "new@example.com",
                                 "sms_consent": "on"})
    assert response.status_code == 302
    patient = account.patient
    patient.refresh_from_db()
    assert patient.mobile == "+447400765432"
    assert (patient.email, patient.sms_consent, patient.email_consent) == (
        "new@example.com", True, False)
    change = ContactPreferenceChange.objects.get()
    assert change.changed_by == account.user
    assert change.changes["email_consent"] == [True, False]


def test_a_landline_is_not_a_mobile(account) -> None:
    response = signed_in(account).post(URL, {"mobile": "01865 248719", "sms_consent": "on"})
    assert response.status_code == 400
    assert "Enter a UK mobile number" in response.content.decode()


def test_consent_needs_the_contact_detail(account) -> None:
    with pytest.raises(ValidationError) as caught:
        services.contact_preferences_update(patient=account.patient, changed_by=account.user,
                                            mobile="", sms_consent=True)
    assert "sms_consent" in caught.value.message_dict
    response = signed_in(account).post(URL, {"mobile": "", "email": "", "email_consent": "on"})
    assert response.status_code == 400
    assert "Add an email address" in response.content.decode()
    assert not ContactPreferenceChange.objects.exists()


def test_the_api_reads_and_patches(account) -> None:
    client = signed_in(account)
    got = client.get("/api/v1/me/preferences/").json()
    assert got["patient"] == account.patient.pk
    response = client.patch("/api/v1/me/preferences/", {"sms_consent": False},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["sms_consent"] is False
    bad = client.patch("/api/v1/me/preferences/", {"mobile": "12"},
                       content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"
    assert "mobile" in bad.json()["detail"]


def test_nobody_else_may_change_them(account, other_account) -> None:
    with pytest.raises(PermissionRefused):
        services.contact_preferences_update(patient=account.patient,
                                            changed_by=other_account.user, sms_consent=False)


def test_the_api_works_with_a_token_too(account, other_account) -> None:
    from django.test import Client, RequestFactory
    from rest_framework.authtoken.models import Token

    from policy.actor import actor_for_request

    token = Token.objects.create(user=account.user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    me = client.get("/api/v1/me/").json()
    assert [p["id"] for p in me["patients"]] == [account.patient.pk]
    assert me["acting_for"] == account.patient.pk
    assert client.get(f"/api/v1/me/preferences/?patient={other_account.patient.pk}"
                      ).status_code == 404
    # An actor worked out for an earlier (anonymous) user of the request is not reused.
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert not actor_for_request(request).is_patient_user
    request.user = account.user
    assert actor_for_request(request).is_patient_user
