"""The allergy rules a write must pass: the check when a medication is added, and "no known
allergies" as its own state (ADR 0034). Called by ``records.services.entries`` inside the
transaction that inserts the entry, with the patient's row locked, so an allergy recorded at
the same moment is either seen by the check or waits for it."""

from __future__ import annotations

from typing import Any

from common.errors import Conflict, ServiceError
from patients.models import Patient
from records.allergy_check import AllergyConflict, conflicts_for
from records.clinical import Allergy, Change

OVERRIDE_MIN_REASON = 5
NO_KNOWN_ALLERGY = ("716186003", "No known allergy")


class AllergyConflictError(Conflict):
    """The drug conflicts with a recorded allergy: stopped until acknowledged with a reason."""

    code = "allergy_conflict"
    detail: dict[str, Any]

    def __init__(self, drug: str, conflicts: list[AllergyConflict]) -> None:
        self.lines = [c.message(drug) for c in conflicts]
        super().__init__(
            f"Allergy warning: {' '.join(self.lines)} To prescribe it anyway, acknowledge the "
            "warning and say why."
        )
        self.conflicts = conflicts
        self.detail = {
            "conflicts": [c.as_dict() for c in conflicts],
            "acknowledge": "Send acknowledge: true and acknowledge_reason to prescribe anyway.",
        }


class AcknowledgeReasonMissing(ServiceError):
    """The warning was acknowledged without a reason: still stopped, the conflicts kept."""

    code = "acknowledge_reason"

    def __init__(self, drug: str, conflicts: list[AllergyConflict]) -> None:
        super().__init__(
            f"Say why you are prescribing despite the allergy warning (at least "
            f"{OVERRIDE_MIN_REASON} characters)."
        )
        self.conflicts = conflicts
        self.lines = [c.message(drug) for c in conflicts]


def _current_allergies(patient: Patient) -> list[Allergy]:
    # Every current allergy, sensitive or not: a warning must never depend on who is looking.
    manager: Any = Allergy._default_manager
    return list(
        manager.filter(patient=patient, next_version__isnull=True)
        .exclude(change=Change.ENTERED_IN_ERROR)
        .order_by("pk")
    )


def medication_allergy_check(
    *, patient: Patient, data: dict[str, Any], acknowledge: bool, reason: str
) -> dict[str, str]:
    """Raise AllergyConflictError, or return the override fields to store on the entry
    (empty when there was nothing to acknowledge)."""
    name = str(data.get("name", ""))
    conflicts = conflicts_for(
        name=name, code=str(data.get("snomed_concept_id", "")).strip(),
        allergies=_current_allergies(patient),
    )
    if not conflicts:
        return {}
    if not acknowledge:
        raise AllergyConflictError(name, conflicts)
    reason = (reason or "").strip()
    if len(reason) < OVERRIDE_MIN_REASON:
        raise AcknowledgeReasonMissing(name, conflicts)
    warning = " ".join(c.message(name) for c in conflicts)
    return {"allergy_warning": warning[:1000], "allergy_override_reason": reason[:500]}


def allergy_prepare(*, patient: Patient, data: dict[str, Any]) -> dict[str, Any]:
    """"No known allergies" is refused while an allergy is recorded (mark it entered in error
    first), and is coded and named for the record. A real allergy recorded later simply
    supersedes it (``allergy_status``)."""
    if data.get("status") != Allergy.Status.NONE_KNOWN:
        return data
    recorded = [a for a in _current_allergies(patient) if a.status == Allergy.Status.ALLERGY]
    if recorded:
        names = ", ".join(a.substance for a in recorded)
        raise Conflict(
            f"This patient has allergies recorded ({names}): \"no known allergies\" would "
            "contradict them. If they were wrong, mark them entered in error first.",
            code="allergies_recorded",
        )
    code, term = NO_KNOWN_ALLERGY
    return {
        "substance": "No known allergies", "snomed_concept_id": code, "snomed_term": term,
        **{k: v for k, v in data.items() if v not in ("", None)},
    }
