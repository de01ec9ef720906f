"""The reception form for registering a patient and editing demographics. It only parses
input; ``patients.services`` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from patients.models import Patient
from patients.services import DEMOGRAPHIC_FIELDS
from practices.models import Site

BLUR_VALIDATED = ("nhs_number", "postcode", "mobile", "email", "date_of_birth")


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = list(DEMOGRAPHIC_FIELDS)
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        labels = {"nhs_number": "NHS number", "given_name": "Given name",
                  "family_name": "Family name", "mobile": "Mobile number",
                  "email": "Email address", "sms_consent": "Consents to text messages",
                  "email_consent": "Consents to email", "preferred_site": "Preferred site"}
        help_texts = {"nhs_number": "10 digits, for example 999 123 4567",
                      "postcode": "For example OX2 9AS", "mobile": "For example 07400 123456"}

    def __init__(self, *args: Any, practice_id: int, patient_id: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field: Any = self.fields["preferred_site"]
        site_field.queryset = Site.objects.filter(practice_id=practice_id).order_by("name")
        # The model checks these once the form is bound to the patient's practice.
        self.instance.registered_practice_id = practice_id
        url = reverse("reception-patient-validate")
        for name in BLUR_VALIDATED:
            self.fields[name].widget.attrs.update({
                "hx-post": url, "hx-trigger": "blur changed", "hx-include": "closest form",
                "hx-vals": f'{{"validate": "{name}", "patient_id": "{patient_id or ""}"}}',
                "hx-target": "closest .nhsuk-form-group", "hx-swap": "outerHTML",
            })
