from __future__ import annotations

import pytest

from staff.roles import Role
from tests.browser.conftest import axe_violations
from tests.factories import PracticeFactory, SiteFactory, StaffMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_receptionist_signs_in_at_kennington_by_keyboard(live_server, new_page) -> None:
    practice = PracticeFactory(name="Botley Medical Centre")
    botley = SiteFactory(practice=practice, name="Botley")
    kennington = SiteFactory(practice=practice, name="Kennington")
    staff = StaffMemberFactory(
        practice=practice, role=Role.RECEPTIONIST, sites=[botley, kennington]
    )
    page = new_page()
    page.goto(f"{live_server.url}/sign-in/")
    assert axe_violations(page) == []

    page.get_by_label("Username").fill(staff.user.username)
    page.get_by_label("Password").fill("test-password-123")
    page.get_by_label("Site you are working at today").select_option(
        label="Kennington (Botley Medical Centre)"
    )
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Kennington"
    assert axe_violations(page) == []


def test_failed_sign_in_shows_an_accessible_error_summary(live_server, new_page) -> None:
    site = SiteFactory()
    staff = StaffMemberFactory(practice=site.practice, sites=[site])
    page = new_page()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(staff.user.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert "username or password is not right" in summary.inner_text()
    assert axe_violations(page) == []


def test_the_accessibility_check_reports_a_real_violation(new_page) -> None:
    """Guard against a vacuous check: an unlabelled input on a page must be reported."""
    page = new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<input type="text"></main></body></html>'
    )
    problems = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
    assert any(p.startswith("label") for p in problems)
