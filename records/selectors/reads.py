"""What every read of clinical entries shares: the policy check and audit row that start it,
and the current, not-entered-in-error version of each entry."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from audit.access import require_access
from audit.services import audit_write
from patients.models import Patient
from policy.actor import Actor
from policy.records import Decision, RecordAction
from records.clinical import (
    Change,
    ClinicalEntry,
)


def current_entries(
    model: type[ClinicalEntry], patient: Patient, *, show_sensitive: bool
) -> QuerySet[Any]:
    """The current version of each entry that was not entered in error."""
    manager: Any = model._default_manager  # abstract base: the plugin cannot see next_version
    qs = (
        manager.filter(patient=patient, next_version__isnull=True)
        .exclude(change=Change.ENTERED_IN_ERROR)
        .select_related("author__user", "site")
    )
    return qs if show_sensitive else qs.filter(sensitive=False)


def audited_record_read(
    *,
    actor: Actor,
    patient: Patient,
    action: str,
    object_type: str,
    object_id: object = "",
    detail: str = "",
) -> tuple[Decision, bool]:
    """Every read of clinical entries starts here: the policy must allow the record (a refusal
    raises and is audited), the read is audited with its basis, and the caller learns whether
    sensitive entries may be shown."""
    access, decision = require_access(actor=actor, patient=patient, action=RecordAction.VIEW_RECORD)
    show_sensitive = access.decide(RecordAction.VIEW_SENSITIVE).allowed
    audit_write(
        actor=actor,
        action=action,
        basis=decision.basis,
        patient=patient,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    return decision, show_sensitive
