"""The history of the record: each entry's versions and the consultations over time."""

from __future__ import annotations

from typing import Any

from audit.access import require, require_access
from audit.models import AuditAction
from audit.services import audit_write
from common.errors import NotFound
from patients.models import Patient
from policy.actor import Actor
from policy.records import RecordAction
from records.clinical import (
    ClinicalEntry,
    Consultation,
)
from records.selectors.reads import audited_record_read, current_entries
from records.services.access import entry_model


def entry_history(
    *, actor: Actor, patient: Patient, entry_type: str, entry_id: int
) -> list[ClinicalEntry]:
    """All versions of one entry, oldest first, including entered-in-error (audited)."""
    model = entry_model(entry_type)
    access, decision = require_access(actor=actor, patient=patient, action=RecordAction.VIEW_RECORD)
    manager: Any = model._default_manager
    lineage = manager.filter(pk=entry_id, patient=patient).values_list("lineage", flat=True).first()
    if lineage is None:
        raise NotFound(f"This patient has no {entry_type} with id {entry_id}.")
    versions = list(
        manager.filter(lineage=lineage).select_related("author__user", "site").order_by("version")
    )
    if any(v.sensitive for v in versions):
        require(access, RecordAction.VIEW_SENSITIVE, entry_type=entry_type, object_id=entry_id)
    audit_write(
        actor=actor,
        action=AuditAction.VIEW_RECORD,
        basis=decision.basis,
        patient=patient,
        object_type=entry_type,
        object_id=entry_id,
        detail="history",
    )
    return versions


# The patient's own record online -------------------------------------------------------------


def consultation_history(*, actor: Actor, patient: Patient, limit: int = 100) -> list[Consultation]:
    """The current version of each consultation, newest first, including those marked entered
    in error (shown struck through with the reason) and with ``version`` > 1 when amended.
    Audited as a view of the record; sensitive ones only for those allowed. One query."""
    _decision, show_sensitive = audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_RECORD,
        object_type="consultation",
        detail="history",
    )
    qs = Consultation.objects.filter(patient=patient, next_version__isnull=True).select_related(
        "author__user", "site"
    )
    if not show_sensitive:
        qs = qs.filter(sensitive=False)
    return list(qs.order_by("-consulted_at", "-pk")[:limit])


def consultations_for_appointment(
    *, actor: Actor, patient: Patient, appointment_id: int
) -> list[Consultation]:
    """The current notes written for one appointment (so the consultation page shows what is
    already saved instead of inviting a duplicate). Audited as a view of the record."""
    _decision, show_sensitive = audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_RECORD,
        object_type="consultation",
        detail=f"appointment {appointment_id}",
    )
    qs = (
        current_entries(Consultation, patient, show_sensitive=show_sensitive)
        .filter(appointment_id=appointment_id)
        .order_by("consulted_at", "pk")
    )
    return list(qs)
