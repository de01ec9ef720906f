from __future__ import annotations

import pytest
from django.test import Client

from online import demo
from online.models import PatientAccount
from tests.factories import PracticeFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_seed_creates_two_accounts_idempotently(settings) -> None:
    practice = PracticeFactory(ods_code="K84016")
    SiteFactory(practice=practice, name="Botley")
    demo.seed(None)
    demo.seed(None)
    accounts = PatientAccount.objects.select_related("user", "patient").order_by("user__username")
    assert [a.user.username for a in accounts] == ["patient2@example.com", "patient@example.com"]
    assert {a.patient.registered_practice_id for a in accounts} == {practice.pk}
    for account in accounts:
        response = Client().post("/patient/sign-in/", {"email": account.user.email,
                                                       "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302


def test_seed_needs_the_demo_practice() -> None:
    with pytest.raises(RuntimeError, match="K84016"):
        demo.seed(None)


def test_seed_record_gives_each_demo_patient_entries_and_one_withheld(settings) -> None:
    from records.clinical import Consultation, Problem
    from staff.roles import Role
    from tests.factories import StaffMemberFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    practice = PracticeFactory(ods_code="K84016")
    SiteFactory(practice=practice, name="Botley")
    StaffMemberFactory(practice=practice, role=Role.GP)
    demo.seed(None)
    demo.seed_record(None)
    demo.seed_record(None)
    for account in PatientAccount.objects.select_related("patient"):
        withheld = Consultation.objects.filter(patient=account.patient,
                                               withheld_from_patient=True)
        assert withheld.count() == 1
        assert Problem.objects.filter(patient=account.patient).count() == 2
        client = Client()
        client.post("/patient/sign-in/", {"email": account.user.email,
                                          "password": settings.DEMO_PASSWORD})
        body = client.get("/patient/record/").content.decode()
        assert "Asthma" in body and "Penicillin" in body
        assert demo.DEMO_WITHHELD_TEXT not in body and "Sprained ankle" not in body
