"""Forms for community pages. They only parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from community.models import (
    Category,
    ContactMethod,
    Need,
    Outcome,
    ReferralMethod,
    Resource,
)
from patients.nhs_number import normalise_nhs_number

DATE = forms.DateInput(attrs={"type": "date"})


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label="Words", required=False, max_length=200,
                        help_text="For example: walking, carers, debt")
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Any category"), *Category.choices]
    )
    area = forms.CharField(label="Area", required=False, max_length=100,
                           help_text="For example: Botley, Cowley")


class ResourceForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label="Categories", choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    website = forms.URLField(label="Website", required=False, max_length=200,
                             assume_scheme="https")

    class Meta:
        model = Resource
        fields = [
            "name", "description", "categories", "suits", "organisation_name", "address_line1",
            "address_line2", "town", "area", "postcode", "opening_times", "phone", "email",
            "website", "referral_method", "cost", "accessibility", "active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "suits": forms.Textarea(attrs={"rows": 2}),
            "opening_times": forms.Textarea(attrs={"rows": 2}),
            "accessibility": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        method = self.fields["referral_method"]
        assert isinstance(method, forms.ChoiceField)
        method.choices = ReferralMethod.choices

    def _post_clean(self) -> None:
        """Model validation happens in the service, so the form stays a parser."""


class ImportForm(forms.Form):
    file = forms.FileField(label="Open Referral UK JSON file",
                           help_text="A list of services, or an ORUK API page, up to 5 MB")


class ReferralForm(forms.Form):
    nhs_number = forms.CharField(label="Patient's NHS number", max_length=12,
                                 help_text="For example, 999 123 4564")
    needs = forms.MultipleChoiceField(
        label="What matters to the patient", choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    link_worker = forms.TypedChoiceField(label="Link worker", required=False, coerce=int,
                                         empty_value=None)
    resource = forms.TypedChoiceField(label="Or refer straight to a resource", required=False,
                                      coerce=int, empty_value=None)
    note = forms.CharField(label="Note for the link worker", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, link_workers: Any = (), resources: Any = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        link_worker, resource = self.fields["link_worker"], self.fields["resource"]
        assert isinstance(link_worker, forms.ChoiceField)
        assert isinstance(resource, forms.ChoiceField)
        link_worker.choices = [("", "None")] + [
            (lw.pk, f"{lw.display_name} ({lw.practice.name})") for lw in link_workers
        ]
        resource.choices = [("", "None")] + [(r.pk, r.name) for r in resources]

    def clean_nhs_number(self) -> str:
        return normalise_nhs_number(self.cleaned_data["nhs_number"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("link_worker") and not data.get("resource"):
            raise forms.ValidationError("Choose a link worker, a resource, or both.")
        return data


class ContactForm(forms.Form):
    contacted_on = forms.DateField(label="Date of contact", widget=DATE)
    method = forms.ChoiceField(label="How", choices=ContactMethod.choices)
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}))


SCORE_CHOICES = [("", "Not asked"), ("ons4", "ONS4"), ("swemwbs", "SWEMWBS")]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Is the patient still using the service?",
                                choices=Outcome.choices, widget=forms.RadioSelect)
    stopped_reason = forms.CharField(label="If they stopped, why?", required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    scale = forms.ChoiceField(label="Wellbeing score", choices=SCORE_CHOICES, required=False)
    ons4_satisfied = forms.IntegerField(
        label="ONS4: how satisfied are you with your life nowadays? (0 to 10)",
        required=False, min_value=0, max_value=10)
    ons4_worthwhile = forms.IntegerField(
        label="ONS4: how worthwhile are the things you do? (0 to 10)",
        required=False, min_value=0, max_value=10)
    ons4_happy = forms.IntegerField(
        label="ONS4: how happy did you feel yesterday? (0 to 10)",
        required=False, min_value=0, max_value=10)
    ons4_anxious = forms.IntegerField(
        label="ONS4: how anxious did you feel yesterday? (0 to 10)",
        required=False, min_value=0, max_value=10)
    swemwbs = forms.CharField(
        label="SWEMWBS: the seven answers, 1 to 5, separated by spaces", required=False,
        help_text="For example: 3 4 3 2 4 3 3")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scale = data.get("scale")
        data["ons4"] = None
        data["swemwbs_items"] = None
        if scale == "ons4":
            answers = [data.get(f"ons4_{n}") for n in ("satisfied", "worthwhile", "happy",
                                                       "anxious")]
            if any(a is None for a in answers):
                raise forms.ValidationError("Answer all four ONS4 questions.")
            data["ons4"] = answers
        elif scale == "swemwbs":
            try:
                items = [int(x) for x in (data.get("swemwbs") or "").replace(",", " ").split()]
            except ValueError:
                items = []
            if len(items) != 7 or any(not 1 <= i <= 5 for i in items):
                self.add_error("swemwbs", "Enter seven answers, each from 1 to 5.")
            data["swemwbs_items"] = items
        return data


class ReportFilterForm(forms.Form):
    start = forms.DateField(label="Referred from", required=False, widget=DATE)
    end = forms.DateField(label="Referred to", required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date must be before the end date.")
        return data
