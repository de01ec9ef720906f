"""Cheap, valid, deterministic demo values for the data set (no Faker call per row).

Every value passes the project's own validators: 999-range NHS numbers with their check
digit, real-format postcodes, valid UK mobiles, ODS codes and registration numbers.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from patients.nhs_number import make_nhs_number
from staff.roles import Role

GIVEN_NAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Freya",
    "Evie",
    "Florence",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Muhammad",
    "Leo",
    "Harry",
    "Oscar",
    "Archie",
    "Henry",
    "Theodore",
    "Jack",
    "Charlie",
    "Aisha",
    "Priya",
    "Zara",
    "Kofi",
    "Tomasz",
    "Agnieszka",
    "Siobhan",
    "Rhys",
    "Catrin",
    "Eilidh",
    "Callum",
    "Hamish",
    "Nia",
]
FAMILY_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Ahmed",
    "Singh",
    "Begum",
    "Nowak",
    "Kowalski",
    "Murphy",
    "Kelly",
    "Campbell",
    "Stewart",
    "Macdonald",
    "Owen",
]
STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Elms Road",
    "Banbury Road",
    "Cowley Road",
    "Iffley Road",
    "Mill Lane",
    "Park Avenue",
    "Victoria Road",
    "The Green",
    "Manor Road",
    "London Road",
    "Abingdon Road",
]
TOWNS = (
    ("Oxford", "OX1"),
    ("Oxford", "OX2"),
    ("Oxford", "OX3"),
    ("Oxford", "OX4"),
    ("Kennington", "OX1"),
    ("Botley", "OX2"),
    ("Abingdon", "OX14"),
    ("Didcot", "OX11"),
    ("Witney", "OX28"),
    ("Bicester", "OX26"),
    ("Thame", "OX9"),
    ("Wantage", "OX12"),
)
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

ROLE_MIX: tuple[str, ...] = (
    Role.GP,
    Role.GP,
    Role.GP,
    Role.GP,
    Role.ANP,
    Role.GP,
    Role.NURSE,
    Role.GP,
    Role.HCA,
    Role.GP,
    Role.NURSE,
    Role.PHYSIO,
    Role.GP,
    Role.ANP,
    Role.PHARMACIST,
    Role.HCA,
    Role.GP,
    Role.NURSE,
    Role.LINK_WORKER,
    Role.ANP,
)
"""The clinical roles of a practice, in the order its clinicians are given them (11 of 20 GPs)."""


def ods_code(index: int) -> str:
    """A practice ODS code: one letter and five digits (Y9xxxx is not issued to GP practices)."""
    return f"Y{90_000 + index:05d}"


def registration_number(role: str, serial: int) -> str:
    """A number that fits the register of ``role`` and is unique for ``serial`` < 10,000."""
    if role == Role.GP:
        return f"{7_000_000 + serial}"
    if role in (Role.ANP, Role.NURSE):
        return f"{serial % 90 + 10}B{serial:04d}C"
    if role == Role.PHYSIO:
        return f"PH{100_000 + serial}"
    if role == Role.PHARMACIST:
        return f"{2_000_000 + serial}"
    return ""


def postcode(rng: random.Random, outward: str) -> str:
    letters = rng.choice(_INWARD_LETTERS) + rng.choice(_INWARD_LETTERS)
    return f"{outward} {rng.randrange(10)}{letters}"


def mobile(rng: random.Random) -> str:
    """A valid UK mobile in E.164 form, or blank for about one patient in five."""
    if rng.random() < 0.2:
        return ""
    return f"+447400{rng.randrange(1_000_000):06d}"


def landline(index: int) -> str:
    return f"01865 {200_000 + index}"


def nhs_numbers() -> Iterator[str]:
    """Every valid NHS number in the 999 range, in order (about 909,000 of them)."""
    for serial in range(1_000_000):
        number = make_nhs_number(serial)
        if number is not None:
            yield number
