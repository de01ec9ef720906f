"""Break-glass: a federation clinician without a relationship states why they need a record."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from audit.access import require_access
from audit.models import AuditAction
from audit.services import audit_write
from common.errors import ServiceError
from patients.models import Patient
from policy.actor import Actor
from policy.records import RecordAction
from records.break_glass import BREAK_GLASS_HOURS, BREAK_GLASS_MIN_REASON, BreakGlassGrant


def break_glass_start(*, actor: Actor, patient: Patient, reason: str) -> BreakGlassGrant:
    """Open the record for ``BREAK_GLASS_HOURS``; audited and flagged for the manager's review."""
    _access, decision = require_access(
        actor=actor, patient=patient, action=RecordAction.BREAK_GLASS
    )
    reason = " ".join((reason or "").split())
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ServiceError(
            f"State why you need this record (at least {BREAK_GLASS_MIN_REASON} characters): "
            "the patient's practice manager reviews every break-glass."
        )
    now = timezone.now()
    assert actor.staff is not None
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor.user,
            staff=actor.staff,
            patient=patient,
            reason=reason,
            started_at=now,
            expires_at=now + datetime.timedelta(hours=BREAK_GLASS_HOURS),
        )
        audit_write(
            actor=actor,
            action=AuditAction.BREAK_GLASS,
            basis=decision.basis,
            patient=patient,
            object_type="break_glass_grant",
            object_id=grant.pk,
            detail=reason,
        )
    return grant
