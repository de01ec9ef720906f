"""Social prescribing referrals, contacts logged by the link worker, and four-week follow-ups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from common.expressions import json_list_of
from community.models.directory import Resource
from patients.models import Patient
from practices.models import Locality, Practice
from staff.models import StaffMember

SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING = "871731000000106"
SNOMED_SOCIAL_PRESCRIBING_DECLINED = "871711000000103"
SNOMED_TERMS = {
    SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING: "Referral to social prescribing service",
    SNOMED_SOCIAL_PRESCRIBING_DECLINED: "Social prescribing declined",
}


class Need(models.TextChoices):
    ISOLATION = "isolation", "Loneliness and isolation"
    CARER = "carer", "Caring for someone"
    FINANCE = "finance", "Money and debt"
    ACTIVITY = "activity", "Physical activity"
    HOUSING = "housing", "Housing"
    MENTAL_WELLBEING = "mental_wellbeing", "Mental wellbeing"


class Referral(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DECLINED = "declined", "Declined by the patient"
        CLOSED = "closed", "Closed"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    # The patient's practice and its locality when referred: the report groups by these.
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referred_on = models.DateField()
    link_worker = models.ForeignKey(
        StaffMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
        help_text="The link worker who holds the referral.",
    )
    resource = models.ForeignKey(
        Resource,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="The resource the patient was referred to, if any yet.",
    )
    needs = models.JSONField(default=list, help_text="Codes from Need.")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    snomed_code = models.CharField(
        "SNOMED CT concept", max_length=18, default=SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING
    )
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(link_worker__isnull=False) | Q(resource__isnull=False),
                name="referral_to_link_worker_or_resource",
            ),
            models.CheckConstraint(
                condition=Q(status="declined", snomed_code=SNOMED_SOCIAL_PRESCRIBING_DECLINED)
                | (
                    ~Q(status="declined")
                    & Q(snomed_code=SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING)
                ),
                name="referral_snomed_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("referred_on")),
                name="referral_closed_after_referred",
            ),
            models.CheckConstraint(
                condition=json_list_of("needs", list(Need.values)),
                name="referral_needs_known",
                violation_error_message="Choose at least one need from the list.",
            ),
        ]
        indexes = [
            models.Index(fields=["link_worker", "status"], name="referral_caseload_idx"),
            models.Index(fields=["practice", "referred_on"], name="referral_practice_idx"),
            models.Index(fields=["locality", "referred_on"], name="referral_locality_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} for patient {self.patient_id} on {self.referred_on}"

    @property
    def snomed_term(self) -> str:
        return SNOMED_TERMS.get(self.snomed_code, "")

    @property
    def need_labels(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels.get(code, code)) for code in self.needs]


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Telephone"
    FACE_TO_FACE = "face_to_face", "Face to face"
    HOME_VISIT = "home_visit", "Home visit"
    VIDEO = "video", "Video"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class ReferralContact(models.Model):
    """A contact the link worker had with (or attempted with) the patient."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="contacts")
    contacted_on = models.DateField()
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    note = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contacted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.contacted_on}"


class Outcome(models.TextChoices):
    STILL_ATTENDING = "still_attending", "Still attending"
    STOPPED = "stopped", "Stopped"
    NEVER_STARTED = "never_started", "Never started"


class WellbeingScale(models.TextChoices):
    NONE = "", "No wellbeing score"
    ONS4 = "ons4", "ONS4 personal wellbeing (four questions, 0 to 10)"
    SWEMWBS = "swemwbs", "Short Warwick-Edinburgh (SWEMWBS, seven items, 1 to 5)"


def _between(field: str, low: int, high: int) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


class FollowUp(models.Model):
    """The four-week follow-up of a referral: one per referral, created by the daily job."""

    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, related_name="follow_up"
    )
    due_on = models.DateField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    stopped_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    wellbeing_scale = models.CharField(
        max_length=10, choices=WellbeingScale.choices, blank=True, default=""
    )
    # ONS4: life satisfaction, worthwhile, happiness (high is good), anxiety (low is good).
    ons4_satisfied = models.PositiveSmallIntegerField(null=True, blank=True)
    ons4_worthwhile = models.PositiveSmallIntegerField(null=True, blank=True)
    ons4_happy = models.PositiveSmallIntegerField(null=True, blank=True)
    ons4_anxious = models.PositiveSmallIntegerField(null=True, blank=True)
    # SWEMWBS: the seven item answers (1-5) and their raw sum (7-35). The raw score is stored
    # as it is: the published Rasch conversion to metric scores is not applied (ADR 0072).
    swemwbs_items = models.JSONField(null=True, blank=True)
    swemwbs_raw = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                name="follow_up_outcome_known",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", recorded_at__isnull=True, recorded_by__isnull=True)
                | (~Q(outcome="") & Q(recorded_at__isnull=False, recorded_by__isnull=False)),
                name="follow_up_outcome_recorded_with_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="stopped") | ~Q(stopped_reason=""),
                name="follow_up_stopped_needs_reason",
            ),
            models.CheckConstraint(
                condition=_between("ons4_satisfied", 0, 10)
                & _between("ons4_worthwhile", 0, 10)
                & _between("ons4_happy", 0, 10)
                & _between("ons4_anxious", 0, 10),
                name="follow_up_ons4_range",
            ),
            models.CheckConstraint(
                condition=_between("swemwbs_raw", 7, 35), name="follow_up_swemwbs_range"
            ),
            models.CheckConstraint(
                condition=Q(swemwbs_items__isnull=True)
                | json_list_of("swemwbs_items", [1, 2, 3, 4, 5], length=7),
                name="follow_up_swemwbs_items",
                violation_error_message="SWEMWBS needs seven answers, each 1 to 5.",
            ),
            models.CheckConstraint(
                condition=~Q(wellbeing_scale="ons4")
                | Q(
                    ons4_satisfied__isnull=False,
                    ons4_worthwhile__isnull=False,
                    ons4_happy__isnull=False,
                    ons4_anxious__isnull=False,
                ),
                name="follow_up_ons4_complete",
            ),
            models.CheckConstraint(
                condition=~Q(wellbeing_scale="swemwbs") | Q(swemwbs_raw__isnull=False),
                name="follow_up_swemwbs_complete",
            ),
        ]
        indexes = [models.Index(fields=["assigned_to", "outcome"], name="follow_up_todo_idx")]

    def __str__(self) -> str:
        return f"Follow-up of referral {self.referral_id} due {self.due_on}"

    @property
    def is_recorded(self) -> bool:
        return bool(self.outcome)
