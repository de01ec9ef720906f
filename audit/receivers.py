"""Events other apps announce and the audit records (they cannot import the audit)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from audit.models import AuditAction
from audit.services import audit_write
from policy.actor import actor_for_user
from staff.signals import staff_access_changed

_STAFF_ACCESS = {
    "requested": AuditAction.STAFF_ACCESS_REQUESTED,
    "granted": AuditAction.STAFF_ACCESS_GRANTED,
    "rejected": AuditAction.STAFF_ACCESS_REJECTED,
}


@receiver(staff_access_changed, dispatch_uid="audit-staff-access")
def _staff_access(sender: Any, action: str, actor_user: Any, practice_id: int,
                  access_request: Any, detail: str, **kwargs: Any) -> None:
    # In the caller's transaction: the change and its audit row are written together.
    audit_write(
        actor=actor_for_user(actor_user), action=_STAFF_ACCESS[action],
        basis=f"separation_of_duties: {action}", object_type="staff_access_request",
        object_id=access_request.pk, detail=detail, practice_id=practice_id,
    )
