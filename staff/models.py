"""People who work at a practice, their role, professional registration and sites."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from practices.models import Practice, Site
from staff.roles import REGISTER_FOR_ROLE, Role
from staff.validators import normalise_registration


def _registration_constraint() -> Q:
    """The database's own check that each role carries the right kind of number."""
    condition = Q(~Q(role__in=list(REGISTER_FOR_ROLE)), registration_number="")
    for role, register in REGISTER_FOR_ROLE.items():
        condition |= Q(role=role, registration_number__regex=f"^{register.pattern}$")
    return condition


class StaffMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff"
    )
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices)
    registration_number = models.CharField(
        max_length=10,
        blank=True,
        help_text="GMC (GP), NMC PIN (nurses, ANPs), HCPC (physio) or GPhC (pharmacist).",
    )
    sites = models.ManyToManyField(Site, related_name="staff", help_text="Where they work.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = "staff member"
        constraints = [
            models.CheckConstraint(
                condition=_registration_constraint(), name="staff_registration_matches_role"
            ),
            models.UniqueConstraint(
                fields=["role", "registration_number"],
                condition=~Q(registration_number=""),
                name="staff_registration_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        full = self.user.get_full_name()
        if self.role == Role.GP and full:
            return f"Dr {full}"
        return full or self.user.get_username()

    def clean(self) -> None:
        self.registration_number = normalise_registration(self.role, self.registration_number)
        if self.registration_number and (
            StaffMember.objects.filter(role=self.role, registration_number=self.registration_number)
            .exclude(pk=self.pk)
            .exists()
        ):
            # The partial unique index is the guarantee; this says it in words.
            raise ValidationError(
                {"registration_number": "Another member of staff already has this number."}
            )


class StaffAccessRequest(models.Model):
    """A request to create a login that can read records, or to change a role: it takes effect
    only when a second authorised person approves it, never the one who asked (ADR 0030,
    "Separation of duties"). The database refuses a decision by the requester."""

    class Kind(models.TextChoices):
        CREATE_LOGIN = "create_login", "New login"
        CHANGE_ROLE = "change_role", "Change of role"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    member = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For a change of role: whose role changes.",
    )
    username = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    registration_number = models.CharField(max_length=10, blank=True)
    sites = models.ManyToManyField(Site, blank=True, related_name="+")
    reason = models.CharField(max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "staff access request"
        permissions = [
            ("approve_staffaccessrequest",
             "Can approve staff access requests (registration authority)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="staff_access_not_decided_by_requester",
            ),
            models.CheckConstraint(
                condition=Q(kind="create_login", member__isnull=True)
                | Q(kind="change_role", member__isnull=False),
                name="staff_access_kind_matches_member",
            ),
        ]

    def __str__(self) -> str:
        who = self.member if self.member_id else self.username
        return f"{self.get_kind_display()}: {who} as {self.get_role_display()}"
