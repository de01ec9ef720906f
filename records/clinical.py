"""The clinical record: consultations, problems, medications, allergies, observations.

Every entry is a *version*. Versions are append-only: an amendment inserts a new version
(``previous`` points at the one it replaces, ``lineage`` is shared by all versions of one
entry) and "entered in error" inserts a final version carrying the reason. Nothing is ever
updated or deleted; PostgreSQL triggers refuse both (see ADR 0031). The current state of an
entry is its version that no other version points at (``next_version`` is empty).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from practices.models import Site
from records.snomed import SCTID_PATTERN_SQL
from records.validation import validate_entry
from records.vocab import ObservationKind
from staff.models import StaffMember
from staff.roles import Role


class Change(models.TextChoices):
    CREATED = "created", "Created"
    AMENDED = "amended", "Amended"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


CODING_AND_FLAGS = ("snomed_concept_id", "snomed_term", "sensitive", "withheld_from_patient")
"""Content every entry type has; copied between versions like the type's own content."""


class ClinicalEntry(models.Model):
    """Bookkeeping shared by every kind of entry: who, where, when, which version, coding."""

    CONTENT_FIELDS: ClassVar[tuple[str, ...]] = ()
    """The clinical content copied from version to version (amendments may change these)."""
    TYPE: ClassVar[str] = ""

    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    change = models.CharField(max_length=20, choices=Change.choices, default=Change.CREATED)
    change_reason = models.CharField(max_length=500, blank=True)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="%(class)ss"
    )
    author = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=20, choices=Role.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    snomed_concept_id = models.CharField("SNOMED CT concept id", max_length=18, blank=True)
    snomed_term = models.CharField("SNOMED CT term", max_length=255, blank=True)
    sensitive = models.BooleanField(default=False, help_text="Shown only to registered clinicians.")
    withheld_from_patient = models.BooleanField(
        default=False, help_text="Not shown to the patient online (e.g. third-party information)."
    )

    class Meta:
        abstract = True
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lineage", "version"], name="%(class)s_one_version_number"
            ),
            models.CheckConstraint(
                condition=Q(version=1, previous__isnull=True, change="created")
                | Q(
                    version__gt=1,
                    previous__isnull=False,
                    change__in=["amended", "entered_in_error"],
                ),
                name="%(class)s_version_chain",
            ),
            models.CheckConstraint(
                condition=~Q(change="entered_in_error") | ~Q(change_reason=""),
                name="%(class)s_error_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(snomed_concept_id="") | Q(snomed_concept_id__regex=SCTID_PATTERN_SQL),
                name="%(class)s_snomed_format",
            ),
            models.CheckConstraint(
                condition=Q(snomed_concept_id="") | ~Q(snomed_term=""),
                name="%(class)s_snomed_term_with_code",
            ),
        ]

    @property
    def entered_in_error(self) -> bool:
        return self.change == Change.ENTERED_IN_ERROR

    def clean(self) -> None:
        validate_entry(self)


class Consultation(ClinicalEntry):
    TYPE = "consultation"
    CONTENT_FIELDS = ("appointment", "consulted_at", "history", "examination", "plan")

    appointment = models.ForeignKey(
        "appointments.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    consulted_at = models.DateTimeField(default=timezone.now)
    history = models.TextField(blank=True)
    examination = models.TextField(blank=True)
    plan = models.TextField(blank=True)

    class Meta(ClinicalEntry.Meta):
        constraints = [
            *ClinicalEntry.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(history="", examination="", plan=""),
                name="consultation_has_content",
            ),
            # One consultation per appointment: later notes are amendments (new versions of
            # the same lineage), so a repeated form submission cannot write a second one.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(version=1, appointment__isnull=False),
                name="consultation_one_per_appointment",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-consulted_at"], name="consultation_pat")]

    def __str__(self) -> str:
        return f"Consultation {self.consulted_at:%d %b %Y} v{self.version}"


class Problem(ClinicalEntry):
    TYPE = "problem"
    CONTENT_FIELDS = ("title", "status", "onset_date", "ended_on")

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAST = "past", "Past"

    title = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    onset_date = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta(ClinicalEntry.Meta):
        constraints = [
            *ClinicalEntry.Meta.constraints,
            models.CheckConstraint(condition=~Q(title=""), name="problem_has_title"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(onset_date__isnull=True)
                | Q(ended_on__gte=F("onset_date")),
                name="problem_ends_after_onset",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="problem_pat")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()}) v{self.version}"


