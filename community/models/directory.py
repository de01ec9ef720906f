"""The community resource directory shared by the practices of a locality."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import models

from common.expressions import json_list_of
from common.fields import PostcodeField, UKPhoneField
from practices.models import Locality


class Category(models.TextChoices):
    """The fixed list of directory categories (docs/community.md explains each)."""

    ACTIVITY = "activity", "Physical activity"
    ARTS = "arts", "Arts and creativity"
    CARERS = "carers", "Carers"
    EMPLOYMENT = "employment", "Employment and skills"
    FINANCE = "finance", "Finance and debt"
    FOOD = "food", "Food"
    HOUSING = "housing", "Housing"
    ISOLATION = "isolation", "Loneliness and isolation"
    MENTAL_WELLBEING = "mental_wellbeing", "Mental wellbeing"
    VOLUNTEERING = "volunteering", "Learning and volunteering"


class ReferralMethod(models.TextChoices):
    SELF = "self", "Self-referral"
    PHONE = "phone", "By phone"
    FORM = "form", "By referral form"


def new_external_id() -> str:
    return str(uuid.uuid4())


def resource_search_vector() -> SearchVector:
    """The full-text document of an entry. The GIN index (migration 0002) uses this exact SQL."""
    return SearchVector(
        "name", "description", "suits", "organisation_name", "area", config="english"
    )


class Resource(models.Model):
    """One service in the directory (an Open Referral UK ``service``)."""

    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="resources")
    external_id = models.CharField(
        "Open Referral id",
        max_length=100,
        default=new_external_id,
        help_text="The service id used in Open Referral UK files.",
    )
    name = models.CharField(max_length=200)
    description = models.TextField("what it offers")
    categories = models.JSONField(default=list, help_text="Codes from Category.")
    suits = models.TextField("who it suits", blank=True)
    organisation_id = models.UUIDField("organisation id", default=uuid.uuid4)
    organisation_name = models.CharField("organisation", max_length=200)
    organisation_description = models.TextField(blank=True)
    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    area = models.CharField(max_length=100, blank=True, help_text="e.g. Blackbird Leys, Botley")
    postcode = PostcodeField(blank=True)
    opening_times = models.TextField(blank=True)
    phone = UKPhoneField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    referral_method = models.CharField(
        max_length=10, choices=ReferralMethod.choices, default=ReferralMethod.SELF
    )
    cost = models.CharField(max_length=200, blank=True, help_text="e.g. Free, or £3 a session")
    accessibility = models.TextField("accessibility notes", blank=True)
    active = models.BooleanField(default=True)
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="curated_resources"
    )
    last_checked = models.DateField()
    stale_since = models.DateField(
        null=True, blank=True, help_text="Set by the daily stale check; cleared when checked."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "external_id"], name="resource_external_id_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(referral_method__in=ReferralMethod.values),
                name="resource_referral_method_known",
            ),
            models.CheckConstraint(
                condition=json_list_of("categories", sorted(Category.values)),
                name="resource_categories_known",
                violation_error_message="Choose at least one category from the list.",
            ),
        ]
        indexes = [
            models.Index(fields=["locality", "curator", "stale_since"], name="resource_stale_idx"),
            models.Index(fields=["locality", "area"], name="resource_area_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    @property
    def category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(code, code)) for code in self.categories]

    def is_stale_on(self, day: datetime.date, *, stale_after_days: int) -> bool:
        return self.last_checked < day - datetime.timedelta(days=stale_after_days)
