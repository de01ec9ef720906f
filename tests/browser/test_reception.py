"""Reception in a real browser: a receptionist at Botley finds a patient and books them at
Kennington; a colleague at Kennington sees the booking appear without reloading. Every page
is checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest

from appointments.models import Appointment
from staff.roles import Role
from tests.browser.conftest import axe_violations
from tests.factories import (
    AppointmentTypeFactory,
    PatientFactory,
    PracticeFactory,
    SiteFactory,
    SlotFactory,
    StaffMemberFactory,
    future,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, base: str, username: str, site_label: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("test-password-123")
    page.get_by_label("Site you are working at today").select_option(label=site_label)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_book_at_kennington_from_botley_appears_live(live_server, new_page) -> None:
    practice = PracticeFactory(name="Botley Medical Centre")
    botley = SiteFactory(practice=practice, name="Botley")
    kennington = SiteFactory(practice=practice, name="Kennington")
    at_botley = StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST,
                                   sites=[botley, kennington])
    at_kennington = StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST,
                                       sites=[botley, kennington])
    gp = StaffMemberFactory(practice=practice, role=Role.GP, sites=[kennington])
    routine = AppointmentTypeFactory(practice=practice, name="GP routine")
    slot = SlotFactory(site_obj=kennington, clinician=gp, appointment_type=routine,
                       start=future(1, 9))
    SlotFactory(site_obj=kennington, clinician=gp, appointment_type=routine, start=future(1, 10),
                online=True)
    PatientFactory(registered_practice=practice, given_name="Ada", family_name="Lovelace")
    base = live_server.url
    day = future(1).date().isoformat()

    kennington_page = new_page()
    _sign_in(kennington_page, base, at_kennington.user.username,
             "Kennington (Botley Medical Centre)")
    kennington_page.goto(f"{base}/reception/book/?date={day}&site={kennington.pk}")
    assert "Reception only" in kennington_page.content()
    assert axe_violations(kennington_page) == []
    kennington_page.evaluate("window.notReloaded = true")

    botley_page = new_page()
    _sign_in(botley_page, base, at_botley.user.username, "Botley (Botley Medical Centre)")
    botley_page.goto(f"{base}/reception/patients/")
    assert axe_violations(botley_page) == []
    botley_page.get_by_label("Search for a patient").press_sequentially("lovel")
    result = botley_page.get_by_role("link", name="Ada Lovelace")
    result.wait_for()  # results as you type, no submit
    assert axe_violations(botley_page) == []
    result.click()
    botley_page.get_by_role("link", name="Find an appointment for Ada Lovelace").click()
    botley_page.get_by_label("Site").select_option(label="Kennington")
    botley_page.get_by_label("Clinician role").select_option(label="GP")
    botley_page.get_by_role("button", name="Find slots").click()
    assert axe_violations(botley_page) == []
    botley_page.get_by_role("link", name=re.compile(r"^Book .* 09:00 at Kennington$")).click()
    assert botley_page.get_by_role("heading", level=1).inner_text() == "Book an appointment"
    assert axe_violations(botley_page) == []
    botley_page.get_by_label("Booking note (optional)").fill("Prefers mornings")
    botley_page.get_by_role("button", name="Book appointment").click()
    botley_page.get_by_text("Booked Ada Lovelace").wait_for()
    appointment = Appointment.objects.get(slot_id=slot.pk)
    assert appointment.booked_from_site == botley and appointment.site == kennington

    # The Kennington day view picks it up by polling within ~10 s, without a reload.
    kennington_page.get_by_role("link", name="Ada Lovelace").wait_for(timeout=20_000)
    assert kennington_page.evaluate("window.notReloaded") is True
    assert axe_violations(kennington_page) == []


def test_register_a_patient_with_inline_validation(live_server, new_page) -> None:
    practice = PracticeFactory(name="Botley Medical Centre")
    botley = SiteFactory(practice=practice, name="Botley")
    receptionist = StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST, sites=[botley])
    base = live_server.url
    page = new_page()
    _sign_in(page, base, receptionist.user.username, "Botley (Botley Medical Centre)")
    page.goto(f"{base}/reception/patients/new/")
    assert axe_violations(page) == []

    page.get_by_label("Postcode").fill("nowhere")
    page.get_by_label("Postcode").press("Tab")  # checked on blur, before submitting
    page.locator(".nhsuk-form-group--error #id_postcode").wait_for()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Register patient").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert axe_violations(page) == []

    page.get_by_label("NHS number").fill("999 000 0018")
    page.get_by_label("Given name").fill("Grace")
    page.get_by_label("Family name").fill("Hopper")
    page.get_by_label("Date of birth").fill("1980-12-09")
    page.get_by_label("Sex").select_option(label="Female")
    page.get_by_label("Address line 1").fill("1 High Street")
    page.get_by_label("Town").fill("Oxford")
    page.get_by_label("Postcode").fill("ox2 9as")
    page.get_by_role("button", name="Register patient").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Grace Hopper"
    assert axe_violations(page) == []
