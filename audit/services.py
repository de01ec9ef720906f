"""Writing the audit trail. Every read and change of a record calls ``audit_write``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from audit import recorder
from audit.models import AuditAction, AuditEvent, BreakGlassReview
from common.errors import Conflict, NotFound, PermissionRefused
from common.middleware import current_request_context
from policy.actor import Actor, actor_for_request
from policy.records import access_for_many, break_glass_review_decision, shown_decision

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
    event = AuditEvent.objects.create(
        **_event_fields(actor=actor, patient=patient, practice_id=practice_id),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id not in (None, "") else "",
        basis=basis[:200],
        detail=detail[:500],
    )
    if patient is not None:
        recorder.note_audited(patient.pk)
    return event


def _role_of(actor: Actor) -> str:
    """Staff role, else "patient" for a patient or proxy online, else a locality team role."""
    if actor.staff is not None:
        return actor.staff.role
    if actor.own_patient_id is not None:
        return "patient"
    return actor.role or ""


def _event_fields(
    *, actor: Actor, patient: Patient | None, practice_id: int | None = None
) -> dict[str, Any]:
    context = current_request_context()
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    return dict(
        user=user,
        username=user.get_username() if user is not None else "",
        role=_role_of(actor),
        actor_practice_id=actor.practice_id,
        site_id=actor.site_id,
        patient=patient,
        patient_practice_id=patient.registered_practice_id if patient is not None else practice_id,
        request_id=context.request_id,
        ip=context.ip,
    )


def audit_trail_shown(request: HttpRequest, patients: int) -> AuditEvent:
    """The audit trail's own pages: one event for the page, naming how many patients it showed."""
    actor = actor_for_request(request)
    match = request.resolver_match
    what = f"{request.method} {match.view_name if match is not None else request.path}"
    return audit_write(
        actor=actor,
        action=AuditAction.VIEW_AUDIT,
        basis="practice_manager",
        object_type="audit",
        detail=f"{what}: events about {patients} patients"[:500],
        practice_id=actor.practice_id,
    )


def audit_shown(request: HttpRequest, patients: Iterable[Patient]) -> list[AuditEvent]:
    """The recorder's fallback: one "viewed demographics" event for each patient a request
    showed without a more specific event, on the basis the policy gives (``shown_decision``)."""
    actor = actor_for_request(request)
    match = request.resolver_match
    what = f"{request.method} {match.view_name if match is not None else request.path}"
    events = []
    shown = [
        patient for patient in patients
        # a patient seeing their own details online: not an access to audit
        if actor.is_staff_member or patient.pk != actor.own_patient_id
    ]
    access = access_for_many(actor, shown)  # a page of patients in a fixed number of queries
    for patient in shown:
        decision = shown_decision(actor, patient, access[patient.pk])
        events.append(
            AuditEvent(
                **_event_fields(actor=actor, patient=patient),
                action=AuditAction.VIEW_DEMOGRAPHICS,
                object_type="patient",
                object_id=str(patient.pk),
                basis=decision.basis[:200],
                detail=what[:500],
            )
        )
        recorder.note_audited(patient.pk)
    return AuditEvent.objects.bulk_create(events)


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
