"""A GP's day in a real browser: my list, call in, write a consultation with an observation,
finish, and see it in the history; a receptionist is refused the record. axe-core on each page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from staff.roles import Role
from tests.browser.conftest import SHOTS, axe_violations
from tests.factories import (
    AdultPatientFactory,
    PracticeFactory,
    SiteFactory,
    StaffMemberFactory,
    make_appointment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("test-password-123")
    page.get_by_label("Site you are working at today").select_option(
        label="Botley (Botley Medical Centre)"
    )
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_gp_calls_in_writes_consultation_and_finishes(live_server, new_page) -> None:
    practice = PracticeFactory(name="Botley Medical Centre")
    site = SiteFactory(practice=practice, name="Botley")
    gp = StaffMemberFactory(practice=practice, role=Role.GP, sites=[site])
    patient = AdultPatientFactory(registered_practice=practice, given_name="Ada", family_name="Ng")
    start = timezone.localtime().replace(hour=0, minute=5, second=0, microsecond=0)
    appointment = make_appointment(patient=patient, clinician=gp, start=start, status="arrived",
                                   arrived_at=timezone.now() - datetime.timedelta(minutes=7))
    page = new_page()
    base = live_server.url
    _sign_in(page, base, gp.user.username)

    page.get_by_role("link", name="My list").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("My list")
    assert "waiting 7 minutes" in page.content()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Call in Ada Ng").click()
    page.wait_for_url(f"{base}/clinical/appointments/{appointment.pk}/consultation/")
    assert page.get_by_role("heading", level=1).inner_text() == "Consultation with Ada Ng"
    assert axe_violations(page) == []

    page.get_by_label("History").fill("Headache for two days, no red flags.")
    page.get_by_label("Plan").fill("Paracetamol, review if worse.")
    page.get_by_role("button", name="Save consultation").click()
    assert "Consultation saved." in page.get_by_role("status").first.inner_text()

    # A mistyped reading is refused where the GP is looking, and what they typed stays.
    observations = page.locator("#add-observation")
    observations.get_by_label("Systolic blood pressure").fill("1520")
    observations.get_by_label("Diastolic blood pressure").fill("96")
    observations.get_by_role("button", name="Add observations").click()
    page.locator("#add-observation .nhsuk-error-summary").wait_for()
    # caret="initial": hiding the caret makes Playwright add an inline <style>, which the CSP
    # refuses (and the page fixture reports).
    page.screenshot(path=str(SHOTS / "consultation-observation-refused.png"), full_page=True,
                    caret="initial")
    summary = page.locator("#add-observation .nhsuk-error-summary").inner_text()
    assert "Systolic blood pressure" in summary
    observations = page.locator("#add-observation")
    assert observations.get_by_label("Diastolic blood pressure").input_value() == "96"

    observations.get_by_label("Systolic blood pressure").fill("132")
    observations.get_by_label("Diastolic blood pressure").fill("84")
    observations.get_by_role("button", name="Add observations").click()
    page.locator("#add-observation").get_by_text("Added: Blood pressure 132/84 mmHg").wait_for()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Finish appointment").click()
    page.wait_for_url(f"{base}/clinical/patients/{patient.pk}/")
    assert "Headache for two days" in page.content()
    assert "132/84 mmHg" in page.content()
    assert axe_violations(page) == []

    page.get_by_role("link", name="My list").click()
    assert "Finished" in page.locator("#my-list").inner_text()


def test_receptionist_gets_the_refusal_page(live_server, new_page) -> None:
    practice = PracticeFactory(name="Botley Medical Centre")
    site = SiteFactory(practice=practice, name="Botley")
    receptionist = StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST, sites=[site])
    patient = AdultPatientFactory(registered_practice=practice)
    page = new_page()
    base = live_server.url
    _sign_in(page, base, receptionist.user.username)
    response = page.goto(f"{base}/clinical/patients/{patient.pk}/")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot see this page"
    assert "never clinical entries" in page.content()
    assert axe_violations(page) == []
    assert AuditEvent.objects.filter(
        user_id=receptionist.user_id, action=AuditAction.REFUSED
    ).exists()


def test_manager_audit_pages_pass_axe(live_server, new_page) -> None:
    practice = PracticeFactory(name="Botley Medical Centre")
    site = SiteFactory(practice=practice, name="Botley")
    manager = StaffMemberFactory(practice=practice, role=Role.PRACTICE_MANAGER, sites=[site])
    page = new_page()
    base = live_server.url
    _sign_in(page, base, manager.user.username)
    for path in ("/manager/", "/manager/audit/", "/manager/break-glass/"):
        page.goto(base + path)
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert axe_violations(page) == [], path
    page.goto(f"{base}/manager/audit/?since=2026-02-10&until=2026-02-01")
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
