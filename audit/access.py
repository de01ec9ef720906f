"""Asking the policy and auditing its refusals: the gate every read and write of a patient
goes through."""

from __future__ import annotations

from audit.models import AuditAction
from audit.services import audit_write
from common.errors import PermissionRefused
from patients.models import Patient
from policy.actor import Actor
from policy.records import Decision, PatientAccess, RecordAction, access_for


def refuse(
    *,
    actor: Actor,
    decision: Decision,
    action: str,
    patient: Patient | None,
    object_type: str = "",
    object_id: object = "",
) -> PermissionRefused:
    """Audit a refusal and return the exception to raise (the audit row is written first)."""
    audit_write(
        actor=actor,
        action=AuditAction.REFUSED,
        basis=decision.basis,
        patient=patient,
        object_type=object_type,
        object_id=object_id,
        detail=f"asked to {action}",
    )
    return PermissionRefused(decision.message)


def require(
    access: PatientAccess,
    action: RecordAction,
    *,
    entry_type: str | None = None,
    object_id: object = "",
) -> Decision:
    """The decision if allowed; otherwise audit the refusal and raise PermissionRefused.

    Call it outside any transaction that the refusal would roll back.
    """
    decision = access.decide(action, entry_type=entry_type)
    if not decision.allowed:
        raise refuse(
            actor=access.actor,
            decision=decision,
            action=str(action),
            patient=access.patient,
            object_type=entry_type or "",
            object_id=object_id,
        )
    return decision


def require_access(
    *, actor: Actor, patient: Patient, action: RecordAction, entry_type: str | None = None
) -> tuple[PatientAccess, Decision]:
    access = access_for(actor, patient)
    return access, require(access, action, entry_type=entry_type)
