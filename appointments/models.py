"""The appointment book: types, the rota (session templates), sessions, slots, appointments."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Q

from common.expressions import TsTzRange
from patients.models import Patient
from practices.models import Practice, Site
from staff.models import StaffMember
from staff.roles import Role


class Mode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    TELEPHONE = "telephone", "Telephone"
    VIDEO = "video", "Video"
    HOME_VISIT = "home_visit", "Home visit"


class Channel(models.TextChoices):
    """How a booking was made, and whose view of the book a search takes."""

    RECEPTION = "reception", "Reception"
    PHONE = "phone", "Phone"
    ONLINE = "online", "Online (patient)"
    FEDERATION = "federation", "Federation hub"


class AppointmentType(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="appointment_types"
    )
    name = models.CharField(max_length=100)
    duration_minutes = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.FACE_TO_FACE)
    online_bookable = models.BooleanField(
        default=False, help_text="Patients may book this type themselves online."
    )
    is_routine = models.BooleanField(
        default=True, help_text="Counts towards third next available appointment."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["practice", "name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="appt_type_unique_name"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=240),
                name="appt_type_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min, {self.get_mode_display()})"


class AppointmentTypeRole(models.Model):
    """A staff role that can deliver an appointment type (physio first contact -> physio)."""

    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment_type", "role"], name="appt_type_role_unique"
            )
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class Availability(models.Model):
    """Who may book a slot, and from when. Reception can always book an unembargoed slot.

    ``release_days_before`` / ``release_time`` describe an embargo relative to the slot's day
    (0 days at 08:00 = released on the morning itself). Both empty: released at once.
    """

    online = models.BooleanField("bookable online by patients", default=False)
    federation = models.BooleanField("bookable by other organisations", default=False)
    release_days_before = models.PositiveSmallIntegerField(null=True, blank=True)
    release_time = models.TimeField(null=True, blank=True)

    class Meta:
        abstract = True


class SessionTemplate(Availability):
    """A weekly rota line: a clinician at a site on a weekday, cut into slots."""

    clinician = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="templates")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="templates")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (i, d)
            for i, d in enumerate(
                ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            )
        ]
    )
    start_time = models.TimeField()
    end_time = models.TimeField()
    slot_minutes = models.PositiveSmallIntegerField()
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["clinician", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="template_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="template_weekday_range"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="template_slot_length_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="template_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(release_days_before__isnull=True, release_time__isnull=True)
                | Q(release_days_before__isnull=False, release_time__isnull=False),
                name="template_release_rule_complete",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.clinician} at {self.site}, {self.get_weekday_display()} "
            f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        )

    def clean(self) -> None:
        """Form-level checks for the rota admin (the database checks times and release rule)."""
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        clinician = self.clinician if self.clinician_id else None
        if clinician is not None and self.site_id:
            if self.site.practice_id != clinician.practice_id:
                errors["site"] = "The site belongs to another practice than the clinician."
            elif not clinician.sites.filter(pk=self.site_id).exists():
                errors["site"] = f"{clinician.display_name} does not work at {self.site}."
        if clinician is not None and self.appointment_type_id:
            kind = self.appointment_type
            if kind.practice_id != clinician.practice_id:
                errors["appointment_type"] = "That appointment type belongs to another practice."
            elif not kind.roles.filter(role=clinician.role).exists():
                errors["appointment_type"] = (
                    f"A {clinician.get_role_display().lower()} does not deliver {kind.name}: "
                    "add the role to the appointment type or choose another type."
                )
        if errors:
            raise ValidationError(errors)


class RotaException(models.Model):
    """A dated absence (leave, training, sickness): no slots are generated inside it."""

    class Kind(models.TextChoices):
        LEAVE = "leave", "Annual leave"
        SICKNESS = "sickness", "Sickness"
        TRAINING = "training", "Training"
        OTHER = "other", "Other"

    clinician = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="absences")
    start = models.DateTimeField()
    end = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LEAVE)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["clinician", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="absence_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinician}: {self.get_kind_display()} {self.start:%d %b} - {self.end:%d %b}"


class Session(models.Model):
    """A clinician at a site for a period. Made from a template, or added as an extra session.

    An exclusion constraint refuses two overlapping live sessions for one clinician: nobody
    can be in two places at once.
    """

    clinician = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="sessions")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="sessions")
    start = models.DateTimeField()
    end = models.DateTimeField()
    template = models.ForeignKey(
        SessionTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="session_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["template", "start"], name="session_once_per_template_day"
            ),
            ExclusionConstraint(
                name="session_clinician_no_overlap",
                expressions=[
                    ("clinician", RangeOperators.EQUAL),
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(cancelled=False),
                violation_error_message="The clinician already has a session at that time.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinician} at {self.site} {self.start:%a %d %b %H:%M}-{self.end:%H:%M}"


class Slot(models.Model):
    """A bookable period in a session. Clinician, site and practice are copied for search."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="slots")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    # No single-column indexes on site and clinician: slot_site_start and
    # slot_clinician_start lead with them. A second index on site_id tempted the planner into
    # ANDing two bitmaps for the site search instead of walking slot_open_site_start.
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", db_index=False)
    clinician = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="slots", db_index=False
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    mode = models.CharField(max_length=20, choices=Mode.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    online = models.BooleanField(default=False)
    federation = models.BooleanField(default=False)
    release_at = models.DateTimeField(
        null=True, blank=True, help_text="Embargoed until this moment; empty when released."
    )
    booked = models.BooleanField(
        default=False, help_text="Claimed by a live appointment (kept in step by the services)."
    )
    withdrawn = models.BooleanField(
        default=False,
        help_text="Not offered: the clinician is on leave (recomputed by rota generation).",
    )

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_ends_after_start"),
            models.UniqueConstraint(
                fields=["clinician", "start"], name="slot_unique_clinician_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["practice", "start"],
                condition=Q(booked=False, withdrawn=False),
                name="slot_open_practice_start",
            ),
            models.Index(
                fields=["practice", "start"],
                condition=Q(booked=False, withdrawn=False, online=True),
                name="slot_open_online_start",
            ),
            models.Index(
                fields=["practice", "start"],
                condition=Q(booked=False, withdrawn=False, federation=True),
                name="slot_open_federation_start",
            ),
            models.Index(
                fields=["site", "start"],
                condition=Q(booked=False, withdrawn=False),
                name="slot_open_site_start",
            ),
            models.Index(fields=["site", "start"], name="slot_site_start"),
            models.Index(fields=["clinician", "start"], name="slot_clinician_start"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%a %d %b %H:%M} {self.clinician} at {self.site}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    IN_CONSULTATION = "in_consultation", "In consultation"
    FINISHED = "finished", "Finished"
    CANCELLED_BY_PATIENT = "cancelled_patient", "Cancelled by patient"
    CANCELLED_BY_PRACTICE = "cancelled_practice", "Cancelled by practice"
    DNA = "dna", "Did not attend"


CANCELLED_STATUSES = (
    AppointmentStatus.CANCELLED_BY_PATIENT,
    AppointmentStatus.CANCELLED_BY_PRACTICE,
)
LIVE_CONDITION = ~Q(status__in=CANCELLED_STATUSES)


class Appointment(models.Model):
    """A patient's booking of a slot. At most one live (not cancelled) appointment per slot."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    # patient, clinician and site are looked up through the (x, start) indexes below, which
    # lead with them: single-column indexes too would only cost every booking three writes.
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    # Copied from the slot so that patient overlap and day views need no join.
    clinician = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_from_site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The site the receptionist was working at; empty for online bookings.",
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)
    embargo_override_reason = models.CharField(max_length=300, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=LIVE_CONDITION, name="appointment_one_live_per_slot"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appointment_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=CANCELLED_STATUSES) | ~Q(cancel_reason=""),
                name="appointment_cancel_needs_reason",
            ),
            ExclusionConstraint(
                name="appointment_patient_no_overlap",
                expressions=[
                    ("patient", RangeOperators.EQUAL),
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=LIVE_CONDITION,
                violation_error_message="The patient already has an appointment at that time.",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "start"], name="appointment_patient_start"),
            models.Index(fields=["site", "start"], name="appointment_site_start"),
            models.Index(fields=["clinician", "start"], name="appointment_clinician_start"),
            models.Index(
                fields=["start"], condition=Q(status="booked"), name="appointment_booked_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} with {self.clinician} {self.start:%d %b %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status not in CANCELLED_STATUSES


class AppointmentEvent(models.Model):
    """History of every change to an appointment: booked, moved, status changes."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%d %b %H:%M}"
