from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.html import escape

from online import services
from online.models import RegistrationCode
from staff.roles import Role
from tests.factories import StaffMemberFactory
from tests.online.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _url(patient) -> str:
    return f"/staff/patients/{patient.pk}/registration-letter/"


def test_reception_prints_a_letter_that_registers_the_patient(patient, receptionist) -> None:
    client = Client()
    client.force_login(receptionist.user)
    assert client.get(_url(patient)).status_code == 200
    response = client.post(_url(patient))
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    account_id = re.search(r'id="account-id">([A-Z0-9-]+)<', body).group(1)
    passphrase = re.search(r'id="passphrase">([a-z-]+)<', body).group(1)
    # Printing is a static script and print styles in dovetail.css (no inline code: the CSP).
    assert "data-dovetail-print" in body and escape(patient.full_name) in body
    user = services.patient_register(
        account_id=account_id, passphrase=passphrase, date_of_birth=patient.date_of_birth,
        family_name=patient.family_name, email="ava@example.com", password=PASSWORD,
        ip="192.0.2.1",
    )
    assert user.patient_account.patient == patient


def test_staff_of_another_practice_cannot_print_a_letter(patient) -> None:
    other = StaffMemberFactory(role=Role.RECEPTIONIST)
    client = Client()
    client.force_login(other.user)
    assert client.get(_url(patient)).status_code == 404
    assert client.post(_url(patient)).status_code == 404
    assert not RegistrationCode.objects.exists()


def test_clinicians_of_the_practice_are_refused(patient, practice) -> None:
    gp = StaffMemberFactory(practice=practice, role=Role.GP)
    client = Client()
    client.force_login(gp.user)
    assert client.post(_url(patient)).status_code == 403
    assert not RegistrationCode.objects.exists()


def test_the_manager_may_print_too(patient, practice) -> None:
    manager = StaffMemberFactory(practice=practice, role=Role.PRACTICE_MANAGER)
    client = Client()
    client.force_login(manager.user)
    assert client.post(_url(patient)).status_code == 200
    assert RegistrationCode.objects.filter(patient=patient).count() == 1


def test_signed_out_staff_go_to_the_staff_sign_in(patient) -> None:
    response = Client().get(_url(patient))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
