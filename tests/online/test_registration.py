from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from common.errors import PermissionRefused
from online import passphrases, services
from online.models import PatientAccount, RegistrationCode
from staff.roles import Role
from tests.expect import violates
from tests.factories import StaffMemberFactory
from tests.online.conftest import PASSWORD, issue

pytestmark = pytest.mark.django_db
REGISTER = "/patient/register/"


def _form(code: Any, phrase: str, patient: Any, **overrides: Any) -> dict[str, str]:
    data = {
        "account_id": code.account_id_display,
        "passphrase": phrase,
        "date_of_birth": patient.date_of_birth.strftime("%d/%m/%Y"),
        "family_name": patient.family_name,
        "email": "Ava.McDonald@Example.com",
        "password": PASSWORD,
    }
    data.update(overrides)
    return data


def _error_summary(html: str) -> str:
    match = re.search(r'<div class="nhsuk-error-summary".*?</ul>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def test_issued_code_keeps_only_a_hash_and_expires(patient, receptionist) -> None:
    issued = issue(patient, receptionist)
    code = RegistrationCode.objects.get(pk=issued.code.pk)
    assert len(issued.passphrase.split("-")) == 4
    assert issued.passphrase not in code.passphrase_hash
    assert re.fullmatch(r"[A-Z2-9]{10}", code.account_id)
    assert code.expires_at - code.issued_at == datetime.timedelta(days=90)


def test_registering_with_the_letter_creates_an_account_and_signs_in(patient, receptionist):
    issued = issue(patient, receptionist)
    client = Client()
    data = _form(
        issued.code, f"  {issued.passphrase.upper().replace('-', ' ')} ", patient,
        account_id=issued.code.account_id.lower(),
        family_name=" mc donald ",
    )
    response = client.post(REGISTER, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/patient/"
    account = PatientAccount.objects.select_related("user").get(patient=patient)
    assert account.user.username == "ava.mcdonald@example.com" == account.user.email
    assert int(client.session["_auth_user_id"]) == account.user.pk
    assert RegistrationCode.objects.get(pk=issued.code.pk).used_at is not None
    assert client.get("/patient/").status_code == 200


WRONG = {
    "date of birth": lambda c, p, pat: {"date_of_birth": (pat.date_of_birth - datetime.timedelta(
        days=1)).strftime("%d/%m/%Y")},
    "surname": lambda c, p, pat: {"family_name": "Smith"},
    "passphrase": lambda c, p, pat: {"passphrase": "apple-banana-cherry-damson"},
    "account id": lambda c, p, pat: {"account_id": "ZZZZZ-ZZZZZ"},
}


@pytest.mark.parametrize("wrong", [*WRONG, "expired", "already used", "replaced"])
def test_any_wrong_detail_gives_the_same_generic_error(patient, receptionist, wrong) -> None:
    issued = issue(patient, receptionist)
    overrides: dict[str, str] = {}
    if wrong in WRONG:
        overrides = WRONG[wrong](issued.code, issued.passphrase, patient)
    elif wrong == "expired":
        RegistrationCode.objects.filter(pk=issued.code.pk).update(
            issued_at=timezone.now() - datetime.timedelta(days=91),
            expires_at=timezone.now() - datetime.timedelta(seconds=1),
        )
    elif wrong == "already used":
        RegistrationCode.objects.filter(pk=issued.code.pk).update(used_at=timezone.now())
    elif wrong == "replaced":
        issue(patient, receptionist)  # a newer letter makes the older one stop working
    client = Client()
    response = client.post(REGISTER, _form(issued.code, issued.passphrase, patient, **overrides))
    body = response.content.decode()
    assert response.status_code == 400
    summary = _error_summary(body)
    assert services.GENERIC_REGISTRATION_ERROR in summary
    # Exactly one message, not tied to any field: nothing hints which detail was wrong.
    assert summary.count("<li>") == 1
    assert 'href="#' not in summary
    assert "_auth_user_id" not in client.session
    assert not PatientAccount.objects.filter(patient=patient).exists()
    assert not get_user_model().objects.filter(username="ava.mcdonald@example.com").exists()


def test_the_code_locks_after_repeated_failures_even_with_the_right_details(
    patient, receptionist, settings
) -> None:
    settings.PATIENT_REGISTRATION_MAX_FAILURES = 5
    issued = issue(patient, receptionist)
    client = Client()
    for _ in range(5):
        client.post(REGISTER, _form(issued.code, issued.passphrase, patient, family_name="X"))
    code = RegistrationCode.objects.get(pk=issued.code.pk)
    assert code.failed_attempts == 5 and code.locked_at is not None
    response = client.post(REGISTER, _form(issued.code, issued.passphrase, patient))
    assert response.status_code == 400
    assert services.GENERIC_REGISTRATION_ERROR in response.content.decode()
    assert not PatientAccount.objects.filter(patient=patient).exists()


def test_four_failures_do_not_lock_the_code(patient, receptionist, settings) -> None:
    settings.PATIENT_REGISTRATION_MAX_FAILURES = 5
    issued = issue(patient, receptionist)
    client = Client()
    for _ in range(4):
        client.post(REGISTER, _form(issued.code, issued.passphrase, patient, family_name="X"))
    response = client.post(REGISTER, _form(issued.code, issued.passphrase, patient))
    assert response.status_code == 302


def test_failures_from_one_address_are_throttled(patient, receptionist, settings) -> None:
    settings.PATIENT_REGISTRATION_IP_LIMIT = 3
    issued = issue(patient, receptionist)
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(3):
        response = client.post(REGISTER, _form(issued.code, issued.passphrase, patient,
                                               account_id=f"ZZZZZZZZZ{n + 2}"))
        assert response.status_code == 400
    response = client.post(REGISTER, _form(issued.code, issued.passphrase, patient))
    assert response.status_code == 429
    assert not PatientAccount.objects.filter(patient=patient).exists()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post(REGISTER, _form(issued.code, issued.passphrase, patient)).status_code == 302


def test_a_code_can_be_used_only_once(patient, receptionist) -> None:
    issued = issue(patient, receptionist)
    args = {"account_id": issued.code.account_id, "passphrase": issued.passphrase,
            "date_of_birth": patient.date_of_birth, "family_name": patient.family_name,
            "password": PASSWORD, "ip": "192.0.2.1"}
    services.patient_register(email="first@example.com", **args)
    with pytest.raises(services.RegistrationRefused):
        services.patient_register(email="second@example.com", **args)
    assert PatientAccount.objects.filter(patient=patient).count() == 1


def test_an_email_already_in_use_is_a_field_error_and_keeps_the_code(
    patient, receptionist, other_account
) -> None:
    issued = issue(patient, receptionist)
    response = Client().post(REGISTER, _form(issued.code, issued.passphrase, patient,
                                             email="SECOND@example.com"))
    assert response.status_code == 400
    assert "already uses this email" in response.content.decode()
    assert RegistrationCode.objects.get(pk=issued.code.pk).used_at is None


def test_a_weak_password_is_refused_by_the_django_validators(patient, receptionist) -> None:
    issued = issue(patient, receptionist)
    response = Client().post(REGISTER, _form(issued.code, issued.passphrase, patient,
                                             password="password"))
    assert response.status_code == 400
    assert "too common" in response.content.decode()
    assert not PatientAccount.objects.filter(patient=patient).exists()


def test_only_reception_or_manager_of_the_practice_issue_codes(patient, practice) -> None:
    gp = StaffMemberFactory(practice=practice, role=Role.GP)
    elsewhere = StaffMemberFactory(role=Role.RECEPTIONIST)
    for staff in (gp, elsewhere):
        with pytest.raises(PermissionRefused):
            services.registration_code_issue(patient=patient, issued_by=staff.user)
    assert not RegistrationCode.objects.exists()


def test_one_live_code_per_patient_is_a_database_rule(patient, receptionist) -> None:

    issued = issue(patient, receptionist)
    with violates("registration_code_one_live_per_patient"):
        RegistrationCode.objects.create(
            patient=patient, account_id="ABCDEFGHJK", passphrase_hash="x",
            issued_by=receptionist.user, issued_at=issued.code.issued_at,
            expires_at=issued.code.expires_at,
        )


def test_passphrase_normalisation_ignores_case_and_separators() -> None:
    assert passphrases.normalise_passphrase(" Apple tree-CLOUD  river ") == "apple-tree-cloud-river"
    assert passphrases.normalise_account_id("abcde-fghjk") == "ABCDEFGHJK"
    assert passphrases.normalise_surname("Mc Donald") == passphrases.normalise_surname("mcdonald")
    assert len(passphrases.words()) >= 512


def test_a_patient_with_an_account_gets_no_new_code(patient, receptionist, account) -> None:
    from common.errors import Conflict

    with pytest.raises(Conflict):
        issue(patient, receptionist)


def test_no_code_for_a_deceased_patient(patient, receptionist) -> None:
    from common.errors import Conflict

    patient.date_of_death = patient.date_of_birth
    patient.save(update_fields=["date_of_death"])
    with pytest.raises(Conflict):
        issue(patient, receptionist)
