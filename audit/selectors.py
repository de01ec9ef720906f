"""Reading the audit trail: the practice manager's list, filters and CSV export."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import audit_write
from common.errors import PermissionRefused
from policy.actor import Actor
from policy.records import audit_view_decision

EXPORT_COLUMNS = [
    "id",
    "at",
    "username",
    "role",
    "site",
    "patient_id",
    "patient_nhs_number",
    "action",
    "object_type",
    "object_id",
    "basis",
    "detail",
    "request_id",
    "ip",
    "reviewed_by",
    "reviewed_at",
]


def _require_audit_access(actor: Actor) -> int:
    decision = audit_view_decision(actor)
    if not decision.allowed:
        audit_write(
            actor=actor,
            action=AuditAction.REFUSED,
            basis=decision.basis,
            object_type="audit",
            detail="asked to view the audit trail",
            practice_id=actor.practice_id,
        )
        raise PermissionRefused(decision.message)
    assert actor.practice_id is not None
    return actor.practice_id


def audit_events(
    *,
    actor: Actor,
    patient_id: int | None = None,
    user_id: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    break_glass_only: bool = False,
    unreviewed_only: bool = False,
) -> QuerySet[AuditEvent]:
    """Events about the manager's practice's patients (and their practice's refusals), newest
    first, filtered. Dates are inclusive days in local time."""
    practice_id = _require_audit_access(actor)
    qs = AuditEvent.objects.filter(patient_practice_id=practice_id).select_related(
        "site", "patient", "review__reviewed_by"
    )
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    tz = timezone.get_current_timezone()
    if since is not None:
        qs = qs.filter(at__gte=datetime.datetime.combine(since, datetime.time.min, tz))
    if until is not None:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tz)
        qs = qs.filter(at__lt=end)
    if break_glass_only or unreviewed_only:
        qs = qs.filter(action=AuditAction.BREAK_GLASS)
    if unreviewed_only:
        qs = qs.filter(review__isnull=True)
    return qs.order_by("-at", "-pk")


def _row(event: AuditEvent) -> list[Any]:
    review = getattr(event, "review", None)
    return [
        event.pk,
        event.at.isoformat(),
        event.username,
        event.role,
        event.site.name if event.site else "",
        event.patient_id or "",
        event.patient.nhs_number if event.patient else "",
        event.action,
        event.object_type,
        event.object_id,
        event.basis,
        event.detail,
        event.request_id,
        event.ip or "",
        review.reviewed_by.get_username() if review else "",
        review.reviewed_at.isoformat() if review else "",
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_export_csv(*, actor: Actor, events: QuerySet[AuditEvent]) -> Iterator[str]:
    """CSV lines of ``events`` (already scoped by ``audit_events``); the export is audited."""
    practice_id = _require_audit_access(actor)
    audit_write(
        actor=actor,
        action=AuditAction.EXPORT,
        basis="practice_manager",
        object_type="audit",
        detail=f"exported {events.count()} events",
        practice_id=practice_id,
    )
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(EXPORT_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow([_csv_safe(v) for v in _row(event)])

    return lines()


def _csv_safe(value: Any) -> Any:
    """Stop spreadsheet formula injection from free text (e.g. a break-glass reason)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
