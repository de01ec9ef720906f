"""Demo step: a realistic handful of record entries for a few dozen demo patients.

Wire it in after the patient list: ``DEMO_STEPS = [..., "patients.demo.seed",
"records.demo_record.seed"]`` (``records/demo.py`` is the foundation's patient-list step).
Idempotent: a patient who already has any clinical entry is left alone. Deterministic: every
choice comes from ``ctx.random(...)``. Entries are written as the demo GP, nurse and HCA.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.utils import timezone

from patients.models import Patient
from practices.models import Practice
from records.clinical import (
    Allergy,
    ClinicalEntry,
    Consultation,
    Medication,
    Observation,
    Problem,
)
from records.vocab import UNITS, ObservationKind
from staff.models import StaffMember

ODS_CODE = "K84016"
PATIENTS_WITH_RECORDS = 36


class DemoContextLike(Protocol):
    """What this step uses of ``common.demo.DemoContext``."""

    summary: list[str]

    def random(self, purpose: str) -> Any: ...


# (title, SNOMED CT concept id, term, medication or None, sensitive)
CONDITIONS = [
    (
        "Hypertension",
        "38341003",
        "Hypertensive disorder",
        ("Amlodipine 5mg tablets", "One tablet once a day"),
        False,
    ),
    (
        "Asthma",
        "195967001",
        "Asthma",
        ("Salbutamol 100micrograms/dose inhaler", "Two puffs when required"),
        False,
    ),
    (
        "Type 2 diabetes",
        "44054006",
        "Diabetes mellitus type 2",
        ("Metformin 500mg tablets", "One tablet twice a day with food"),
        False,
    ),
    (
        "Osteoarthritis of knee",
        "239873007",
        "Osteoarthritis of knee",
        ("Paracetamol 500mg tablets", "Two tablets up to four times a day"),
        False,
    ),
    (
        "Depression",
        "35489007",
        "Depressive disorder",
        ("Sertraline 50mg tablets", "One tablet once a day"),
        True,
    ),
    ("Migraine", "37796009", "Migraine", None, False),
]
ALLERGIES = [
    ("Penicillin", "Rash", Allergy.Severity.MODERATE, "91936005", "Allergy to penicillin"),
    ("Peanut", "Anaphylaxis", Allergy.Severity.SEVERE, "91935009", "Allergy to peanut"),
    ("Latex", "Urticaria", Allergy.Severity.MILD, "300916003", "Latex allergy"),
]
CONSULTATIONS = [
    (
        "Cough for 5 days, no breathlessness. Non-smoker.",
        "Chest clear, sats 98% on air.",
        "Viral URTI: self-care, return if worse or fever persists.",
    ),
    (
        "Review of blood pressure readings from home monitor.",
        "BP 138/86 today.",
        "Continue current medication; recheck in 6 months.",
    ),
    (
        "Low back pain after lifting, no red flags.",
        "Tender paraspinal muscles, SLR normal.",
        "Keep active, simple analgesia, physio self-referral leaflet.",
    ),
]


def _staff(username: str) -> StaffMember | None:
    user = get_user_model().objects.filter(username=username).first()
    return StaffMember.objects.filter(user=user).first() if user is not None else None


def _save(entry: ClinicalEntry, author: StaffMember) -> None:
    entry.author = author
    entry.author_role = author.role
    site = author.sites.order_by("pk").first()
    assert site is not None
    entry.site = site
    entry.full_clean(validate_unique=False, validate_constraints=False)
    entry.save(force_insert=True)


def _seed_patient(ctx: DemoContextLike, patient: Patient, staff: dict[str, StaffMember]) -> int:
    rng = ctx.random(f"record:{patient.nhs_number}")
    now = timezone.now()
    today = timezone.localdate()
    adult_since = max(
        patient.date_of_birth + datetime.timedelta(days=18 * 365), patient.registration_date
    )
    made = 0
    gp, nurse, hca = staff["gp"], staff["nurse"], staff["hca"]
    for title, code, term, medication, sensitive in rng.sample(CONDITIONS, k=rng.randint(1, 3)):
        if adult_since >= today:
            break
        onset = adult_since + datetime.timedelta(days=rng.randint(0, (today - adult_since).days))
        _save(
            Problem(
                patient=patient,
                title=title,
                snomed_concept_id=code,
                snomed_term=term,
                onset_date=onset,
                sensitive=sensitive,
            ),
            gp,
        )
        made += 1
        if medication is not None:
            _save(
                Medication(
                    patient=patient,
                    name=medication[0],
                    dose=medication[1],
                    course=Medication.Course.REPEAT,
                    start_date=onset,
                    sensitive=sensitive,
                ),
                gp,
            )
            made += 1
    if rng.random() < 0.4:
        substance, reaction, severity, code, term = rng.choice(ALLERGIES)
        _save(
            Allergy(
                patient=patient,
                substance=substance,
                reaction=reaction,
                severity=severity,
                snomed_concept_id=code,
                snomed_term=term,
            ),
            nurse,
        )
        made += 1
    taken = now - datetime.timedelta(days=rng.randint(2, 200))
    systolic = rng.randint(112, 158)
    for kind, value, value2 in (
        ("blood_pressure", Decimal(systolic), Decimal(systolic - rng.randint(35, 55))),
        ("pulse", Decimal(rng.randint(56, 96)), None),
        ("weight", Decimal(rng.randint(520, 1100)) / 10, None),
        ("height", Decimal(rng.randint(152, 192)), None),
    ):
        _save(
            Observation(
                patient=patient,
                kind=kind,
                value=value,
                value2=value2,
                unit=UNITS[ObservationKind(kind)],
                taken_at=taken,
            ),
            hca,
        )
        made += 1
    history, examination, plan = rng.choice(CONSULTATIONS)
    _save(
        Consultation(
            patient=patient,
            history=history,
            examination=examination,
            plan=plan,
            consulted_at=now - datetime.timedelta(days=rng.randint(1, 90)),
        ),
        gp,
    )
    return made + 1


def seed(ctx: DemoContextLike) -> None:
    practice = Practice.objects.filter(ods_code=ODS_CODE).first()
    staff = {name: _staff(name) for name in ("gp", "nurse", "hca")}
    if practice is None or any(member is None for member in staff.values()):
        ctx.summary.append("Record entries: skipped (no K84016 practice or gp/nurse/hca staff)")
        return
    adults_born_before = timezone.localdate() - datetime.timedelta(days=18 * 366)
    patients = Patient.objects.filter(
        registered_practice=practice, date_of_birth__lte=adults_born_before
    ).order_by("nhs_number")[:PATIENTS_WITH_RECORDS]
    made = 0
    for patient in patients:
        if any(
            m.objects.filter(patient=patient).exists()
            for m in (Problem, Medication, Allergy, Observation, Consultation)
        ):
            continue
        made += _seed_patient(ctx, patient, staff)  # type: ignore[arg-type]
    ctx.summary.append(f"Record entries: {made} new for up to {PATIENTS_WITH_RECORDS} patients")
