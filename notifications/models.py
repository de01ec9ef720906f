"""Messages to patients: reminder policy, editable wording, the outbox and the local "provider".

The outbox is the source of truth. One row is one message to one patient on one channel, written
in the same transaction as the booking change it is about. See docs/adr/0050.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from appointments.models import Appointment, AppointmentType
from notifications.template_rules import TemplateRejected, check_template
from patients.models import Patient
from practices.models import Practice


class Kind(models.TextChoices):
    CONFIRMATION = "confirmation", "Booking confirmation"
    REMINDER = "reminder", "Reminder"
    CANCELLATION = "cancellation", "Cancellation notice"
    RESCHEDULE = "reschedule", "Reschedule notice"


class MessageChannel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    VOID = "void", "Void"


MAX_REMINDER_HOURS = 24 * 14


def validate_hours_before(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= MAX_REMINDER_HOURS
        for h in value
    ):
        raise ValidationError(
            f"Give a list of whole hours between 1 and {MAX_REMINDER_HOURS}, e.g. [48, 2]."
        )
    if len(set(value)) != len(value):
        raise ValidationError("Each reminder time may appear once.")


class ReminderPolicy(models.Model):
    """When reminders go out for a practice, optionally for one appointment type.

    A row for the appointment type wins over the practice-wide row (no type), which wins over
    the defaults in ``notifications.defaults``. An empty list means "no reminders".
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    appointment_type = models.ForeignKey(
        AppointmentType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Leave empty for the practice-wide policy.",
    )
    hours_before = models.JSONField(
        default=list,
        validators=[validate_hours_before],
        help_text="Whole hours before the appointment, e.g. [48, 2]. Empty: no reminders.",
    )

    class Meta:
        verbose_name_plural = "reminder policies"
        constraints = [
            models.UniqueConstraint(
                fields=["practice"],
                condition=Q(appointment_type__isnull=True),
                name="reminder_policy_one_per_practice",
            ),
            models.UniqueConstraint(
                fields=["practice", "appointment_type"],
                condition=Q(appointment_type__isnull=False),
                name="reminder_policy_one_per_type",
            ),
        ]

    def __str__(self) -> str:
        scope = self.appointment_type.name if self.appointment_type else "all types"
        return f"{self.practice}: {scope} {self.hours_before}"

    def clean(self) -> None:
        if (
            self.appointment_type is not None
            and self.appointment_type.practice_id != self.practice_id
        ):
            raise ValidationError(
                {"appointment_type": "The appointment type must belong to this practice."}
            )


class MessageTemplate(models.Model):
    """A practice's own wording for one kind of message on one channel (Django template syntax).

    Only the variables listed in ``notifications.template_rules.CONTEXT_VARIABLES`` exist; they are
    plain strings, so a template cannot reach any other data (and no clinical data at all).
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    subject = models.CharField(max_length=200, blank=True, help_text="Email only.")
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practice", "kind", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "kind", "channel"], name="message_template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice}: {self.get_kind_display()} ({self.get_channel_display()})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("subject", "body"):
            try:
                check_template(getattr(self, field))
            except TemplateRejected as exc:
                errors[field] = str(exc)
        if self.channel == MessageChannel.EMAIL and not self.subject.strip():
            errors["subject"] = "An email needs a subject."
        if errors:
            raise ValidationError(errors)


class OutboxMessage(models.Model):
    """One message to send, exactly once. The unique key makes writing it twice a no-op."""

    reference = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Idempotency reference given to the provider on every attempt.",
    )
    # No single-column indexes on appointment and practice: the unique key and the
    # (appointment, status) index start with appointment, (practice, status) with practice.
    # Every booking writes several rows here; each index is one more insert per row.
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    appointment_version = models.PositiveIntegerField(
        help_text="Bumped on each reschedule, so a moved appointment gets fresh reminders."
    )
    hours_before = models.PositiveIntegerField(
        default=0, help_text="For reminders: how long before the appointment. 0 otherwise."
    )
    appointment_start = models.DateTimeField(help_text="The appointment time this message is for.")
    previous_start = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(help_text="When the schedule says it should go.")
    not_before = models.DateTimeField(help_text="Due time moved out of SMS quiet hours.")
    next_attempt_at = models.DateTimeField(help_text="Earliest time a worker may claim it.")
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    recipient = models.CharField(max_length=254, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel", "appointment_version", "hours_before"],
                name="outbox_message_unique_key",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbox_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                name="outbox_sending_has_claimed_at",
            ),
            models.CheckConstraint(
                condition=Q(kind="reminder") | Q(hours_before=0),
                name="outbox_hours_only_for_reminders",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_due",
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="outbox_sending_claimed"
            ),
            models.Index(fields=["appointment", "status"], name="outbox_appointment_status"),
            models.Index(fields=["practice", "status"], name="outbox_practice_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_channel_display()} ({self.status})"


class SentMessage(models.Model):
    """What the local backend "sent". Unique reference: it dedupes like a real provider."""

    reference = models.UUIDField(unique=True)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient} at {self.sent_at:%d %b %H:%M}"
