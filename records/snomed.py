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
from stdnum import verhoeff

from terminology.lookup import concept_terms, concepts_get

CONCEPT_PARTITIONS = frozenset({"00", "10"})
OTHER_PARTITIONS = {
    "01": "description",
    "11": "description",
    "02": "relationship",
    "12": "relationship",
}
SCTID_PATTERN_SQL = r"^[1-9][0-9]{5,17}$"


def verhoeff_is_valid(digits: str) -> bool:
    return bool(verhoeff.is_valid(digits))


def verhoeff_check_digit(digits: str) -> str:
    return str(verhoeff.calc_check_digit(digits))


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


def check_against_store(concept_id: str, term: str) -> tuple[str, dict[str, str]]:
    """Once the format is right: if the concept store holds the concept, it must be active
    and the term must be one of its terms (an empty term becomes its preferred term).
    Returns the term to record and any field errors. A concept the store lacks passes: the
    store may be a subset, and the API still accepts codes (issue 16)."""
    concept = concepts_get([concept_id]).get(concept_id)
    if concept is None:
        return term, {}
    if not concept.active:
        return term, {
            "snomed_concept_id": f"SNOMED CT concept {concept_id} is inactive: choose a "
            "current concept."
        }
    if not term.strip():
        return concept.preferred_term, {}
    if term.strip().lower() not in concept_terms(concept_id):
        return term, {
            "snomed_term": f"{term.strip()!r} is not a term of SNOMED CT concept {concept_id} "
            f"({concept.preferred_term})."
        }
    return term.strip(), {}
