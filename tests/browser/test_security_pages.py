"""The pages changed for the CSP and the sign-in service, in Chromium: scripts come from our
static files only (the page fixture fails on any CSP refusal), htmx still swaps a form's
errors in place, and a patient ends another session from the security page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from staff.roles import Role
from tests.browser.conftest import axe_violations
from tests.browser.test_clinical import _sign_in
from tests.factories import (
    PatientFactory,
    PracticeFactory,
    SiteFactory,
    StaffMemberFactory,
    make_appointment,
)
from tests.online.conftest import PASSWORD, make_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _patient_sign_in(page, base: str) -> None:
    page.goto(f"{base}/patient/sign-in/")
    page.get_by_label("Email address").fill("ava@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/patient/")


def test_a_patient_ends_another_session_from_the_security_page(live_server, new_page,
                                                              settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    practice = PracticeFactory(name="Botley Medical Centre")
    SiteFactory(practice=practice, name="Botley")
    make_account(PatientFactory(registered_practice=practice, given_name="Ava"),
                 "ava@example.com")
    base = live_server.url
    laptop, phone = new_page(), new_page()
    _patient_sign_in(laptop, base)
    _patient_sign_in(phone, base)

    laptop.goto(f"{base}/patient/security/")
    assert laptop.evaluate("document.documentElement.dataset.dovetailJs") == "ready"
    assert "js-enabled" in laptop.evaluate("document.body.className")
    assert "This browser" in laptop.locator("#signed-in-sessions").inner_text()
    assert axe_violations(laptop) == []
    laptop.get_by_role("button", name="Sign out this session").click()
    assert "That session is signed out." in laptop.get_by_role("status").first.inner_text()

    phone.goto(f"{base}/patient/preferences/")
    assert "/patient/sign-in/" in phone.url


def test_htmx_still_shows_a_forms_errors_in_place(live_server, new_page) -> None:
    practice = PracticeFactory(name="Botley Medical Centre")
    site = SiteFactory(practice=practice, name="Botley")
    gp = StaffMemberFactory(practice=practice, role=Role.GP, sites=[site])
    patient = PatientFactory(registered_practice=practice, given_name="Ada", family_name="Ng")
    start = timezone.localtime().replace(hour=0, minute=5, second=0, microsecond=0)
    appointment = make_appointment(patient=patient, clinician=gp, start=start, status="arrived",
                                   arrived_at=timezone.now() - datetime.timedelta(minutes=7))
    page = new_page()
    base = live_server.url
    _sign_in(page, base, gp.user.username)
    page.goto(f"{base}/clinical/appointments/{appointment.pk}/consultation/")
    assert page.evaluate("document.documentElement.dataset.dovetailJs") == "ready"
    observations = page.locator("#add-observation")
    observations.get_by_label("Systolic blood pressure").fill("132")
    observations.get_by_role("button", name="Add observations").click()
    # A 400 with the form's errors, swapped in by htmx (static/dovetail.mjs), not a new page.
    page.locator("#add-observation .nhsuk-error-summary").wait_for()
    assert page.url == f"{base}/clinical/appointments/{appointment.pk}/consultation/"
