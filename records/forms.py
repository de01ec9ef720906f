"""Forms for the clinical and reception patient pages. They only parse input; the record
services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from records.break_glass import BREAK_GLASS_MIN_REASON
from records.clinical import Allergy, Medication, Problem

DATE = forms.DateInput(attrs={"type": "date"})
SNOMED_HELP = "Optional. The SNOMED CT concept id, digits only, for example 59621000."


class CodedForm(forms.Form):
    snomed_concept_id = forms.RegexField(
        label="SNOMED CT code", regex=r"^\d{6,18}$", required=False, help_text=SNOMED_HELP,
        error_messages={"invalid": "A SNOMED CT code is 6 to 18 digits."},
    )
    snomed_term = forms.CharField(label="SNOMED CT term", required=False, max_length=255)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("snomed_concept_id") and not data.get("snomed_term"):
            self.add_error("snomed_term", "Give the term for the SNOMED CT code.")
        return data


class ConsultationForm(CodedForm):
    history = forms.CharField(label="History", widget=forms.Textarea(attrs={"rows": 4}),
                              required=False)
    examination = forms.CharField(label="Examination", widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)
    plan = forms.CharField(label="Plan", widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)

    field_order = ["history", "examination", "plan", "snomed_concept_id", "snomed_term"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(k, "").strip() for k in ("history", "examination", "plan")):
            self.add_error("history", "Write at least one of history, examination or plan.")
        return data


class ProblemForm(CodedForm):
    title = forms.CharField(label="Problem", max_length=255)
    status = forms.ChoiceField(label="Status", choices=Problem.Status.choices,
                               initial=Problem.Status.ACTIVE)
    onset_date = forms.DateField(label="Onset date", required=False, widget=DATE)

    field_order = ["title", "status", "onset_date", "snomed_concept_id", "snomed_term"]


class MedicationForm(CodedForm):
    name = forms.CharField(label="Medication", max_length=255,
                           help_text="Drug, strength and form.")
    dose = forms.CharField(label="Dose", max_length=255,
                           help_text="For example: one tablet once a day.")
    course = forms.ChoiceField(label="Course", choices=Medication.Course.choices)
    start_date = forms.DateField(label="Start date", required=False, widget=DATE)

    field_order = ["name", "dose", "course", "start_date", "snomed_concept_id", "snomed_term"]


class AllergyForm(CodedForm):
    substance = forms.CharField(label="Substance", max_length=255)
    reaction = forms.CharField(label="Reaction", max_length=255, required=False)
    severity = forms.ChoiceField(label="Severity", choices=Allergy.Severity.choices)

    field_order = ["substance", "reaction", "severity", "snomed_concept_id", "snomed_term"]


def _decimal(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=6, decimal_places=1,
                              help_text=help_text)


class ObservationsForm(forms.Form):
    systolic = _decimal("Systolic blood pressure", "mmHg")
    diastolic = _decimal("Diastolic blood pressure", "mmHg")
    pulse = _decimal("Pulse", "beats per minute")
    weight = _decimal("Weight", "kg")
    height = _decimal("Height", "cm")
    temperature = _decimal("Temperature", "°C")
    spo2 = _decimal("Oxygen saturation (SpO2)", "%")


ENTRY_FORMS: dict[str, type[forms.Form]] = {
    "problem": ProblemForm,
    "medication": MedicationForm,
    "allergy": AllergyForm,
}


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this record?", widget=forms.Textarea(attrs={"rows": 3}),
        min_length=BREAK_GLASS_MIN_REASON, max_length=500,
        help_text=f"At least {BREAK_GLASS_MIN_REASON} characters. The patient's practice "
        "manager reviews every break-glass.",
    )
    confirm = forms.BooleanField(
        label="I confirm I need this record to care for the patient now, and that this access "
        "is recorded and reviewed.",
    )


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(label="Why was this entered in error?", min_length=5, max_length=500)


class AmendConsultationForm(ConsultationForm):
    reason = forms.CharField(label="Reason for the amendment", min_length=5, max_length=500)
