"""Small database helpers shared by the services."""

from __future__ import annotations

from django.db import IntegrityError, connection


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint PostgreSQL says was violated, if it says."""
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    text = str(exc)
    for candidate in (
        "appointment_one_live_per_slot",
        "appointment_patient_no_overlap",
        "session_clinician_no_overlap",
        "slot_unique_clinician_start",
    ):
        if candidate in text:
            return candidate
    return None


def quote(name: str) -> str:
    return connection.ops.quote_name(name)
