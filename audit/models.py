"""The audit trail: who looked at or changed whose record, on what basis. Append-only.

The application refuses to change or delete rows (``save``/``delete`` and the queryset's
``update``/``delete`` raise) and PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE, so
neither a bug nor a person with a database login through the app can rewrite history.
A break-glass review is a separate row pointing at the event, never an edit of the event.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from practices.models import Practice, Site


class AuditAction(models.TextChoices):
    VIEW_DEMOGRAPHICS = "view_demographics", "Viewed demographics"
    SEARCH_HIT_OPENED = "search_hit_opened", "Opened a search result"
    VIEW_SUMMARY = "view_summary", "Viewed record summary"
    VIEW_RECORD = "view_record", "Viewed record entries"
    CREATE = "create", "Created an entry"
    AMEND = "amend", "Amended an entry"
    ENTERED_IN_ERROR = "entered_in_error", "Marked an entry entered in error"
    BREAK_GLASS = "break_glass", "Break-glass access"
    REFUSED = "refused", "Refused"
    EXPORT = "export", "Exported"
    STAFF_ACCESS_REQUESTED = "staff_access_requested", "Asked for staff access"
    STAFF_ACCESS_GRANTED = "staff_access_granted", "Granted staff access"
    STAFF_ACCESS_REJECTED = "staff_access_rejected", "Rejected a staff access request"
    VIEW_AUDIT = "view_audit", "Viewed the audit trail"
    BOOKED = "booked", "Booked an appointment"
    CANCELLED = "cancelled", "Cancelled an appointment"
    RESCHEDULED = "rescheduled", "Moved an appointment"
    NOTE_CHANGED = "note_changed", "Changed an appointment's note"
    ARRIVED = "arrived", "Marked arrived"
    STARTED = "started", "Started a consultation"
    FINISHED = "finished", "Finished a consultation"
    DNA = "dna", "Marked did not attend"


# Who asked for, granted or refused a login or role (the manager's review page lists them).
STAFF_ACCESS_ACTIONS = (
    AuditAction.STAFF_ACCESS_REQUESTED,
    AuditAction.STAFF_ACCESS_GRANTED,
    AuditAction.STAFF_ACCESS_REJECTED,
)


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an append-only row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: update refused.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: delete refused.")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed or deleted by the application."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only: update refused.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: delete refused.")


class AuditEvent(AppendOnlyModel):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="As it was at the time.")
    role = models.CharField(max_length=20, blank=True, help_text="Role at the time; empty if none.")
    actor_practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    patient_practice = models.ForeignKey(
        Practice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The patient's registered practice at the time: whose manager reviews it.",
    )
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    basis = models.CharField(
        max_length=200, help_text="Basis of access, e.g. own_practice, or refused: reason."
    )
    detail = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(basis=""), name="audit_basis_required"),
        ]
        indexes = [
            models.Index(fields=["patient_practice", "-at"], name="audit_practice_at"),
            models.Index(fields=["patient", "-at"], name="audit_patient_at"),
            models.Index(fields=["user", "-at"], name="audit_user_at"),
            models.Index(
                fields=["patient_practice", "-at"],
                condition=Q(action="break_glass"),
                name="audit_break_glass_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.basis}"

    @property
    def role_label(self) -> str:
        """The role, in words ("Practice nurse"), as the manager reads it."""
        from staff.roles import Role

        labels = {**dict(Role.choices), "patient": "Patient or proxy online"}
        return str(labels.get(self.role, self.role))


class BreakGlassReview(AppendOnlyModel):
    """The practice manager's review of one break-glass event."""

    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="review")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"Review of event {self.event_id}"
