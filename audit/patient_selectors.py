"""The patient's "who looked at my record": staff reads of one patient's record, for the
patient themselves. Only when, the staff member's name, role and site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from audit.models import AuditAction, AuditEvent

STAFF_VIEW_ACTIONS = (
    AuditAction.VIEW_DEMOGRAPHICS,
    AuditAction.SEARCH_HIT_OPENED,
    AuditAction.VIEW_SUMMARY,
    AuditAction.VIEW_RECORD,
    AuditAction.BREAK_GLASS,
    AuditAction.EXPORT,
)


@dataclass(frozen=True)
class RecordView:
    at: datetime
    staff_name: str
    role: str
    site: str


def record_views_for_patient(*, patient_id: int) -> QuerySet[AuditEvent]:
    """Staff views of one patient's record, newest first. The patient's own online views
    (no role) are left out. The caller must already have scoped ``patient_id`` to the user."""
    return (
        AuditEvent.objects.filter(patient_id=patient_id, action__in=STAFF_VIEW_ACTIONS)
        .exclude(role="")
        .select_related("user", "site")
        .only("at", "role", "username", "user__first_name", "user__last_name", "site__name")
        .order_by("-at", "-pk")
    )


def as_record_view(event: AuditEvent) -> RecordView:
    from staff.roles import Role

    name = ""
    if event.user is not None:
        name = event.user.get_full_name()
    labels = dict(Role.choices)
    return RecordView(
        at=event.at,
        staff_name=name or event.username,
        role=str(labels.get(event.role, event.role)),
        site=event.site.name if event.site is not None else "",
    )
