"""Writing the audit trail. Every read and change of a record calls ``audit_write``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from audit.models import AuditAction, AuditEvent, BreakGlassReview
from common.errors import Conflict, NotFound, PermissionRefused
from common.middleware import current_request_context
from policy.actor import Actor
from policy.records import break_glass_review_decision

if TYPE_CHECKING:
    from patients.models import Patient


def audit_write(
    *,
    actor: Actor,
    action: str,
    basis: str,
    patient: Patient | None = None,
    object_type: str = "",
    object_id: object = "",
    detail: str = "",
    practice_id: int | None = None,
) -> AuditEvent:
    """Insert one event. Request id and IP come from the request context (middleware)."""
    context = current_request_context()
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    return AuditEvent.objects.create(
        user=user,
        username=user.get_username() if user is not None else "",
        role=actor.role or "",
        actor_practice_id=actor.practice_id,
        site_id=actor.site_id,
        patient=patient,
        patient_practice_id=patient.registered_practice_id if patient is not None else practice_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id not in (None, "") else "",
        basis=basis[:200],
        detail=detail[:500],
        request_id=context.request_id,
        ip=context.ip,
    )


def break_glass_review(*, actor: Actor, event_id: int, note: str = "") -> BreakGlassReview:
    """The practice manager marks a break-glass event reviewed (a new row, never an edit)."""
    event = (
        AuditEvent.objects.filter(pk=event_id, action=AuditAction.BREAK_GLASS)
        .only("pk", "patient_practice_id")
        .first()
    )
    if event is None:
        raise NotFound("No break-glass event with that id.")
    decision = break_glass_review_decision(actor, event_practice_id=event.patient_practice_id)
    if not decision.allowed:
        audit_write(
            actor=actor,
            action=AuditAction.REFUSED,
            basis=decision.basis,
            object_type="break_glass_review",
            object_id=event.pk,
        )
        raise PermissionRefused(decision.message)
    try:
        with transaction.atomic():
            return BreakGlassReview.objects.create(
                event=event, reviewed_by=actor.user, note=note.strip()[:500]
            )
    except IntegrityError:
        raise Conflict("This break-glass event has already been reviewed.") from None
