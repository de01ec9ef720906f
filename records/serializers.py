"""Input and output shapes of the records API. No rules here: the services decide."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from appointments.models import Appointment
from patients.serializers import PatientOut
from records.clinical import Allergy, Consultation, Medication, Observation, Problem
from records.models import BreakGlassGrant

# Input -------------------------------------------------------------------------------------


class CodingIn(serializers.Serializer):
    snomed_concept_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    snomed_term = serializers.CharField(required=False, allow_blank=True, max_length=255)
    sensitive = serializers.BooleanField(required=False)
    withheld_from_patient = serializers.BooleanField(required=False)


class ConsultationIn(CodingIn):
    appointment = serializers.PrimaryKeyRelatedField(
        queryset=Appointment.objects.all(), required=False, allow_null=True
    )
    consulted_at = serializers.DateTimeField(required=False)
    history = serializers.CharField(required=False, allow_blank=True)
    examination = serializers.CharField(required=False, allow_blank=True)
    plan = serializers.CharField(required=False, allow_blank=True)


class ProblemIn(CodingIn):
    title = serializers.CharField(max_length=255)
    status = serializers.ChoiceField(choices=Problem.Status.choices, required=False)
    onset_date = serializers.DateField(required=False, allow_null=True)
    ended_on = serializers.DateField(required=False, allow_null=True)


class MedicationIn(CodingIn):
    name = serializers.CharField(max_length=255)
    dose = serializers.CharField(max_length=255)
    course = serializers.ChoiceField(choices=Medication.Course.choices, required=False)
    start_date = serializers.DateField(required=False)
    stop_date = serializers.DateField(required=False, allow_null=True)


class MedicationCreateIn(MedicationIn):
    acknowledge = serializers.BooleanField(
        required=False, default=False,
        help_text="Prescribe despite the allergy warning of a 409 answer (with a reason).",
    )
    acknowledge_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500,
        help_text="Why, when acknowledging an allergy warning. Stored on the entry and audited.",
    )


class AllergyIn(CodingIn):
    status = serializers.ChoiceField(
        choices=Allergy.Status.choices, required=False,
        help_text="none_known records \"no known allergies\" (no substance or severity then).",
    )
    substance = serializers.CharField(max_length=255, required=False, allow_blank=True)
    reaction = serializers.CharField(max_length=255, required=False, allow_blank=True)
    severity = serializers.ChoiceField(
        choices=Allergy.Severity.choices, required=False, allow_blank=True
    )


def _obs_value(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, allow_null=True, **kwargs
    )


class ObservationsIn(serializers.Serializer):
    """A set of observations taken together; give any of them."""

    taken_at = serializers.DateTimeField(required=False)
    systolic = _obs_value(help_text="mmHg")
    diastolic = _obs_value(help_text="mmHg")
    pulse = _obs_value(help_text="beats/min")
    weight = _obs_value(help_text="kg")
    height = _obs_value(help_text="cm")
    temperature = _obs_value(help_text="°C")
    spo2 = _obs_value(help_text="%")


class ObservationAmendIn(CodingIn):
    value = serializers.DecimalField(max_digits=6, decimal_places=1, required=False)
    value2 = _obs_value()
    taken_at = serializers.DateTimeField(required=False)


class AmendIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    changes = serializers.DictField(help_text="The fields to change, as when creating.")


class EnteredInErrorIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class BreakGlassIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


AMEND_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "consultation": ConsultationIn,
    "problem": ProblemIn,
    "medication": MedicationIn,
    "allergy": AllergyIn,
    "observation": ObservationAmendIn,
}

# Output ------------------------------------------------------------------------------------


ENTRY_FIELDS = [
    "id",
    "lineage",
    "version",
    "change",
    "change_reason",
    "author",
    "author_role",
    "site",
    "recorded_at",
    "snomed_concept_id",
    "snomed_term",
    "sensitive",
    "withheld_from_patient",
]


class EntryOut(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True)
    site = serializers.CharField(source="site.name", read_only=True)


class ConsultationOut(EntryOut):
    class Meta:
        model = Consultation
        fields = [*ENTRY_FIELDS, "appointment", "consulted_at", "history", "examination", "plan"]


class ProblemOut(EntryOut):
    class Meta:
        model = Problem
        fields = [*ENTRY_FIELDS, "title", "status", "onset_date", "ended_on"]


class MedicationOut(EntryOut):
    class Meta:
        model = Medication
        fields = [
            *ENTRY_FIELDS, "name", "dose", "course", "start_date", "stop_date",
            "allergy_warning", "allergy_override_reason",
        ]


class AllergyOut(EntryOut):
    class Meta:
        model = Allergy
        fields = [*ENTRY_FIELDS, "status", "substance", "reaction", "severity"]


class ObservationOut(EntryOut):
    class Meta:
        model = Observation
        fields = [*ENTRY_FIELDS, "kind", "value", "value2", "unit", "taken_at"]


OUTPUT_SERIALIZERS: dict[str, type[EntryOut]] = {
    "consultation": ConsultationOut,
    "problem": ProblemOut,
    "medication": MedicationOut,
    "allergy": AllergyOut,
    "observation": ObservationOut,
}


class AlertOut(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()


class SummaryOut(serializers.Serializer):
    patient = PatientOut()
    basis = serializers.CharField(help_text="The basis of access recorded in the audit.")
    alerts = AlertOut(many=True)
    active_problems = ProblemOut(many=True)
    current_medications = MedicationOut(many=True)
    allergies = AllergyOut(many=True)
    allergy_status = serializers.ChoiceField(
        choices=["recorded", "none_known", "not_recorded"],
        help_text="none_known: \"no known allergies\" was recorded; not_recorded: nobody asked.",
    )
    latest_observations = ObservationOut(many=True)
    bmi = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    recent_consultations = ConsultationOut(many=True)
    sensitive_shown = serializers.BooleanField()


class BreakGlassOut(serializers.ModelSerializer):
    class Meta:
        model = BreakGlassGrant
        fields = ["id", "patient", "reason", "started_at", "expires_at"]
