"""Finding 1 (issue 14): the API's sign-in counts codes, honours locks and throttles on the real
client address, exactly like the pages, because both call ``signin.services``."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from common.client_ip import client_ip
from online.models import PatientAccount
from tests.online.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


def _two_step_on(account: PatientAccount) -> pyotp.TOTP:
    account.totp_secret = pyotp.random_base32()
    account.totp_confirmed_at = timezone.now()
    account.save()
    return pyotp.TOTP(account.totp_secret)


def _wrong(totp: pyotp.TOTP) -> str:
    return next(c for c in ("111111", "222222", "333333") if not totp.verify(c, valid_window=1))


def test_wrong_codes_sent_to_the_api_lock_the_login(account, settings) -> None:
    settings.PATIENT_TOTP_MAX_FAILURES = 3
    totp = _two_step_on(account)
    api = APIClient()
    creds = {"username": account.user.username, "password": PASSWORD}
    for _ in range(3):
        assert api.post(TOKEN, {**creds, "otp": _wrong(totp)}, format="json").status_code == 400
    right = api.post(TOKEN, {**creds, "otp": totp.now()}, format="json")
    assert right.status_code == 429 and right.json()["error"] == "locked_out"
    assert "token" not in right.json()
    # ...and the sign-in page honours the same lock.
    page = Client().post("/patient/sign-in/", {"email": account.user.email, "password": PASSWORD})
    assert page.status_code == 429


def test_a_lock_set_by_the_page_holds_for_the_api(account, settings) -> None:
    settings.PATIENT_TOTP_MAX_FAILURES = 2
    totp = _two_step_on(account)
    page = Client()
    page.post("/patient/sign-in/", {"email": account.user.email, "password": PASSWORD})
    for _ in range(2):
        page.post("/patient/sign-in/code/", {"code": _wrong(totp)})
    response = APIClient().post(TOKEN, {"username": account.user.username, "password": PASSWORD,
                                        "otp": totp.now()}, format="json")
    assert response.status_code == 429


def test_password_lock_out_answers_the_api_in_json_even_with_the_right_password(
    account, settings
) -> None:
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(TOKEN, {"username": account.user.username, "password": "wrong"}, format="json")
    response = api.post(TOKEN, {"username": account.user.username, "password": PASSWORD},
                        format="json")
    assert response.status_code == 429
    assert response.json()["error"] == "locked_out"


def test_a_forged_forwarded_for_header_gets_no_new_throttle_bucket(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    api = APIClient()
    statuses = [
        api.post(TOKEN, {"username": "x", "password": "y"}, format="json",
                 HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(12)
    ]
    assert statuses[-1] == 429


def test_behind_one_proxy_only_the_address_it_added_counts(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    api = APIClient()
    statuses = [
        api.post(TOKEN, {"username": "x", "password": "y"}, format="json",
                 HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7").status_code
        for n in range(12)
    ]
    assert statuses[-1] == 429
    other_client = api.post(TOKEN, {"username": "x", "password": "y"}, format="json",
                            HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other_client.status_code == 400


def test_password_lock_out_keys_on_the_real_address_not_a_forged_one(account, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/patient/sign-in/", {"email": account.user.email, "password": "wrong"},
                      HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")
    response = Client().post("/patient/sign-in/",
                             {"email": account.user.email, "password": PASSWORD},
                             HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7")
    assert response.status_code == 429


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "198.51.100.1", "192.0.2.1"),
    (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
    (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
    (1, "", "192.0.2.1"),
    (1, "not-an-address", "192.0.2.1"),
])
def test_client_ip_believes_only_the_trusted_proxies(settings, proxies, forwarded,
                                                     expected) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": "192.0.2.1"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected
