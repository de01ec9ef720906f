from __future__ import annotations

from django.contrib import admin

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
    list_filter = ["sex", "preferred_site"]
    search_fields = ["=nhs_number", "family_name", "given_name", "=postcode"]
    date_hierarchy = "registration_date"
    list_select_related = ["registered_practice"]
    show_full_result_count = False
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
