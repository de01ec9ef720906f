from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from common.admin import PracticeScopedAdmin, staff_practice_id
from practices.models import Federation, Locality, OpeningHours, Practice, Site


@admin.register(Federation)
class FederationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    search_fields = ["name"]


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code", "federation", "locality"]
    search_fields = ["name", "ods_code"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=staff_practice_id(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The ODS code is the practice's identity, and federation membership decides whose
        # staff may see its patients: neither is the practice manager's to change.
        if request.user.is_superuser:
            return []
        return ["ods_code", "federation", "locality"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Site)
class SiteAdmin(PracticeScopedAdmin):
    list_display = ["name", "practice", "town", "postcode", "phone"]
    list_filter = [("practice", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "postcode", "town"]
    inlines = [OpeningHoursInline]
