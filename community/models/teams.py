"""Community team members of a locality and the patients they are caring for."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from patients.models import Patient
from practices.models import Locality


class CommunityRole(models.TextChoices):
    COMMUNITY_NURSE = "community_nurse", "Community nurse"
    SOCIAL_WORKER = "social_worker", "Social worker"
    MENTAL_HEALTH_WORKER = "mental_health_worker", "Mental health worker"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector worker"


class CommunityMember(models.Model):
    """Someone in a locality team who does not work for a practice (so is not StaffMember)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="community_member"
    )
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="team")
    role = models.CharField(max_length=30, choices=CommunityRole.choices)
    organisation = models.CharField(
        max_length=200, blank=True, help_text="Employer, e.g. Oxford Health NHS FT or Age UK."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=CommunityRole.values), name="community_member_role_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()}, {self.locality_id})"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class CareTeamAssignment(models.Model):
    """The "caring for" relationship: a team member is caring for a patient, from/until."""

    member = models.ForeignKey(
        CommunityMember, on_delete=models.PROTECT, related_name="assignments"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="care_team_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["member", "patient"],
                condition=Q(ends_on__isnull=True),
                name="care_team_one_open_assignment",
            ),
        ]
        indexes = [models.Index(fields=["patient", "member"], name="care_team_patient_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} caring for {self.patient_id} from {self.starts_on}"

    def is_current_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)
