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
from django.utils import timezone

from online.models import PatientAccount
from patients.models import Patient
from practices.models import Practice

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


# The demo patients' online record ----------------------------------------------------------

DEMO_RECORD_MARKER = "Demo: reviewed online record."
DEMO_WITHHELD_TEXT = "Withheld demo note: information from a third party, not for online view."


def seed_record(ctx: Any = None) -> None:
    """Give each demo patient a few entries after their online access date and one entry
    withheld from them. Skips a patient who already has the marker consultation."""
    from decimal import Decimal

    from records.clinical import Allergy, Consultation, Medication, Observation, Problem
    from staff.models import StaffMember
    from staff.roles import Role

    accounts = PatientAccount.objects.filter(
        user__username__in=[s["email"] for s in DEMO_ACCOUNTS]
    ).select_related("patient__registered_practice")
    with transaction.atomic():
        for account in accounts.order_by("user__username"):
            patient = account.patient
            if Consultation.objects.filter(patient=patient, history=DEMO_RECORD_MARKER).exists():
                continue
            gp = (
                StaffMember.objects.filter(
                    practice_id=patient.registered_practice_id, role=Role.GP, active=True
                ).order_by("pk").first()
            )
            if gp is None:
                raise RuntimeError("The demo practice has no GP: seed the staff first.")
            site = gp.sites.order_by("name").first()
            if site is None:
                raise RuntimeError("The demo GP works at no site: seed the staff first.")
            # Online access switched on at a fixed past date, so the entries are not in the
            # future; one entry from before it shows that access is prospective.
            zone = timezone.get_current_timezone()
            account.record_access_from = datetime.datetime(2025, 1, 6, 9, 0, tzinfo=zone)
            account.save(update_fields=["record_access_from"])
            at = datetime.datetime(2025, 2, 10, 10, 30, tzinfo=zone)
            Problem.objects.create(
                patient=patient, author=gp, author_role=gp.role, site=site,
                recorded_at=datetime.datetime(2023, 6, 1, 11, 0, tzinfo=zone),
                title="Sprained ankle", status=Problem.Status.PAST,
                onset_date=datetime.date(2023, 5, 30), ended_on=datetime.date(2023, 7, 1),
            )
            common: dict[str, Any] = {
                "patient": patient, "author": gp, "author_role": gp.role, "site": site,
                "recorded_at": at,
            }
            Consultation.objects.create(
                **common, consulted_at=at, history=DEMO_RECORD_MARKER,
                plan="Carry on with the inhaler; review in three months.",
            )
            Problem.objects.create(**common, title="Asthma", snomed_concept_id="195967001",
                                   snomed_term="Asthma", onset_date=datetime.date(2021, 3, 1))
            Medication.objects.create(**common, name="Salbutamol 100micrograms inhaler",
                                      dose="Two puffs when needed", course=Medication.Course.REPEAT,
                                      start_date=at.date())
            Allergy.objects.create(**common, substance="Penicillin", reaction="Rash",
                                   severity=Allergy.Severity.MODERATE)
            Observation.objects.create(**common, kind="pulse", value=Decimal("68"),
                                       unit="beats/min", taken_at=at)
            Consultation.objects.create(**common, consulted_at=at, history=DEMO_WITHHELD_TEXT,
                                        withheld_from_patient=True)
    out = getattr(ctx, "stdout", None)
    if out is not None:
        out.write("Demo patients' online record entries (one withheld each)\n")