class Medication(ClinicalEntry):
    TYPE = "medication"
    CONTENT_FIELDS = ("name", "dose", "course", "start_date", "stop_date")
    SERVICE_FIELDS = ("allergy_warning", "allergy_override_reason")
    """Carried to each new version, but set only by the service (ADR 0034)."""

    class Course(models.TextChoices):
        ACUTE = "acute", "Acute"
        REPEAT = "repeat", "Repeat"

    name = models.CharField(max_length=255, help_text="Drug, strength and form.")
    dose = models.CharField(max_length=255, help_text="e.g. one tablet once a day.")
    course = models.CharField(max_length=10, choices=Course.choices, default=Course.ACUTE)
    start_date = models.DateField(default=timezone.localdate)
    stop_date = models.DateField(null=True, blank=True)
    # Set only by the service, never from input (not in CONTENT_FIELDS): the allergy warning
    # the prescriber was shown and the reason they gave for going ahead (ADR 0034).
    allergy_warning = models.CharField(max_length=1000, blank=True)
    allergy_override_reason = models.CharField(max_length=500, blank=True)

    class Meta(ClinicalEntry.Meta):
        constraints = [
            *ClinicalEntry.Meta.constraints,
            models.CheckConstraint(condition=~Q(name="") & ~Q(dose=""), name="medication_named"),
            models.CheckConstraint(
                condition=Q(allergy_warning="") | ~Q(allergy_override_reason=""),
                name="medication_allergy_override_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(stop_date__isnull=True) | Q(stop_date__gte=F("start_date")),
                name="medication_stops_after_start",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="medication_pat")]

    def __str__(self) -> str:
        return f"{self.name} {self.dose} v{self.version}"

    def is_current_on(self, day: object) -> bool:
        return self.stop_date is None or self.stop_date >= day  # type: ignore[operator]


class Allergy(ClinicalEntry):
    """An allergy or intolerance, or the explicit statement "no known allergies" (ADR 0034):
    a record with no allergy entries says the question was never asked, not that the answer
    was no."""

    TYPE = "allergy"
    CONTENT_FIELDS = ("status", "substance", "reaction", "severity")

    class Status(models.TextChoices):
        ALLERGY = "allergy", "Allergy or intolerance"
        NONE_KNOWN = "none_known", "No known allergies"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ALLERGY)
    substance = models.CharField(max_length=255)
    reaction = models.CharField(max_length=255, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)

    class Meta(ClinicalEntry.Meta):
        verbose_name_plural = "allergies"
        constraints = [
            *ClinicalEntry.Meta.constraints,
            models.CheckConstraint(condition=~Q(substance=""), name="allergy_has_substance"),
            models.CheckConstraint(
                condition=Q(status="allergy", severity__in=["mild", "moderate", "severe"])
                | Q(status="none_known", severity="", reaction=""),
                name="allergy_severity_unless_none_known",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="allergy_pat")]

    def __str__(self) -> str:
        if self.status == self.Status.NONE_KNOWN:
            return f"No known allergies v{self.version}"
        return f"{self.substance} ({self.severity}) v{self.version}"




class Observation(ClinicalEntry):
    """One measurement. Blood pressure carries systolic in ``value`` and diastolic in ``value2``."""

    TYPE = "observation"
    CONTENT_FIELDS = ("kind", "value", "value2", "unit", "taken_at")

    kind = models.CharField(max_length=20, choices=ObservationKind.choices)
    value = models.DecimalField(max_digits=6, decimal_places=1)
    value2 = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    unit = models.CharField(max_length=10)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta(ClinicalEntry.Meta):
        constraints = [
            *ClinicalEntry.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind="blood_pressure", value2__isnull=False, value2__lt=F("value"))
                | Q(~Q(kind="blood_pressure"), value2__isnull=True),
                name="observation_diastolic_only_for_bp",
            ),
            models.CheckConstraint(condition=Q(value__gt=Decimal(0)), name="observation_positive"),
        ]
        indexes = [
            models.Index(fields=["patient", "kind", "-taken_at"], name="observation_pat_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reading} {self.unit}"

    @property
    def reading(self) -> str:
        """The value as a clinician writes it: ``155/96`` for blood pressure (both numbers,
        always), ``36.8`` or ``72`` otherwise, without a trailing ``.0``."""
        shown = _plain(self.value)
        return f"{shown}/{_plain(self.value2)}" if self.value2 is not None else shown


def _plain(number: Decimal | None) -> str:
    if number is None:
        return ""
    return f"{number:f}".removesuffix(".0") if number == number.to_integral() else f"{number:f}"


ENTRY_MODELS: dict[str, type[ClinicalEntry]] = {
    m.TYPE: m for m in (Consultation, Problem, Medication, Allergy, Observation)
}
