"""Break-glass grants: a stated reason that opens one patient's record to one user for a while."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

BREAK_GLASS_HOURS = 4
BREAK_GLASS_MIN_REASON = 20


class BreakGlassGrant(models.Model):
    """Inserted once and never changed (triggers refuse UPDATE/DELETE); it simply expires."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.CharField(max_length=500)
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("started_at"))
                & Q(expires_at__lte=F("started_at") + datetime.timedelta(hours=12)),
                name="break_glass_time_limited",
            ),
            models.CheckConstraint(
                condition=Q(reason__regex=rf"^\s*\S.{{{BREAK_GLASS_MIN_REASON - 2},}}\S\s*$"),
                name="break_glass_reason_length",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "patient", "-expires_at"], name="break_glass_lookup")
        ]

    def __str__(self) -> str:
        return f"Break-glass {self.user_id} -> patient {self.patient_id} until {self.expires_at}"
