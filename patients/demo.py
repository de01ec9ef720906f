"""Demo step: the patient list, deterministic for a given seed, size and day.

Patient k always gets the k-th valid NHS number in the 999 range (never issued to anyone) and
the k-th draw from generators seeded by the demo seed, so a larger list extends a smaller one
and a second run finds every number already present and inserts nothing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from common.demo import DemoContext
from patients.models import Patient
from patients.nhs_number import make_nhs_number
from practices.models import Practice, Site

DEFAULT_PATIENTS = 15_000
MAX_PATIENTS = 900_000
"""The 999 range holds 909,091 valid NHS numbers; stay below that."""
BATCH_SIZE = 2_000

# Share of a UK practice list in each five-year age band (0-4 ... 95-99), roughly as the
# ONS mid-year estimates for Oxfordshire: a student bulge in the twenties, a long tail to 100.
AGE_BAND_WEIGHTS = [
    5.4, 5.8, 5.9, 5.8, 7.6, 7.9, 7.2, 6.8, 6.3, 6.2,
    6.5, 6.3, 5.5, 4.8, 4.6, 3.5, 2.3, 1.3, 0.6, 0.2,
]  # fmt: skip


@dataclass(frozen=True)
class Street:
    name: str
    area: str
    district: str
    """Postcode district and sector, e.g. ``OX2 9``: the inward unit letters are generated."""
    site: str
    """The site a patient living here most likely prefers."""


STREETS = [
    Street("Elms Road", "Botley", "OX2 9", "botley"),
    Street("Westminster Way", "Botley", "OX2 0", "botley"),
    Street("Arthray Road", "Botley", "OX2 9", "botley"),
    Street("Eynsham Road", "Botley", "OX2 9", "botley"),
    Street("Poplar Road", "Botley", "OX2 9", "botley"),
    Street("Laburnum Road", "Botley", "OX2 9", "botley"),
    Street("Chestnut Road", "Botley", "OX2 9", "botley"),
    Street("Hurst Rise Road", "Cumnor Hill", "OX2 9", "botley"),
    Street("Cumnor Hill", "Cumnor Hill", "OX2 9", "botley"),
    Street("North Hinksey Lane", "North Hinksey", "OX2 0", "botley"),
    Street("Southern By-Pass Road", "North Hinksey", "OX2 0", "botley"),
    Street("Botley Road", "West Oxford", "OX2 0", "botley"),
    Street("Binsey Lane", "Osney", "OX2 0", "botley"),
    Street("Duke Street", "Osney", "OX2 0", "botley"),
    Street("Henry Road", "West Oxford", "OX2 0", "botley"),
    Street("Walton Street", "Jericho", "OX2 6", "botley"),
    Street("Cranham Street", "Jericho", "OX2 6", "botley"),
    Street("Kennington Road", "Kennington", "OX1 5", "kennington"),
    Street("Upper Road", "Kennington", "OX1 5", "kennington"),
    Street("Playfield Road", "Kennington", "OX1 5", "kennington"),
    Street("Kenville Road", "Kennington", "OX1 5", "kennington"),
    Street("Bagley Close", "Kennington", "OX1 5", "kennington"),
    Street("Sandford Lane", "Kennington", "OX1 5", "kennington"),
    Street("Abingdon Road", "Grandpont", "OX1 4", "kennington"),
    Street("Lake Street", "New Hinksey", "OX1 4", "kennington"),
    Street("Norreys Avenue", "New Hinksey", "OX1 4", "kennington"),
    Street("Wytham Street", "New Hinksey", "OX1 4", "kennington"),
    Street("Iffley Road", "East Oxford", "OX4 1", "kennington"),
    Street("Cowley Road", "East Oxford", "OX4 1", "kennington"),
    Street("Magdalen Road", "East Oxford", "OX4 1", "kennington"),
    Street("Donnington Bridge Road", "Iffley Fields", "OX4 4", "kennington"),
]
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward code of a UK postcode
_SEXES = [Patient.Sex.FEMALE, Patient.Sex.MALE, Patient.Sex.INDETERMINATE, Patient.Sex.UNKNOWN]
_SEX_WEIGHTS = [50.5, 49.3, 0.1, 0.1]


def nhs_numbers(count: int) -> Iterator[str]:
    """The first ``count`` valid NHS numbers of the 999 range, in order."""
    serial = 0
    produced = 0
    while produced < count:
        serial += 1
        number = make_nhs_number(serial)
        if number is not None:
            produced += 1
            yield number


def street_postcodes(ctx: DemoContext) -> dict[str, list[str]]:
    """Two to four postcodes per street, always the same ones for a given seed."""
    postcodes = {}
    for street in STREETS:
        rng = ctx.random(f"postcode:{street.name}")
        district, sector = street.district.split()
        sector_digit = int(sector)
        postcodes[street.name] = [
            f"{district} {sector_digit}{rng.choice(_UNIT_LETTERS)}{rng.choice(_UNIT_LETTERS)}"
            for _ in range(rng.randint(2, 4))
        ]
    return postcodes


def _email_part(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def build_patients(
    ctx: DemoContext, practice: Practice, sites: dict[str, Site], count: int, today: datetime.date
) -> list[Patient]:
    rng = ctx.random("patients")
    fake = ctx.faker("patients")
    postcodes = street_postcodes(ctx)
    bands = list(range(len(AGE_BAND_WEIGHTS)))
    patients = []
    for nhs_number in nhs_numbers(count):
        sex = rng.choices(_SEXES, _SEX_WEIGHTS)[0]
        if sex == Patient.Sex.FEMALE:
            given = fake.first_name_female()
        elif sex == Patient.Sex.MALE:
            given = fake.first_name_male()
        else:
            given = fake.first_name()
        family = fake.last_name()
        band = rng.choices(bands, AGE_BAND_WEIGHTS)[0]
        age_days = rng.randint(band * 5 * 365, (band + 1) * 5 * 365 - 1)
        born = today - datetime.timedelta(days=age_days)
        # Most people joined the list in the last decade or so; nobody before birth.
        since = min(age_days, int(rng.expovariate(1 / (9 * 365))))
        registered = today - datetime.timedelta(days=since)
        street = rng.choice(STREETS)
        age = age_days // 365
        mobile = ""
        if age >= 12 and rng.random() < 0.88:
            mobile = f"+447700900{rng.randint(0, 999):03d}"
        email = ""
        if age >= 16 and rng.random() < 0.62:
            domain = rng.choice(["example.com", "example.org", "example.net"])
            email = f"{_email_part(given)}.{_email_part(family)}{rng.randint(1, 99)}@{domain}"
        died = None
        if age >= 70 and rng.random() < 0.01:
            died = registered + datetime.timedelta(days=rng.randint(0, since))
        preferred = street.site if rng.random() < 0.8 else rng.choice(list(sites))
        patients.append(
            Patient(
                nhs_number=nhs_number,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                sex=sex,
                address_line1=f"{rng.randint(1, 180)} {street.name}",
                address_line2=street.area,
                town="Oxford",
                postcode=rng.choice(postcodes[street.name]),
                mobile=mobile,
                email=email,
                sms_consent=bool(mobile) and rng.random() < 0.85,
                email_consent=bool(email) and rng.random() < 0.6,
                registered_practice=practice,
                preferred_site=sites[preferred] if rng.random() < 0.9 else None,
                registration_date=registered,
                date_of_death=died,
            )
        )
    return patients


def seed(ctx: DemoContext) -> None:
    practice = ctx.require_practice()
    count = int(ctx.options.get("patients", DEFAULT_PATIENTS))
    today = timezone.localdate()
    patients = build_patients(ctx, practice, ctx.sites, count, today)
    for patient in patients:
        try:
            # The foreign keys are objects we hold: skip clean_fields' query per row for them.
            patient.clean_fields(exclude=["registered_practice", "preferred_site"])
            patient.clean()
        except ValidationError as exc:
            raise ValidationError(f"Demo patient {patient.nhs_number} is invalid: {exc}") from exc
    before = Patient.objects.filter(registered_practice=practice).count()
    Patient.objects.bulk_create(patients, batch_size=BATCH_SIZE, ignore_conflicts=True)
    after = Patient.objects.filter(registered_practice=practice).count()
    ctx.summary.append(f"Patients: {after} registered ({after - before} new)")
