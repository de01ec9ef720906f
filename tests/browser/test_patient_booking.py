"""A patient registers with the practice's letter, books a physio appointment at Kennington,
sees it in their upcoming appointments and cancels it; every page passes axe."""

from __future__ import annotations

import re
from typing import Any

import pytest

from appointments.models import Appointment, AppointmentStatus
from online import services
from staff.roles import Role
from tests.browser.conftest import axe_violations
from tests.factories import (
    AppointmentTypeFactory,
    PracticeFactory,
    SiteFactory,
    SlotFactory,
    StaffMemberFactory,
)
from tests.online.conftest import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-patient-password-42"


def test_patient_registers_books_physio_at_kennington_and_cancels(
    live_server, new_page, settings
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    practice = PracticeFactory(name="Botley Medical Centre")
    SiteFactory(practice=practice, name="Botley Medical Centre")
    kennington = SiteFactory(practice=practice, name="Kennington Health Centre",
                             address_line1="200 Kennington Road", town="Oxford")
    reception = StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST)
    physio = StaffMemberFactory(practice=practice, role=Role.PHYSIO, sites=[kennington])
    physio_type = AppointmentTypeFactory(practice=practice, name="Physio first contact",
                                         online_bookable=True, roles=[Role.PHYSIO])
    slot = SlotFactory(site_obj=kennington, clinician=physio, appointment_type=physio_type,
                       online=True)
    patient: Any = PatientFactory(registered_practice=practice, given_name="Ava",
                             family_name="McDonald")
    issued = services.registration_code_issue(patient=patient, issued_by=reception.user)

    page = new_page()
    page.goto(f"{live_server.url}/patient/register/")
    page.get_by_label("Account ID").fill(issued.code.account_id_display)
    page.get_by_label("Passphrase").fill(issued.passphrase)
    page.get_by_label("Date of birth").fill(patient.date_of_birth.strftime("%d/%m/%Y"))
    page.get_by_label("Surname").fill("McDonald")
    page.get_by_label("Email address").fill("ava@example.com")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Set up account").click()
    page.wait_for_url(f"{live_server.url}/patient/")

    page.get_by_role("link", name="Book an appointment").click()
    page.wait_for_url(f"{live_server.url}/patient/book/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Show available times").click()  # nothing chosen yet
    assert page.get_by_role("link", name="Choose what you need").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Physio first contact").check()
    page.get_by_label(re.compile("Kennington Health Centre, 200")).check()
    page.get_by_role("button", name="Show available times").click()
    page.wait_for_url(re.compile(r"/patient/book/\?"))
    slots = page.locator("#slots")
    assert "200 Kennington Road" in slots.inner_text()
    assert "physiotherapist" in slots.inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name=re.compile("^Choose")).first.click()
    page.wait_for_url(f"{live_server.url}/patient/book/{slot.pk}/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Book this appointment").click()
    page.wait_for_url(f"{live_server.url}/patient/appointments/")
    upcoming = page.locator("#upcoming")
    assert "Physio first contact" in upcoming.inner_text()
    assert "Kennington Health Centre" in upcoming.inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name=re.compile("^Cancel")).first.click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Cancel appointment").click()  # no reason: an error
    assert "Tell us why you are cancelling" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("Why are you cancelling?").fill("I feel better")
    page.get_by_role("button", name="Cancel appointment").click()
    page.wait_for_url(f"{live_server.url}/patient/appointments/")
    assert "You have no upcoming appointments" in page.content()
    assert axe_violations(page) == []
    appointment = Appointment.objects.get(patient=patient)
    assert appointment.status == AppointmentStatus.CANCELLED_BY_PATIENT
    assert appointment.cancel_reason == "I feel better"

    for path in ("/patient/record/", "/patient/record/access-log/"):
        page.goto(f"{live_server.url}{path}")
        assert axe_violations(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/patient/appointments/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
