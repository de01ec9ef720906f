"""Reads: failed messages for staff, and reconciliation of messages against appointments."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from appointments.models import CANCELLED_STATUSES, Appointment
from notifications.models import Kind, OutboxMessage, SentMessage, Status
from practices.models import Practice

STUCK_AFTER = datetime.timedelta(minutes=15)


def failed_messages(*, practice: Practice) -> QuerySet[OutboxMessage]:
    """Messages that will not go out without someone acting (bad number, gave up retrying)."""
    return (
        OutboxMessage.objects.filter(practice=practice, status=Status.FAILED)
        .select_related("patient", "appointment")
        .order_by("-updated_at")
    )


def message_counts(*, practice: Practice | None = None) -> dict[str, int]:
    qs = OutboxMessage.objects.all()
    if practice is not None:
        qs = qs.filter(practice=practice)
    counts = {s.value: 0 for s in Status}
    counts.update(dict(qs.values_list("status").annotate(n=Count("pk")).order_by()))
    return counts


@dataclass(frozen=True)
class Problem:
    code: str
    detail: str
    appointment_id: int | None = None
    message_id: int | None = None


@dataclass
class Reconciliation:
    since: datetime.datetime
    counts: dict[str, int] = field(default_factory=dict)
    appointments: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem_counts(self) -> dict[str, int]:
        return dict(Counter(p.code for p in self.problems))


def reconcile(
    *,
    since: datetime.datetime,
    practice: Practice | None = None,
    now: datetime.datetime | None = None,
    check_local_backend: bool | None = None,
) -> Reconciliation:
    """Count outbox rows against appointments booked since ``since`` and list what looks lost
    or doubled:

    - ``no_messages``: a future appointment whose patient can be messaged has no outbox row
      (the booking change was not recorded);
    - ``sent_twice``: two sent rows for the same appointment, kind, channel and time;
    - ``sent_for_cancelled``: a confirmation/reminder sent after the appointment was cancelled;
    - ``pending_for_cancelled``: a pending confirmation/reminder on a cancelled appointment;
    - ``stuck_pending`` / ``stuck_sending``: due long ago but not sent (dispatcher or worker down);
    - local backend only: ``delivered_not_recorded`` (SentMessage whose row is not sent, once
      its lease is over) and ``recorded_not_delivered`` (a sent row with no SentMessage).
    """
    now = now or timezone.now()
    if check_local_backend is None:
        check_local_backend = settings.NOTIFICATIONS_BACKEND == "local"
    appointments = Appointment.objects.filter(booked_at__gte=since)
    messages = OutboxMessage.objects.filter(appointment__booked_at__gte=since)
    if practice is not None:
        appointments = appointments.filter(site__practice=practice)
        messages = messages.filter(practice=practice)
    report = Reconciliation(since=since, appointments=appointments.count())
    report.counts = {s.value: 0 for s in Status}
    report.counts.update(dict(messages.values_list("status").annotate(n=Count("pk")).order_by()))
    problems = report.problems

    silent = (
        appointments.filter(start__gt=F("booked_at"), patient__date_of_death__isnull=True)
        .filter(
            Q(patient__sms_consent=True, patient__mobile__gt="")
            | Q(patient__email_consent=True, patient__email__gt="")
        )
        .exclude(pk__in=OutboxMessage.objects.values("appointment_id"))
    )
    for appointment_id in silent.values_list("pk", flat=True):
        problems.append(Problem("no_messages", "no message recorded", appointment_id))

    doubled = (
        messages.filter(status=Status.SENT)
        .values("appointment_id", "kind", "channel", "appointment_start", "hours_before")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by()
    )
    for row in doubled:
        problems.append(
            Problem(
                "sent_twice",
                f"{row['n']} x {row['kind']} by {row['channel']}",
                row["appointment_id"],
            )
        )

    cancelled = messages.filter(
        kind__in=(Kind.CONFIRMATION, Kind.REMINDER), appointment__status__in=CANCELLED_STATUSES
    )
    for message_id, appointment_id in cancelled.filter(
        status=Status.SENT, sent_at__gt=F("appointment__status_changed_at")
    ).values_list("pk", "appointment_id"):
        problems.append(
            Problem("sent_for_cancelled", "sent after cancellation", appointment_id, message_id)
        )
    for message_id, appointment_id in cancelled.filter(status=Status.PENDING).values_list(
        "pk", "appointment_id"
    ):
        problems.append(Problem("pending_for_cancelled", "not voided", appointment_id, message_id))

    lease = datetime.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
    for message_id, appointment_id in messages.filter(
        status=Status.PENDING, next_attempt_at__lt=now - STUCK_AFTER
    ).values_list("pk", "appointment_id"):
        problems.append(Problem("stuck_pending", "due but not sent", appointment_id, message_id))
    for message_id, appointment_id in messages.filter(
        status=Status.SENDING, claimed_at__lt=now - lease - STUCK_AFTER
    ).values_list("pk", "appointment_id"):
        problems.append(Problem("stuck_sending", "lease long expired", appointment_id, message_id))

    if check_local_backend:
        _reconcile_local(messages, now - lease, problems)
    return report


def _reconcile_local(
    messages: QuerySet[OutboxMessage], lease_cutoff: datetime.datetime, problems: list[Problem]
) -> None:
    delivered = SentMessage.objects.filter(reference__in=messages.values("reference"))
    unrecorded = messages.filter(
        reference__in=delivered.values("reference"),
    ).exclude(status=Status.SENT)
    for message_id, appointment_id, status, claimed_at in unrecorded.values_list(
        "pk", "appointment_id", "status", "claimed_at"
    ):
        if status == Status.SENDING and claimed_at and claimed_at >= lease_cutoff:
            continue  # in flight: its worker is about to record it
        problems.append(
            Problem("delivered_not_recorded", f"row is {status}", appointment_id, message_id)
        )
    missing = messages.filter(status=Status.SENT).exclude(
        reference__in=SentMessage.objects.values("reference")
    )
    for message_id, appointment_id in missing.values_list("pk", "appointment_id"):
        problems.append(
            Problem("recorded_not_delivered", "no SentMessage", appointment_id, message_id)
        )
