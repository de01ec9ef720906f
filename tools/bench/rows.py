"""The rows of the data set written from Python: organisations, people, rota, patients."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from psycopg import Cursor

from staff.roles import Role
from tools.bench import fake
from tools.bench.scale import Scale
from tools.bench.sqlutil import copy_rows, reset_identity

# (role, name, minutes, mode, bookable online)
APPOINTMENT_TYPES: tuple[tuple[str, str, int, str, bool], ...] = (
    (Role.GP, "GP routine", 10, "face_to_face", True),
    (Role.GP, "GP telephone", 10, "telephone", False),
    (Role.ANP, "Minor illness", 10, "face_to_face", False),
    (Role.NURSE, "Practice nurse", 10, "face_to_face", True),
    (Role.HCA, "Bloods", 10, "face_to_face", True),
    (Role.PHYSIO, "Physio first contact", 20, "face_to_face", True),
    (Role.PHARMACIST, "Medication review", 20, "telephone", False),
    (Role.LINK_WORKER, "Social prescribing", 30, "face_to_face", False),
)
SESSIONS = ((datetime.time(8), datetime.time(12)), (datetime.time(14), datetime.time(18)))
RELEASE_TIME = datetime.time(8)
PASSWORD = "bench-password-1"
USER_COLUMNS = (
    "id",
    "password",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
)


def _sites_of(scale: Scale, practice: int) -> list[int]:
    """Site ids of practice index ``practice``: site j belongs to practice j % practices."""
    return [j + 1 for j in range(practice, scale.sites, scale.practices)]


def organisations(cur: Cursor[Any], scale: Scale, filled: list[str]) -> None:
    copy_rows(
        cur,
        "practices_federation",
        ("id", "name", "kind"),
        [(1, "Dovetail Bench Federation", "federation")],
        filled,
    )
    practices = []
    for p in range(scale.practices):
        town, _ = fake.TOWNS[p % len(fake.TOWNS)]
        name = f"{fake.STREETS[p % len(fake.STREETS)]} Surgery {town} {p + 1}"
        practices.append((p + 1, name, fake.ods_code(p), 1))
    copy_rows(
        cur, "practices_practice", ("id", "name", "ods_code", "federation_id"), practices, filled
    )
    site_rng = random.Random(scale.seed + 1)
    sites = []
    for j in range(scale.sites):
        p, n = j % scale.practices, j // scale.practices
        town, outward = fake.TOWNS[(p + n) % len(fake.TOWNS)]
        name = "Main Surgery" if n == 0 else f"Branch Surgery {n}"
        street = f"{j + 1} {fake.STREETS[j % len(fake.STREETS)]}"
        sites.append(
            (
                j + 1,
                p + 1,
                name,
                street,
                "",
                town,
                fake.postcode(site_rng, outward),
                fake.landline(j),
            )
        )
    copy_rows(
        cur,
        "practices_site",
        (
            "id",
            "practice_id",
            "name",
            "address_line1",
            "address_line2",
            "town",
            "postcode",
            "phone",
        ),
        sites,
        filled,
    )
    for table in ("practices_federation", "practices_practice", "practices_site"):
        reset_identity(cur, table)


@dataclass(frozen=True)
class _Person:
    id: int
    username: str
    practice: int
    role: str
    registration: str
    sites: tuple[int, ...]
    token: bool


def people(scale: Scale) -> Iterator[_Person]:
    """Clinicians, then receptionists (per practice), then federation hub staff."""
    serial = 0
    for k in range(scale.clinicians):
        p = k % scale.practices
        role = fake.ROLE_MIX[(k // scale.practices) % len(fake.ROLE_MIX)]
        own = _sites_of(scale, p)
        site = own[(k // scale.practices) % len(own)]
        serial += 1
        yield _Person(
            serial, f"clin{k:04d}", p, role, fake.registration_number(role, k), (site,), False
        )
    for p in range(scale.practices):
        for r in range(scale.receptionists):
            serial += 1
            yield _Person(
                serial,
                f"rec{p:03d}_{r}",
                p,
                Role.RECEPTIONIST,
                "",
                tuple(_sites_of(scale, p)),
                True,
            )
    for h in range(scale.hub_staff):
        serial += 1
        yield _Person(
            serial, f"hub{h:02d}", 0, Role.RECEPTIONIST, "", tuple(_sites_of(scale, 0)), True
        )


def _issued_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def staff_and_tokens(cur: Cursor[Any], scale: Scale, rng: random.Random, filled: list[str]) -> None:
    from django.contrib.auth.hashers import make_password

    password = make_password(PASSWORD)
    everyone = list(people(scale))
    users: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    sites: list[tuple[int, int]] = []
    tokens: list[tuple[Any, ...]] = []
    joined = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for person in everyone:
        given = fake.GIVEN_NAMES[person.id % len(fake.GIVEN_NAMES)]
        family = fake.FAMILY_NAMES[(person.id * 7) % len(fake.FAMILY_NAMES)]
        users.append(
            (
                person.id,
                password,
                False,
                person.username,
                given,
                family,
                f"{person.username}@bench.example.com",
                False,
                True,
                joined,
            )
        )
        members.append(
            (person.id, person.id, person.practice + 1, person.role, person.registration, True)
        )
        sites.extend((person.id, site) for site in person.sites)
        if person.token:
            # Issued now: tokens expire (API_TOKEN_LIFETIME_MINUTES), so not when they joined.
            tokens.append((secrets.token_hex(20), _issued_now(), person.id))
    copy_rows(cur, "auth_user", USER_COLUMNS, users, filled)
    copy_rows(
        cur,
        "staff_staffmember",
        ("id", "user_id", "practice_id", "role", "registration_number", "active"),
        members,
        filled,
    )
    copy_rows(cur, "staff_staffmember_sites", ("staffmember_id", "site_id"), sites, filled)
    copy_rows(cur, "authtoken_token", ("key", "created", "user_id"), tokens, filled)
    for table in ("auth_user", "staff_staffmember"):
        reset_identity(cur, table)


def appointment_types(cur: Cursor[Any], scale: Scale, filled: list[str]) -> None:
    kinds, roles = [], []
    for p in range(scale.practices):
        for j, (role, name, minutes, mode, online) in enumerate(APPOINTMENT_TYPES):
            type_id = p * len(APPOINTMENT_TYPES) + j + 1
            kinds.append((type_id, p + 1, name, minutes, mode, online, True, True))
            roles.append((type_id, role))
    copy_rows(
        cur,
        "appointments_appointmenttype",
        (
            "id",
            "practice_id",
            "name",
            "duration_minutes",
            "mode",
            "online_bookable",
            "is_routine",
            "active",
        ),
        kinds,
        filled,
    )
    copy_rows(
        cur, "appointments_appointmenttyperole", ("appointment_type_id", "role"), roles, filled
    )
    reset_identity(cur, "appointments_appointmenttype")


def appointment_type_for(practice: int, role: str, weekday: int, afternoon: bool) -> int:
    """The type a clinician's session offers: GPs phone their patients on Wednesday afternoons."""
    name = "GP telephone" if role == Role.GP and weekday == 2 and afternoon else None
    for j, (kind_role, kind_name, *_rest) in enumerate(APPOINTMENT_TYPES):
        if kind_role == role and (name is None or kind_name == name):
            return practice * len(APPOINTMENT_TYPES) + j + 1
    raise ValueError(f"no appointment type for role {role}")


