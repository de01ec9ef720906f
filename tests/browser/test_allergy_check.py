"""Issue 16: adding amoxicillin for a penicillin-allergic patient is stopped until the GP
acknowledges with a reason; a coded field is filled by typing a term. axe on each state."""

from __future__ import annotations

import pytest
from django.utils import timezone

from records.clinical import Medication, Problem
from staff.roles import Role
from terminology.services import SUBSET, terminology_load
from tests.browser.conftest import SHOTS, axe_violations
from tests.browser.test_clinical import _sign_in
from tests.factories import (
    AdultPatientFactory,
    AllergyFactory,
    PracticeFactory,
    SiteFactory,
    StaffMemberFactory,
    make_appointment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_amoxicillin_is_stopped_for_a_penicillin_allergy_until_acknowledged(
    live_server, new_page
) -> None:
    terminology_load(folder=SUBSET)
    practice = PracticeFactory(name="Botley Medical Centre")
    site = SiteFactory(practice=practice, name="Botley")
    gp = StaffMemberFactory(practice=practice, role=Role.GP, sites=[site])
    patient = AdultPatientFactory(registered_practice=practice, given_name="Ada", family_name="Ng")
    AllergyFactory(patient=patient, substance="Penicillin", severity="severe",
                   reaction="Anaphylaxis", author=gp)
    start = timezone.localtime().replace(hour=0, minute=5, second=0, microsecond=0)
    appointment = make_appointment(patient=patient, clinician=gp, start=start,
                                   status="in_consultation")
    page = new_page()
    base = live_server.url
    _sign_in(page, base, gp.user.username)
    page.goto(f"{base}/clinical/appointments/{appointment.pk}/consultation/")

    # Coding by term: typing offers the concepts; the chosen term is coded on save.
    problem = page.locator("#add-problem")
    problem.get_by_label("Problem").fill("Raised blood pressure")
    problem.get_by_label("Coded as (SNOMED CT)").press_sequentially("hypert", delay=30)
    # The htmx answer fills the datalist (a locator, not a script: the CSP refuses eval).
    page.locator("#problem-snomed_term-options option").nth(1).wait_for(state="attached")
    assert page.locator("#problem-snomed_term-options option").first.get_attribute(
        "value"
    ) == "Hypertensive disorder, systemic arterial"
    problem.get_by_label("Coded as (SNOMED CT)").fill("Essential hypertension")
    problem.get_by_role("button", name="Add problem").click()
    page.locator("#add-problem").get_by_text("Added: Raised blood pressure").wait_for()
    assert Problem.objects.get().snomed_concept_id == "59621000"

    medication = page.locator("#add-medication")
    medication.get_by_label("Medication").fill("Amoxicillin 500mg capsules")
    medication.get_by_label("Dose").fill("One capsule three times a day")
    medication.get_by_role("button", name="Add medication").click()
    warning = page.locator("#medication-allergy-warning")
    warning.wait_for()
    # caret="initial": hiding the caret would inject an inline style, which the CSP refuses.
    page.screenshot(path=str(SHOTS / "consultation-allergy-warning.png"), full_page=True,
                    caret="initial")
    assert "recorded allergy to Penicillin (severe, Anaphylaxis)" in warning.inner_text()
    assert not Medication.objects.exists()
    assert axe_violations(page) == []

    medication = page.locator("#add-medication")
    medication.get_by_label("I have read the allergy warning").check()
    medication.get_by_label("Why prescribe despite the allergy?").fill(
        "Tolerated a full course in 2024"
    )
    medication.get_by_role("button", name="Add medication").click()
    page.locator("#add-medication").get_by_text("(allergy warning acknowledged)").wait_for()
    assert Medication.objects.get().allergy_override_reason == "Tolerated a full course in 2024"
    assert axe_violations(page) == []
