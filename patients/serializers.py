"""The patient as the API shows it: a search hit, and the demographics."""

from __future__ import annotations

from rest_framework import serializers

from patients.models import Patient


class PatientHitOut(serializers.ModelSerializer):
    nhs_number = serializers.CharField(source="nhs_number_display")

    class Meta:
        model = Patient
        fields = ["id", "nhs_number", "given_name", "family_name", "date_of_birth", "postcode"]


class PatientOut(serializers.ModelSerializer):
    nhs_number = serializers.CharField(source="nhs_number_display")
    registered_practice = serializers.CharField(source="registered_practice.name")

    class Meta:
        model = Patient
        fields = [
            "id",
            "nhs_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "date_of_death",
            "sex",
            "address",
            "postcode",
            "mobile",
            "email",
            "registered_practice",
            "registration_date",
        ]