def templates(cur: Cursor[Any], scale: Scale, today: datetime.date, filled: list[str]) -> None:
    minutes = {
        practice_type: kind[2]
        for p in range(scale.practices)
        for j, kind in enumerate(APPOINTMENT_TYPES)
        for practice_type in [p * len(APPOINTMENT_TYPES) + j + 1]
    }
    online_types = {
        p * len(APPOINTMENT_TYPES) + j + 1
        for p in range(scale.practices)
        for j, kind in enumerate(APPOINTMENT_TYPES)
        if kind[4]
    }
    rows = []
    template_id = 0
    for person in people(scale):
        if person.role == Role.RECEPTIONIST:
            continue
        k = person.id - 1
        for weekday in range(5):
            for half, (start, end) in enumerate(SESSIONS):
                template_id += 1
                kind = appointment_type_for(person.practice, person.role, weekday, half == 1)
                # Half of the mornings are on-the-day capacity, embargoed until 08:00.
                embargoed = half == 0 and (k + weekday) % 2 == 0
                rows.append(
                    (
                        template_id,
                        person.id,
                        person.sites[0],
                        weekday,
                        start,
                        end,
                        minutes[kind],
                        kind,
                        today,
                        None,
                        kind in online_types and (k + weekday) % 3 != 0,
                        (k + weekday + half) % 5 == 0,
                        0 if embargoed else None,
                        RELEASE_TIME if embargoed else None,
                    )
                )
    copy_rows(
        cur,
        "appointments_sessiontemplate",
        (
            "id",
            "clinician_id",
            "site_id",
            "weekday",
            "start_time",
            "end_time",
            "slot_minutes",
            "appointment_type_id",
            "valid_from",
            "valid_until",
            "online",
            "federation",
            "release_days_before",
            "release_time",
        ),
        rows,
        filled,
    )
    reset_identity(cur, "appointments_sessiontemplate")


