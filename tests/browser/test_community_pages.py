"""Community pages in a real browser: keyboard-usable forms and no axe-core violations."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from community.models import FollowUp, Outcome
from staff.roles import Role
from tests.browser.conftest import axe_violations
from tests.factories import (
    FollowUpFactory,
    LocalityFactory,
    PatientFactory,
    PracticeFactory,
    ReferralFactory,
    ResourceFactory,
    SiteFactory,
    StaffMemberFactory,
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


def test_link_worker_pages_pass_axe(live_server, new_page) -> None:
    city = LocalityFactory(name="Oxford City")
    practice = PracticeFactory(name="Botley Medical Centre", locality=city)
    site = SiteFactory(practice=practice, name="Botley")
    link_worker = StaffMemberFactory(practice=practice, role=Role.LINK_WORKER, sites=[site])
    patient = PatientFactory(registered_practice=practice, given_name="Ada", family_name="Ng")
    walks = ResourceFactory(
        locality=city, name="Botley health walks", categories=["activity", "isolation"],
        curator=link_worker.user, phone="01865 248719", website="https://www.example.org",
        last_checked=timezone.localdate() - datetime.timedelta(days=400),
        stale_since=timezone.localdate(),
    )
    referral = ReferralFactory(patient=patient, link_worker=link_worker, resource=walks,
                               referred_by=link_worker.user)
    follow_up = FollowUpFactory(referral=referral, assigned_to=link_worker.user)
    done = ReferralFactory(patient=patient, link_worker=link_worker, resource=walks)
    FollowUp.objects.create(referral_id=done.pk, due_on=timezone.localdate(),
                            assigned_to_id=link_worker.user_id, outcome=Outcome.STILL_ATTENDING,
                            recorded_by_id=link_worker.user_id, recorded_at=timezone.now())

    page = new_page()
    base = live_server.url
    _sign_in(page, base, link_worker.user.username)

    page.goto(f"{base}/community/?q=walks")
    assert page.get_by_role("heading", level=1).inner_text() == "Community directory"
    assert axe_violations(page) == []

    page.get_by_role("link", name="Botley health walks").click()
    assert "May be out of date" in page.content()
    assert axe_violations(page) == []

    for path in ("/community/stale/", "/community/caseload/", "/community/follow-ups/",
                 f"/community/follow-ups/{follow_up.pk}/", f"/community/referrals/{referral.pk}/",
                 f"/community/resources/{walks.pk}/edit/", "/community/report/"):
        page.goto(base + path)
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert axe_violations(page) == [], path

    page.goto(f"{base}/community/referrals/new/")
    page.get_by_role("button", name="Refer").click()
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []

    page.get_by_label("Patient's NHS number").fill(patient.nhs_number)
    page.get_by_label("Loneliness and isolation").check()
    page.get_by_label("Link worker", exact=True).select_option(str(link_worker.pk))
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Refer").press("Enter")
    page.wait_for_url(f"{base}/community/referrals/*/")
    assert "Referral for Ada Ng" in page.get_by_role("heading", level=1).inner_text()

    page.goto(f"{base}/community/import/")
    page.get_by_label("Open Referral UK JSON file").set_input_files(files=[{
        "name": "directory.json", "mimeType": "application/json",
        "buffer": b'[\n  {"id": "x", "name": "No organisation", "description": "d"}\n]',
    }])
    page.get_by_role("button", name="Import").click()
    assert "line 2" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
