from __future__ import annotations

import pytest

from online import services
from staff.roles import Role
from tests.browser.conftest import axe_violations
from tests.factories import PracticeFactory, SiteFactory, StaffMemberFactory
from tests.online.conftest import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-patient-password-42"


def test_patient_registers_with_a_letter_then_signs_in(live_server, new_page, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    practice = PracticeFactory(name="Botley Medical Centre")
    SiteFactory(practice=practice, name="Botley")
    reception = StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST)
    patient = PatientFactory(registered_practice=practice, given_name="Ava",
                             family_name="McDonald")
    issued = services.registration_code_issue(patient=patient, issued_by=reception.user)

    page = new_page()
    page.goto(f"{live_server.url}/patient/register/")
    assert axe_violations(page) == []

    def fill(surname: str) -> None:
        page.get_by_label("Account ID").fill(issued.code.account_id_display.lower())
        page.get_by_label("Passphrase").fill(issued.passphrase.replace("-", " "))
        page.get_by_label("Date of birth").fill(patient.date_of_birth.strftime("%d/%m/%Y"))
        page.get_by_label("Surname").fill(surname)
        page.get_by_label("Email address").fill("ava@example.com")
        page.get_by_label("Create a password").fill(PASSWORD)
        page.get_by_role("button", name="Set up account").click()

    fill("Smith")  # a wrong detail: one generic, accessible error
    summary = page.get_by_role("alert")
    assert "could not match those details" in summary.inner_text()
    assert axe_violations(page) == []

    fill("mcdonald")
    page.wait_for_url(f"{live_server.url}/patient/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello Ava"
    assert page.get_by_role("link", name="Contact preferences").is_visible()
    assert axe_violations(page) == []
    # Mobile first: on a small phone nothing scrolls sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/patient/sign-in/")
    assert axe_violations(page) == []
    page.get_by_label("Email address").fill("AVA@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/patient/")

    page.get_by_role("link", name="Contact preferences").click()
    page.wait_for_url(f"{live_server.url}/patient/preferences/")
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/patient/security/")
    page.get_by_role("button", name="Set up two-step sign-in").click()
    assert page.get_by_role("img", name="QR code to add Dovetail to your authenticator app"
                            ).is_visible()
    assert axe_violations(page) == []


def test_registration_letter_page_is_accessible(live_server, new_page, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    practice = PracticeFactory(name="Botley Medical Centre")
    site = SiteFactory(practice=practice, name="Botley")
    reception = StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST, sites=[site])
    patient = PatientFactory(registered_practice=practice)
    page = new_page()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(reception.user.username)
    page.get_by_label("Password").fill("test-password-123")
    page.get_by_label("Site you are working at today").select_option(
        label="Botley (Botley Medical Centre)")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/staff/patients/{patient.pk}/registration-letter/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Issue and print a registration letter").click()
    assert page.locator("#passphrase").inner_text().count("-") == 3
    assert axe_violations(page) == []
