"""Claim, send, record: the state machine of one outbox row (docs/adr/0050).

    pending --claim--> sending --sent--> sent
       ^                  |  \\--permanent error / max attempts--> failed
       |                  |   \\--appointment gone, consent withdrawn--> void
       +--retryable error-+ (next_attempt_at = now + backoff)
    sending with claimed_at older than the lease --claim again--> sending (same reference)

Every transition is one conditional UPDATE. The claim bumps ``attempts``, and the worker only
records an outcome ``WHERE attempts = <its own attempt>``: a worker that lost its lease cannot
overwrite the outcome of the worker that took over (a fencing token).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from appointments.models import CANCELLED_STATUSES, Appointment
from notifications.backends import get_backend
from notifications.backends.base import OutgoingMessage, PermanentFailure, RetryableFailure
from notifications.models import Kind, MessageChannel, OutboxMessage, Status
from notifications.quiet_hours import in_quiet_hours, sms_allowed_from
from notifications.rendering import render_message
from notifications.schedule import channels_for

logger = logging.getLogger(__name__)

SENT = "sent"
NOT_CLAIMED = "not_claimed"
VOID = "void"
HELD = "held"
RETRY = "retry"
FAILED = "failed"
LOST_LEASE = "lost_lease"


_TABLE = OutboxMessage._meta.db_table
_COLUMNS = ", ".join(f'"{f.column}"' for f in OutboxMessage._meta.concrete_fields)
_CLAIM_SQL = f"""
    UPDATE "{_TABLE}"
       SET "status" = 'sending', "claimed_at" = %s, "attempts" = "attempts" + 1, "updated_at" = %s
     WHERE "id" = %s
       AND "attempts" < %s
       AND (("status" = 'pending' AND "next_attempt_at" <= %s)
            OR ("status" = 'sending' AND "claimed_at" < %s))
 RETURNING {_COLUMNS}
"""  # noqa: S608 - table and column names come from the model, values are parameters


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)


def backoff(attempt: int) -> datetime.timedelta:
    """Exponential: base, 2 x base, 4 x base ... capped at six hours."""
    seconds = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0)
    return datetime.timedelta(seconds=min(seconds, 6 * 3600))


def claim(message_id: int, *, now: datetime.datetime | None = None) -> OutboxMessage | None:
    """Take the row for sending, or return None if it is not ours to send.

    Claimable: pending and due, or sending with an expired lease (its worker died), and under
    the attempt limit. One UPDATE decides, so two workers can never both win.
    """
    now = now or timezone.now()
    # One round trip: the conditional UPDATE returns the row it won (RETURNING), or nothing.
    won = list(
        OutboxMessage.objects.raw(
            _CLAIM_SQL,
            [now, now, message_id, settings.NOTIFICATIONS_MAX_ATTEMPTS, now, now - _lease()],
        )
    )
    return won[0] if won else None


def _finish(message: OutboxMessage, **fields: Any) -> bool:
    """Record an outcome if we still hold the claim (status sending, our attempt number)."""
    fields.setdefault("updated_at", timezone.now())
    return bool(
        OutboxMessage.objects.filter(
            pk=message.pk, status=Status.SENDING, attempts=message.attempts
        ).update(**fields)
    )


def _reason_not_to_send(
    message: OutboxMessage, appointment: Appointment, now: datetime.datetime
) -> str | None:
    if message.channel not in channels_for(appointment.patient):
        return "patient deceased or consent withdrawn"
    if message.kind == Kind.CANCELLATION:
        return None
    if appointment.status in CANCELLED_STATUSES:
        return "appointment cancelled"
    if appointment.start != message.appointment_start:
        return "appointment moved"
    if appointment.start <= now:
        return "appointment already started"
    return None


def deliver(message_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one outbox row at most once. Safe to call any number of times, from anywhere."""
    now = now or timezone.now()
    message = claim(message_id, now=now)
    if message is None:
        return NOT_CLAIMED
    appointment = Appointment.objects.select_related(
        "patient", "site__practice", "clinician__user", "slot"
    ).get(pk=message.appointment_id)

    reason = _reason_not_to_send(message, appointment, now)
    if reason:
        _finish(message, status=Status.VOID, last_error=reason)
        return VOID
    if message.channel == MessageChannel.SMS and in_quiet_hours(now):
        # A retry that fell into the night: give the claim back, untouched, until morning.
        _finish(
            message,
            status=Status.PENDING,
            attempts=message.attempts - 1,
            claimed_at=None,
            enqueued_at=None,
            next_attempt_at=sms_allowed_from(now),
        )
        return HELD

    patient = appointment.patient
    recipient = patient.mobile if message.channel == MessageChannel.SMS else patient.email
    rendered = render_message(message, appointment)
    outgoing = OutgoingMessage(
        reference=str(message.reference),
        channel=message.channel,
        recipient=recipient,
        subject=rendered.subject,
        body=rendered.body,
        attempt=message.attempts,
    )
    try:
        provider_id = get_backend().send(outgoing)
    except PermanentFailure as exc:
        logger.warning("Message %s failed permanently: %s", message.pk, exc)
        _finish(message, status=Status.FAILED, recipient=recipient, last_error=f"{exc.code}: {exc}")
        return FAILED
    except Exception as exc:
        return _retry_or_fail(message, exc, now=now)

    if not _finish(
        message,
        status=Status.SENT,
        sent_at=timezone.now(),
        provider_id=provider_id[:100],
        recipient=recipient,
        last_error="",
    ):
        # Our lease expired and another worker took over; it sends with the same reference.
        logger.warning("Message %s: lease lost before recording the send.", message.pk)
        return LOST_LEASE
    return SENT


