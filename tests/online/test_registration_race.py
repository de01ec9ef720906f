from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from online import services
from online.models import PatientAccount
from tests.online.conftest import PASSWORD, issue

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_registrations_with_one_letter_make_one_account(
    patient, receptionist, monkeypatch
) -> None:
    issued = issue(patient, receptionist)
    # Both requests have read the code as usable before either claims it.
    barrier = threading.Barrier(2, timeout=10)
    real_validate = services.validate_password

    def validate_then_wait(*args: Any, **kwargs: Any) -> None:
        real_validate(*args, **kwargs)
        barrier.wait()

    monkeypatch.setattr(services, "validate_password", validate_then_wait)

    def attempt(email: str) -> str:
        try:
            services.patient_register(
                account_id=issued.code.account_id, passphrase=issued.passphrase,
                date_of_birth=patient.date_of_birth, family_name=patient.family_name,
                email=email, password=PASSWORD, ip="192.0.2.1",
            )
            return "ok"
        except services.RegistrationRefused:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(attempt, ["one@example.com", "two@example.com"]))
    assert results == ["ok", "refused"]
    assert PatientAccount.objects.filter(patient=patient).count() == 1
