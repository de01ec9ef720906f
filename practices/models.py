"""Organisations: practices (ODS code), their sites and opening hours, and the groups they form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from common.fields import PostcodeField, UKPhoneField
from practices.validators import ODS_PATTERN_SQL, normalise_ods_code


class Federation(models.Model):
    """Practices working together: a GP federation or a primary care network."""

    class Kind(models.TextChoices):
        FEDERATION = "federation", "Federation"
        PCN = "pcn", "Primary care network"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FEDERATION)

    def __str__(self) -> str:
        return self.name


class Locality(models.Model):
    """A geographical grouping of practices with its community teams (e.g. Darwen)."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class Practice(models.Model):
    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code", max_length=6, unique=True, help_text="One letter and five digits, e.g. K84016."
    )
    federation = models.ForeignKey(
        Federation, null=True, blank=True, on_delete=models.PROTECT, related_name="practices"
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="practices"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ods_code__regex=ODS_PATTERN_SQL), name="practice_ods_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    def clean(self) -> None:
        self.ods_code = normalise_ods_code(self.ods_code)


class Site(models.Model):
    """A building where a practice sees patients: the main surgery or a branch."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    address_line1 = models.CharField("address line 1", max_length=200)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = PostcodeField()
    phone = UKPhoneField(blank=True)

    class Meta:
        ordering = ["practice__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "name"], name="site_name_unique_in_practice"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)


class OpeningHours(models.Model):
    """One opening period of a site on a weekday; a day may have several (e.g. around lunch)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["site", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="opening_closes_after_opens"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_weekday_range"),
            models.UniqueConstraint(
                fields=["site", "weekday", "opens"], name="opening_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        # Said here in words; the database's CHECK constraint is the backstop.
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": "The closing time must be after the opening time."})
