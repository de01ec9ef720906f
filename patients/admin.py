from __future__ import annotations

import re
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from common.admin import PracticeScopedAdmin
from common.errors import PermissionRefused
from patients.models import Patient
from policy.actor import actor_for_request


@admin.register(Patient)
class PatientAdmin(PracticeScopedAdmin):
    """Demographics only: clinical entries are never shown (or registered) in the admin.

    Opening a patient asks the records policy and is audited like any other demographics view.
    """

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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Only demographics are edited here, through the audited services; the registration
        (practice, date) is set by the service and never moved from the admin."""
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["registered_practice", "registration_date"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Registering and changing a patient go through ``patients.services``: the policy
        decides and the write is audited, as at the reception desk."""
        from patients.services import (
            DEMOGRAPHIC_FIELDS,
            patient_register,
            patient_update_demographics,
        )

        actor = actor_for_request(request)
        data = {k: v for k, v in form.cleaned_data.items() if k in DEMOGRAPHIC_FIELDS}
        try:
            if change:
                original = Patient.objects.select_related("registered_practice").get(pk=obj.pk)
                patient_update_demographics(actor=actor, patient=original, data=data)
            else:
                obj.pk = patient_register(actor=actor, data=data).pk
        except PermissionRefused as exc:
            raise PermissionDenied(exc.message) from None

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        from patients.selectors import patient_demographics

        patient = super().get_object(request, object_id, from_field)
        if patient is None:
            return None
        try:
            patient_demographics(actor=actor_for_request(request), patient=patient)
        except PermissionRefused as exc:
            raise PermissionDenied(exc.message) from None
        return patient