def _retry_or_fail(message: OutboxMessage, exc: Exception, *, now: datetime.datetime) -> str:
    code = exc.code if isinstance(exc, RetryableFailure) else type(exc).__name__
    text = f"{code}: {exc}"[:500]
    if not isinstance(exc, RetryableFailure):
        logger.exception("Message %s: unexpected error while sending", message.pk)
    if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _finish(message, status=Status.FAILED, last_error=f"gave up after retries: {text}"[:500])
        return FAILED
    next_at = now + backoff(message.attempts)
    if message.channel == MessageChannel.SMS:
        next_at = sms_allowed_from(next_at)
    _finish(
        message,
        status=Status.PENDING,
        claimed_at=None,
        enqueued_at=None,  # its task is spent: the next dispatcher run must enqueue it again
        next_attempt_at=next_at,
        last_error=text,
    )
    return RETRY


def due_ids(*, now: datetime.datetime | None = None, limit: int | None = None) -> list[int]:
    """Ids to hand to workers now, stamped ``enqueued_at`` so the next beat skips them.

    Pending and due rows not enqueued in the last NOTIFICATIONS_REQUEUE_SECONDS (a lost task is
    re-enqueued after that), and sending rows whose lease expired. ``SKIP LOCKED`` lets two
    dispatchers run at once without handing out the same ids; even if they did, the claim
    would stop a second send.
    """
    now = now or timezone.now()
    limit = limit or settings.NOTIFICATIONS_DISPATCH_BATCH
    requeue = now - datetime.timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_SECONDS)
    lease_cutoff = now - _lease()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=Status.PENDING, next_attempt_at__lte=now)
                & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue))
                | Q(
                    status=Status.SENDING,
                    claimed_at__lt=lease_cutoff,
                    attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS,
                )
                & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=lease_cutoff))
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(enqueued_at=now)
    return ids


def fail_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Rows whose worker died on the last allowed attempt: failed, for staff to see."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(
        status=Status.SENDING,
        claimed_at__lt=now - _lease(),
        attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS,
    ).update(
        status=Status.FAILED,
        last_error="worker lost on the last attempt; check the provider before resending",
        updated_at=now,
    )


# The registered name of ``notifications.tasks.send_message``. The task module imports this
# one, so this one names the task instead of importing it (the worker resolves the name).
SEND_MESSAGE_TASK = "notifications.send_message"


def publish(ids: Iterable[int], *, retry: bool = True, connection: Any = None) -> int:
    """Enqueue ``send_message`` for each id; returns how many were published.

    Raises the broker's error after un-stamping the ids it could not publish, so the next
    dispatcher run picks them up at once.
    """
    send_message = current_app.signature(SEND_MESSAGE_TASK)
    ids = list(ids)
    options: dict[str, Any] = {"connection": connection} if connection is not None else {}
    done = 0
    try:
        for message_id in ids:
            send_message.clone(args=(message_id,)).apply_async(retry=retry, **options)
            done += 1
    except Exception:
        OutboxMessage.objects.filter(pk__in=ids[done:], status=Status.PENDING).update(
            enqueued_at=None
        )
        raise
    return done


def dispatch_due(*, now: datetime.datetime | None = None, max_batches: int = 50) -> int:
    """One dispatcher run (the beat task): fail abandoned rows, enqueue every due id."""
    fail_abandoned(now=now)
    total = 0
    for _ in range(max_batches):
        ids = due_ids(now=now)
        if not ids:
            break
        total += publish(ids)
    return total
