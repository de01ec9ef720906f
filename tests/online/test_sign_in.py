from __future__ import annotations

import datetime
import re

import pyotp
import pytest
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone

from online.models import PatientAccount
from tests.factories import StaffMemberFactory, UserFactory
from tests.online.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db
SIGN_IN = "/patient/sign-in/"


def test_sign_in_with_email_in_any_case_and_a_shorter_idle_timeout(account, settings) -> None:
    client = Client()
    response = client.post(SIGN_IN, {"email": "AVA@Example.COM", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/patient/"
    assert client.session.get_expiry_age() == settings.PATIENT_SESSION_IDLE_MINUTES * 60
    assert "Hello Ava" in client.get("/patient/").content.decode()


def test_patient_username_is_the_email_so_the_token_endpoint_can_authenticate(account) -> None:
    assert account.user.username == account.user.email.lower()
    request = RequestFactory().post("/api/v1/auth/token/")
    assert authenticate(request, username="ava@example.com", password=PASSWORD) == account.user


def test_wrong_password_is_refused_without_a_session(account) -> None:
    client = Client()
    response = client.post(SIGN_IN, {"email": "ava@example.com", "password": "wrong"})
    assert response.status_code == 400
    assert "email address or password is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_cannot_sign_in_on_the_patient_page(practice) -> None:
    staff = StaffMemberFactory(practice=practice, user=UserFactory(username="nurse@example.com"))
    response = Client().post(SIGN_IN, {"email": staff.user.username,
                                       "password": "test-password-123"})
    assert response.status_code == 400


def test_repeated_failures_are_throttled_even_with_the_right_password(account, settings) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"email": "ava@example.com", "password": "wrong"})
    response = client.post(SIGN_IN, {"email": "ava@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_expired_session_goes_back_to_sign_in(account) -> None:
    client = signed_in(account)
    assert client.get("/patient/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/patient/preferences/")
    assert response.status_code == 302
    assert response["Location"] == "/patient/sign-in/?next=/patient/preferences/"


def test_sign_out_ends_the_session(account) -> None:
    client = signed_in(account)
    client.post("/patient/sign-out/")
    assert client.get("/patient/")["Location"].startswith(SIGN_IN)


def test_pages_need_a_patient_account_not_just_any_login(practice) -> None:
    staff = StaffMemberFactory(practice=practice)
    client = Client()
    client.force_login(staff.user)
    assert client.get("/patient/").status_code == 403
    assert client.get("/api/v1/me/").status_code == 403


# ---- two-step sign-in (TOTP) ----------------------------------------------------------------


def _enrol(client: Client, account: PatientAccount) -> pyotp.TOTP:
    assert client.post("/patient/security/", {"action": "start"}).status_code == 302
    page = client.get("/patient/security/").content.decode()
    assert 'src="data:image/svg+xml' in page
    account.refresh_from_db()
    assert account.totp_secret and not account.totp_enabled
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert shown == account.totp_secret
    totp = pyotp.TOTP(account.totp_secret)
    response = client.post("/patient/security/", {"action": "confirm", "code": totp.now()})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.totp_enabled
    return totp


def test_totp_enrolment_needs_a_right_code(account) -> None:
    client = signed_in(account)
    client.post("/patient/security/", {"action": "start"})
    response = client.post("/patient/security/", {"action": "confirm", "code": "000000"})
    account.refresh_from_db()
    if pyotp.TOTP(account.totp_secret).verify("000000", valid_window=1):
        pytest.skip("000000 happens to be the current code")
    assert response.status_code == 400
    assert not account.totp_enabled


def test_with_totp_on_sign_in_asks_for_the_code(account) -> None:
    client = signed_in(account)
    totp = _enrol(client, account)
    client.post("/patient/sign-out/")
    # The same code cannot be used again (it was used to confirm the set-up).
    PatientAccount.objects.filter(pk=account.pk).update(totp_last_step=None)

    response = client.post(SIGN_IN, {"email": "ava@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/patient/sign-in/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/patient/")["Location"].startswith(SIGN_IN)

    wrong = "111111" if totp.now() != "111111" else "222222"
    response = client.post("/patient/sign-in/code/", {"code": wrong})
    assert response.status_code == 400 and "_auth_user_id" not in client.session

    code = totp.now()
    response = client.post("/patient/sign-in/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/patient/"
    assert int(client.session["_auth_user_id"]) == account.user.pk

    # A code is accepted once: replaying it on a new sign-in fails.
    other = Client()
    other.post(SIGN_IN, {"email": "ava@example.com", "password": PASSWORD})
    response = other.post("/patient/sign-in/code/", {"code": code})
    assert response.status_code == 400 and "_auth_user_id" not in other.session


def test_wrong_codes_lock_the_second_step(account, settings) -> None:
    settings.PATIENT_TOTP_MAX_FAILURES = 3
    client = signed_in(account)
    totp = _enrol(client, account)
    client.post("/patient/sign-out/")
    client.post(SIGN_IN, {"email": "ava@example.com", "password": PASSWORD})
    wrong = "111111" if totp.now() != "111111" else "222222"
    for _ in range(3):
        client.post("/patient/sign-in/code/", {"code": wrong})
    PatientAccount.objects.filter(pk=account.pk).update(totp_last_step=None)
    response = client.post("/patient/sign-in/code/", {"code": totp.now()})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_totp_can_be_turned_off_with_the_password(account) -> None:
    client = signed_in(account)
    _enrol(client, account)
    assert client.post("/patient/security/", {"action": "off", "password": "no"}
                       ).status_code == 400
    client.post("/patient/security/", {"action": "off", "password": PASSWORD})
    account.refresh_from_db()
    assert not account.totp_enabled and account.totp_secret == ""


# ---- password reset -------------------------------------------------------------------------


def test_password_reset_by_email(account, request_reset) -> None:
    client = Client()
    response = request_reset(client, "Ava@example.com")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ava@example.com"]
    link = re.search(r"http://testserver(/patient/password-reset/\S+/\S+/)", message.body).group(1)
    response = client.get(link)
    assert response.status_code == 302  # Django swaps the token for a session marker
    form_url = response["Location"]
    new = "another-long-password-77"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response["Location"] == "/patient/password-reset/complete/"
    assert Client().post(SIGN_IN, {"email": "ava@example.com", "password": new}
                         ).status_code == 302
    # The link works once.
    assert "expired or was already used" in client.get(link, follow=True).content.decode()


def test_password_reset_never_emails_staff_accounts(practice, request_reset) -> None:
    StaffMemberFactory(practice=practice, user=UserFactory(email="gp@example.com"))
    response = request_reset(Client(), "gp@example.com")
    assert response.status_code == 302
    assert mail.outbox == []


def test_second_factor_required_tells_other_sign_in_routes(account) -> None:
    from online.totp import second_factor_required

    assert not second_factor_required(account.user)
    client = signed_in(account)
    _enrol(client, account)
    assert second_factor_required(account.user)


def test_the_admin_action_turns_two_step_off(account, practice) -> None:
    client = signed_in(account)
    _enrol(client, account)
    admin = UserFactory(is_staff=True, is_superuser=True)
    staff_client = Client()
    staff_client.force_login(admin)
    response = staff_client.post("/admin/online/patientaccount/", {
        "action": "turn_off_two_step", "_selected_action": [account.pk]})
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.totp_enabled


def test_password_reset_emails_are_limited_per_address(account, settings,
                                                      request_reset) -> None:
    settings.PATIENT_PASSWORD_RESET_LIMIT = 2
    client = Client()
    for _ in range(4):
        response = request_reset(client, "ava@example.com")
        assert response.status_code == 302
        assert response["Location"] == "/patient/password-reset/sent/"
    assert len(mail.outbox) == 2
