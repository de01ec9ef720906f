"""Finding 2 (issue 14): tokens expire, and end on sign-out and on any password change or reset;
a patient sees and ends their own sessions and token, and nobody else's."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from signin.models import SignedInSession
from tests.online.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


def _token_client(account) -> tuple[APIClient, str]:
    response = APIClient().post("/api/v1/auth/token/", {"username": account.user.username,
                                                        "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert "expires_at" in response.json()
    key = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    return client, key


def test_a_token_stops_working_after_its_lifetime(account, settings) -> None:
    client, key = _token_client(account)
    Token.objects.filter(key=key).update(
        created=Token.objects.get(key=key).created
        - datetime.timedelta(minutes=settings.API_TOKEN_LIFETIME_MINUTES)
    )
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "expired" in response.json()["message"]
    _, new_key = _token_client(account)  # signing in again gives a new one
    assert new_key != key


def test_signing_out_through_the_api_revokes_the_token(account) -> None:
    client, _ = _token_client(account)
    assert client.post("/api/v1/auth/sign-out/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_signing_out_of_the_page_revokes_the_token(account) -> None:
    client, _ = _token_client(account)
    signed_in(account).post("/patient/sign-out/")
    assert client.get("/api/v1/me/").status_code == 401


def test_a_password_change_anywhere_revokes_tokens_and_sessions(account) -> None:
    client, _ = _token_client(account)
    browser = signed_in(account)
    user = account.user
    user.set_password("a-brand-new-password-77")
    user.save()
    assert client.get("/api/v1/me/").status_code == 401
    assert browser.get("/patient/").status_code == 302
    assert not SignedInSession.objects.filter(user=user).exists()


def test_a_password_reset_revokes_the_token(account, request_reset) -> None:
    client, _ = _token_client(account)
    request_reset(Client(), account.user.email)
    link = re.search(r"/patient/password-reset/[^/\s]+/[^/\s]+/", mail.outbox[-1].body).group(0)
    browser = Client()
    form_url = browser.get(link)["Location"]
    response = browser.post(form_url, {"new_password1": "another-long-pass-55",
                                       "new_password2": "another-long-pass-55"})
    assert response.status_code == 302
    assert client.get("/api/v1/me/").status_code == 401


def test_a_patient_sees_their_sessions_and_ends_another(account) -> None:
    laptop, phone = signed_in(account), signed_in(account)
    page = laptop.get("/patient/security/").content.decode()
    assert page.count('name="action" value="end_session"') == 1  # not the current one
    phone_row = SignedInSession.objects.get(session_key=phone.session.session_key)
    response = laptop.post("/patient/security/", {"action": "end_session",
                                                  "session": phone_row.pk})
    assert response.status_code == 302
    assert phone.get("/patient/").status_code == 302  # signed out
    assert laptop.get("/patient/").status_code == 200


def test_the_api_lists_sessions_and_refuses_someone_elses(account, other_account) -> None:
    client, _ = _token_client(account)
    signed_in(account)
    theirs = signed_in(other_account)
    listed = client.get("/api/v1/me/sessions/").json()
    assert len(listed["sessions"]) == 1 and listed["token"]["expires_at"]
    their_row = SignedInSession.objects.get(session_key=theirs.session.session_key)
    assert client.delete(f"/api/v1/me/sessions/{their_row.pk}/").status_code == 404
    assert theirs.get("/patient/").status_code == 200
    assert client.delete("/api/v1/me/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
