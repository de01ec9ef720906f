"""The patient: identity and demographics, the one row every other part of Dovetail points at.

The clinical record is in ``records``; online accounts, registration letters and proxies are in
``online``. The table keeps the name it was created with (``records_patient``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from common.fields import PostcodeField, UKMobileField
from patients.nhs_number import NHSNumberField, format_nhs_number
from practices.models import Practice, Site


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        INDETERMINATE = "indeterminate", "Indeterminate"
        UNKNOWN = "unknown", "Not known"

    nhs_number = NHSNumberField(unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=15, choices=Sex.choices)
    address_line1 = models.CharField("address line 1", max_length=200)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = PostcodeField()
    mobile = UKMobileField(blank=True)
    email = models.EmailField(blank=True)
    sms_consent = models.BooleanField("consents to SMS", default=False)
    email_consent = models.BooleanField("consents to email", default=False)
    registered_practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="patients"
    )
    preferred_site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registration_date = models.DateField(default=datetime.date.today)
    date_of_death = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "records_patient"  # created by the records app (patients migration 0003)
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nhs_number__regex=r"^[0-9]{10}$"), name="patient_nhs_number_digits"
            ),
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_death__gte=models.F("date_of_birth")),
                name="patient_death_after_birth",
            ),
            models.CheckConstraint(
                condition=Q(registration_date__gte=models.F("date_of_birth")),
                name="patient_registered_after_birth",
            ),
            models.CheckConstraint(
                condition=~Q(sms_consent=True, mobile=""), name="patient_sms_consent_needs_mobile"
            ),
            models.CheckConstraint(
                condition=~Q(email_consent=True, email=""),
                name="patient_email_consent_needs_email",
            ),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["postcode"], name="patient_postcode_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name} ({self.nhs_number_display})"

    @property
    def nhs_number_display(self) -> str:
        return format_nhs_number(self.nhs_number)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_deceased(self) -> bool:
        return self.date_of_death is not None

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.date_of_birth and self.date_of_birth > today:
            errors["date_of_birth"] = "The date of birth cannot be in the future."
        if self.date_of_death and self.date_of_death > today:
            errors["date_of_death"] = "The date of death cannot be in the future."
        if self.date_of_birth and self.date_of_death and self.date_of_death < self.date_of_birth:
            errors["date_of_death"] = "The date of death cannot be before the date of birth."
        born, registered = self.date_of_birth, self.registration_date
        if born and registered and registered < born:
            errors["registration_date"] = (
                "The registration date cannot be before the date of birth."
            )
        if self.sms_consent and not self.mobile:
            errors["sms_consent"] = "Add a mobile number before consenting to SMS."
        if self.email_consent and not self.email:
            errors["email_consent"] = "Add an email address before consenting to email."
        if (
            self.preferred_site is not None
            and self.registered_practice_id
            and self.preferred_site.practice_id != self.registered_practice_id
        ):
            errors["preferred_site"] = "The preferred site must belong to the registered practice."
        if errors:
            raise ValidationError(errors)
