"""Demo patient online accounts: ``patient@example.com`` and ``patient2@example.com``.

Two named patients with fixed 999 NHS numbers at practice K84016 (created if missing, so this
does not depend on which other demo patients exist), each with an online account whose password
is ``settings.DEMO_PASSWORD``. Running it again changes nothing but the password.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from patients.models import PatientAccount
from practices.models import Practice
from records.models import Patient

DEMO_PRACTICE_ODS = "K84016"
DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {
        "email": "patient@example.com", "nhs_number": "9990000018", "given_name": "Alex",
        "family_name": "Morgan", "date_of_birth": datetime.date(1984, 5, 17),
        "sex": Patient.Sex.FEMALE,
    },
    {
        "email": "patient2@example.com", "nhs_number": "9990000026", "given_name": "Sam",
        "family_name": "Okafor", "date_of_birth": datetime.date(1991, 11, 2),
        "sex": Patient.Sex.MALE,
    },
]


def seed(ctx: Any = None) -> None:
    """Create or refresh the two demo patient accounts. ``ctx`` may carry ``stdout``."""
    practice = Practice.objects.filter(ods_code=DEMO_PRACTICE_ODS).first()
    if practice is None:
        raise RuntimeError(
            f"Demo practice {DEMO_PRACTICE_ODS} does not exist: seed the practices first."
        )
    site = practice.sites.order_by("name").first()
    user_model = get_user_model()
    with transaction.atomic():
        for spec in DEMO_ACCOUNTS:
            patient, _ = Patient.objects.get_or_create(
                nhs_number=spec["nhs_number"],
                defaults={
                    "given_name": spec["given_name"], "family_name": spec["family_name"],
                    "date_of_birth": spec["date_of_birth"], "sex": spec["sex"],
                    "address_line1": "1 Elms Road", "town": "Oxford", "postcode": "OX2 9LP",
                    # No mobile: Ofcom's drama range (07700 900xxx) is rejected by
                    # phonenumbers 9, and any other number might reach a real person.
                    "email": spec["email"], "email_consent": True, "registered_practice": practice,
                    "preferred_site": site, "registration_date": datetime.date(2020, 1, 6),
                },
            )
            user, _ = user_model.objects.get_or_create(
                username=spec["email"],
                defaults={"email": spec["email"], "first_name": patient.given_name,
                          "last_name": patient.family_name},
            )
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            PatientAccount.objects.get_or_create(user=user, defaults={"patient": patient})
    out = getattr(ctx, "stdout", None)
    if out is not None:
        out.write(f"Patient online accounts: {', '.join(s['email'] for s in DEMO_ACCOUNTS)}\n")
