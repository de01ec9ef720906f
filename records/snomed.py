"""SNOMED CT identifiers (SCTID): format checks that need no terminology server.

From the SNOMED CT specification (Technical Implementation Guide, "SCTID data type"):
- 6 to 18 digits, no leading zero;
- the last digit is a Verhoeff check digit over all the other digits;
- the two digits before it are the partition identifier: ``00`` (concept, short format,
  international) or ``10`` (concept, long format, in an extension namespace, e.g. the UK's
  ``1000000``). ``01``/``11`` are descriptions and ``02``/``12`` relationships: valid SCTIDs,
  but not concepts, so they are refused here with a message saying so.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 7, 6, 8, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

CONCEPT_PARTITIONS = frozenset({"00", "10"})
OTHER_PARTITIONS = {
    "01": "description",
    "11": "description",
    "02": "relationship",
    "12": "relationship",
}
SCTID_PATTERN_SQL = r"^[1-9][0-9]{5,17}$"


def verhoeff_is_valid(digits: str) -> bool:
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(ch)]]
    return check == 0


def verhoeff_check_digit(digits: str) -> str:
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[check])


def validate_concept_id(value: str) -> str:
    """Return the concept id stripped of spaces, or raise ValidationError saying what is wrong."""
    text = (value or "").strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ValidationError(
            "A SNOMED CT concept id has only digits, like 38341003.", code="snomed_not_digits"
        )
    if not 6 <= len(text) <= 18:
        raise ValidationError(
            f"A SNOMED CT concept id has 6 to 18 digits; this has {len(text)}.",
            code="snomed_length",
        )
    if text[0] == "0":
        raise ValidationError(
            "A SNOMED CT concept id never starts with 0.", code="snomed_leading_zero"
        )
    partition = text[-3:-1]
    if partition in OTHER_PARTITIONS:
        raise ValidationError(
            f"This is a SNOMED CT {OTHER_PARTITIONS[partition]} id, not a concept id.",
            code="snomed_not_concept",
        )
    if partition not in CONCEPT_PARTITIONS:
        raise ValidationError(
            f"This is not a SNOMED CT concept id: partition {partition} is not 00 or 10.",
            code="snomed_partition",
        )
    if not verhoeff_is_valid(text):
        raise ValidationError(
            "This SNOMED CT concept id fails its check digit: check you have typed it correctly.",
            code="snomed_check_digit",
        )
    return text
