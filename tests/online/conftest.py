from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from online import services
from online.models import PatientAccount
from staff.roles import Role
from tests import factories
from tests.factories import PracticeFactory, SiteFactory, StaffMemberFactory, UserFactory

PASSWORD = "a-long-patient-password-42"


PatientFactory = factories.PatientFactory



@pytest.fixture
def practice() -> Any:
    practice = PracticeFactory(name="Botley Medical Centre")
    SiteFactory(practice=practice, name="Botley")
    return practice


@pytest.fixture
def receptionist(practice: Any) -> Any:
    return StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST)


@pytest.fixture
def patient(practice: Any) -> Any:
    return PatientFactory(registered_practice=practice, family_name="McDonald",
                          given_name="Ava")


def make_account(patient: Any, email: str, password: str = PASSWORD) -> PatientAccount:
    user: Any = UserFactory(username=email.lower(), email=email.lower(), password=password,
                       first_name=patient.given_name, last_name=patient.family_name)
    return PatientAccount.objects.create(user=user, patient=patient)


@pytest.fixture
def account(patient: Any) -> PatientAccount:
    return make_account(patient, "ava@example.com")


@pytest.fixture
def other_account(practice: Any) -> PatientAccount:
    """A second patient at the same practice, with their own account."""
    return make_account(PatientFactory(registered_practice=practice), "second@example.com")


def signed_in(account: PatientAccount, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/patient/sign-in/", {"email": account.user.email,
                                                 "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def issue(patient: Any, receptionist: Any) -> services.IssuedCode:
    return services.registration_code_issue(patient=patient, issued_by=receptionist.user)


@pytest.fixture
def request_reset(monkeypatch: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """``request_reset(client, email)``: ask for a reset link, and run the task the page asks
    for after commit, in-process, as a worker would."""
    from online import tasks

    monkeypatch.setattr(tasks.send_password_reset, "delay",
                        lambda **kwargs: tasks.send_password_reset(**kwargs))

    def post(client: Client, email: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/patient/password-reset/", {"email": email})

    return post