PATIENT_COLUMNS = (
    "id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "mobile",
    "email",
    "sms_consent",
    "email_consent",
    "registered_practice_id",
    "preferred_site_id",
    "registration_date",
    "date_of_death",
)
_SEXES = ("female", "male", "female", "male", "unknown")


def patients(scale: Scale, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """Patients in blocks by practice, so each practice's list is a run of ids."""
    numbers = fake.nhs_numbers()
    first_day = datetime.date(1925, 1, 1).toordinal()
    span = datetime.date(2025, 12, 31).toordinal() - first_day
    registered_from = datetime.date(2010, 1, 1)
    for i in range(scale.patients):
        p = i * scale.practices // scale.patients
        town, outward = fake.TOWNS[p % len(fake.TOWNS)]
        given = rng.choice(fake.GIVEN_NAMES)
        family = rng.choice(fake.FAMILY_NAMES)
        born = datetime.date.fromordinal(first_day + rng.randrange(span))
        mobile = fake.mobile(rng)
        email = f"{given}.{family}{i}@example.com".lower() if rng.random() < 0.5 else ""
        registered = max(born, registered_from + datetime.timedelta(days=rng.randrange(5000)))
        yield (
            i + 1,
            next(numbers),
            given,
            family,
            born,
            _SEXES[i % len(_SEXES)],
            f"{rng.randrange(1, 200)} {rng.choice(fake.STREETS)}",
            "",
            town,
            fake.postcode(rng, outward),
            mobile,
            email,
            bool(mobile) and rng.random() < 0.8,
            bool(email) and rng.random() < 0.5,
            p + 1,
            _sites_of(scale, p)[0] if i % 2 else None,
            registered,
            None,
        )


def patient_accounts(cur: Cursor[Any], scale: Scale, filled: list[str]) -> int:
    """Online accounts with API tokens for the last ``online_patients`` patients of each
    practice's list (the existing bookings use the first ones): the rush's patients online.
    Users share the staff's password hash; tokens are written directly (no login)."""
    from django.contrib.auth.hashers import make_password

    chosen = cur.execute(
        """
        SELECT id FROM (
            SELECT id, row_number() OVER (
                PARTITION BY registered_practice_id ORDER BY id DESC) AS rn
            FROM records_patient
        ) AS ranked WHERE rn <= %s ORDER BY id
        """,
        [scale.online_patients],
    ).fetchall()
    first_user = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM auth_user").fetchone()[0]  # type: ignore[index]
    password = make_password(PASSWORD)
    joined = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    users, accounts, tokens = [], [], []
    for n, (patient,) in enumerate(chosen):
        user = first_user + n
        name = f"pat{patient}"
        users.append(
            (user, password, False, name, "", "", f"{name}@bench.example.com", False, True, joined)
        )
        accounts.append((user, patient, joined, joined, ""))
        tokens.append((secrets.token_hex(20), _issued_now(), user))
    copy_rows(cur, "auth_user", USER_COLUMNS, users, filled)
    copy_rows(
        cur,
        "patients_patientaccount",
        ("user_id", "patient_id", "created_at", "record_access_from", "totp_secret"),
        accounts,
        filled,
    )
    copy_rows(cur, "authtoken_token", ("key", "created", "user_id"), tokens, filled)
    reset_identity(cur, "auth_user")
    return len(accounts)
