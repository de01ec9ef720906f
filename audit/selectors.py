"""Reading the audit trail: the practice manager's list, filters and CSV export."""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit import recorder
from audit.models import STAFF_ACCESS_ACTIONS, AuditAction, AuditEvent
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
    patient_words: str = "",
    staff_words: str = "",
    action: str = "",
) -> QuerySet[AuditEvent]:
    """Events about the manager's practice's patients (and their practice's refusals), newest
    first, filtered. Dates are inclusive days in local time.

    ``patient_words`` is an NHS number (spaces allowed) or words of the patient's name;
    ``staff_words`` a login or words of the staff member's name; ``action`` an AuditAction."""
    practice_id = _require_audit_access(actor)
    recorder.note_reading_audit_trail()
    qs = AuditEvent.objects.filter(patient_practice_id=practice_id).select_related(
        "site", "patient", "review__reviewed_by"
    )
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if patient_words.strip():
        qs = qs.filter(_patient_matches(patient_words))
    if staff_words.strip():
        qs = qs.filter(_staff_matches(staff_words))
    if action:
        qs = qs.filter(action=action)
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


def staff_access_events(*, actor: Actor, limit: int = 20) -> list[AuditEvent]:
    """The latest requests, grants and refusals of staff access at the manager's practice."""
    practice_id = _require_audit_access(actor)
    return list(
        AuditEvent.objects.filter(patient_practice_id=practice_id, action__in=STAFF_ACCESS_ACTIONS)
        .order_by("-at", "-pk")[:limit]
    )


def _patient_matches(words: str) -> Q:
    digits = re.sub(r"[\s-]", "", words)
    if re.fullmatch(r"[0-9]{10}", digits):
        return Q(patient__nhs_number=digits)
    q = Q()
    for word in words.split()[:5]:
        q &= Q(patient__given_name__icontains=word) | Q(patient__family_name__icontains=word)
    return q


def _staff_matches(words: str) -> Q:
    text = words.strip()
    q = Q(username__iexact=text)
    name = Q()
    for word in text.split()[:5]:
        name &= Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word)
    return q | name


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


# --- The patient's "who looked at my record" (staff reads, for the patient themselves) ---

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
    at: datetime.datetime
    staff_name: str
    role: str
    site: str


def record_views_for_patient(*, patient_id: int) -> QuerySet[AuditEvent]:
    """Staff views of one patient's record, newest first. The patient's own online views
    (no role) are left out. The caller must already have scoped ``patient_id`` to the user."""
    return (
        AuditEvent.objects.filter(patient_id=patient_id, action__in=STAFF_VIEW_ACTIONS)
        .exclude(role__in=["", "patient"])
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
