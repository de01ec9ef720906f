"""Forms for the clinical and reception patient pages. They only parse input; the record
services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from records.break_glass import BREAK_GLASS_MIN_REASON
from records.clinical import Allergy, Medication, Problem
from records.services.allergies import OVERRIDE_MIN_REASON
from terminology.selectors import concepts_with_term

DATE = forms.DateInput(attrs={"type": "date"})
CODED_HELP = (
    "Optional. Start typing and choose from the list, e.g. \"hypert\" for Essential "
    "hypertension. It is recorded with its SNOMED CT code."
)


class CodedForm(forms.Form):
    """A coded field: the clinician types a term and picks it from the SNOMED CT search list
    (``terminology:options``); the code is found from the term, never typed. A code already
    held (amending) travels in a hidden field."""

    SCOPE = ""
    snomed_concept_id = forms.RegexField(
        regex=r"^\d{6,18}$", required=False, widget=forms.HiddenInput,
        error_messages={"invalid": "A SNOMED CT code is 6 to 18 digits."},
    )
    snomed_term = forms.CharField(label="Coded as (SNOMED CT)", required=False, max_length=255,
                                  help_text=CODED_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = f"{self.add_prefix('snomed_term')}-options"
        url = reverse("terminology:options")
        self.fields["snomed_term"].widget.attrs.update({
            "list": options,
            "autocomplete": "off",
            "hx-get": f"{url}?scope={self.SCOPE}" if self.SCOPE else url,
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{options}",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        })
        self.options_id = options

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        term = " ".join((data.get("snomed_term") or "").split())
        if data.get("snomed_concept_id") and not term:
            self.add_error("snomed_term", "Give the term for the SNOMED CT code.")
        elif term and not data.get("snomed_concept_id"):
            matches = concepts_with_term(term=term, scope=self.SCOPE)
            if not matches:
                self.add_error(
                    "snomed_term",
                    f"No SNOMED CT concept has the term \"{term}\": choose one from the list "
                    "as you type, or leave it empty.",
                )
            elif len(matches) > 1 and (
                matches[0].preferred_term.lower() != term.lower()
                or matches[1].preferred_term.lower() == term.lower()
            ):
                self.add_error(
                    "snomed_term",
                    f"\"{term}\" is the term of more than one concept: choose a longer term.",
                )
            else:
                data["snomed_concept_id"] = matches[0].pk
                data["snomed_term"] = term
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
    SCOPE = "problem"
    title = forms.CharField(label="Problem", max_length=255)
    status = forms.ChoiceField(label="Status", choices=Problem.Status.choices,
                               initial=Problem.Status.ACTIVE)
    onset_date = forms.DateField(label="Onset date", required=False, widget=DATE)

    field_order = ["title", "status", "onset_date", "snomed_concept_id", "snomed_term"]


class MedicationForm(CodedForm):
    SCOPE = "medication"
    name = forms.CharField(label="Medication", max_length=255,
                           help_text="Drug, strength and form.")
    dose = forms.CharField(label="Dose", max_length=255,
                           help_text="For example: one tablet once a day.")
    course = forms.ChoiceField(label="Course", choices=Medication.Course.choices)
    start_date = forms.DateField(label="Start date", required=False, widget=DATE)

    field_order = ["name", "dose", "course", "start_date", "snomed_concept_id", "snomed_term"]


class AllergyForm(CodedForm):
    SCOPE = "allergy"
    status = forms.ChoiceField(
        label="Record", choices=Allergy.Status.choices, initial=Allergy.Status.ALLERGY,
        help_text="\"No known allergies\" says you asked: an empty list says nobody did.",
    )
    substance = forms.CharField(label="Substance", max_length=255, required=False)
    reaction = forms.CharField(label="Reaction", max_length=255, required=False)
    severity = forms.ChoiceField(
        label="Severity", choices=[("", "Choose"), *Allergy.Severity.choices], required=False
    )

    field_order = ["status", "substance", "reaction", "severity", "snomed_concept_id",
                   "snomed_term"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == Allergy.Status.NONE_KNOWN:
            for name in ("substance", "reaction", "severity", "snomed_term"):
                if data.get(name):
                    self.add_error(name, "Leave this empty for \"no known allergies\".")
        else:
            if not data.get("substance"):
                self.add_error("substance", "Name the substance.")
            if not data.get("severity"):
                self.add_error("severity", "Choose the severity.")
        return data


class AllergyAcknowledgeForm(forms.Form):
    """Shown with an allergy warning on the medication sub-form: go ahead, and why."""

    acknowledge = forms.BooleanField(
        label="I have read the allergy warning and still want to prescribe this", required=False
    )
    reason = forms.CharField(
        label="Why prescribe despite the allergy?", required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"At least {OVERRIDE_MIN_REASON} characters. Recorded on the medication "
        "and in the audit trail.",
    )


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
