from __future__ import annotations

import re
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from common.admin import PracticeScopedAdmin
from records.models import Patient


@admin.register(Patient)
class PatientAdmin(PracticeScopedAdmin):
    """Demographics only: clinical entries are never shown in the admin."""

    practice_lookup = "registered_practice"
    list_display = [
        "family_name",
        "given_name",
        "nhs_number_display",
        "date_of_birth",
        "postcode",
        "registered_practice",
    ]
    list_filter = ["sex", ("preferred_site", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=nhs_number", "family_name", "given_name", "=postcode"]
    date_hierarchy = "registration_date"
    list_select_related = ["registered_practice"]
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # People type NHS numbers as printed, "999 000 0018": search the stored 10 digits.
        if re.fullmatch(r"[0-9][0-9 -]{9,16}", search_term.strip()):
            digits = re.sub(r"[ -]", "", search_term)
            if len(digits) == 10:
                search_term = digits
        return super().get_search_results(request, queryset, search_term)

    fieldsets = [
        (
            "Identity",
            {
                "fields": [
                    "nhs_number",
                    "given_name",
                    "family_name",
                    "date_of_birth",
                    "sex",
                    "date_of_death",
                ]
            },
        ),
        (
            "Contact",
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    "town",
                    "postcode",
                    "mobile",
                    "email",
                    "sms_consent",
                    "email_consent",
                ]
            },
        ),
        (
            "Registration",
            {"fields": ["registered_practice", "preferred_site", "registration_date"]},
        ),
    ]
