"""`/api/v1/me/`: the signed-in patient user, the patients they may act for, and contact
preferences. The patient is chosen with ``?patient=<id>`` (default: the one being acted for)
and always resolved through the scoping function, so other ids are a 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from online import services
from online.api.common import PATIENT_PARAM, IsPatientUser, acting_patient
from patients.models import Patient
from policy.actor import actor_for_request
from policy.identity import patients_actable_by


class PatientSummaryOut(serializers.Serializer):
    id = serializers.IntegerField()
    nhs_number = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    relationship = serializers.ChoiceField(choices=["self", "proxy"])
    practice = serializers.CharField()


class MeOut(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    acting_for = serializers.IntegerField(allow_null=True)
    patients = PatientSummaryOut(many=True)


class PreferencesSerializer(serializers.Serializer):
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=32)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    sms_consent = serializers.BooleanField(required=False)
    email_consent = serializers.BooleanField(required=False)


class Me(APIView):
    permission_classes = [IsPatientUser]

    @extend_schema(summary="Who am I, and which patients can I act for", responses=MeOut)
    def get(self, request: Request) -> Response:
        if request.query_params.get("patient") is not None:
            acting_patient(request)  # the same rule everywhere: a foreign id is a 404
        actor = actor_for_request(request)
        user: Any = request.user
        patients = patients_actable_by(request.user).select_related("registered_practice")
        return Response({
            "email": user.email,
            "name": user.get_full_name(),
            "acting_for": actor.acting_for_id,
            "patients": [
                {
                    "id": p.pk, "nhs_number": p.nhs_number, "given_name": p.given_name,
                    "family_name": p.family_name, "date_of_birth": p.date_of_birth,
                    "relationship": "self" if p.pk == actor.own_patient_id else "proxy",
                    "practice": p.registered_practice.name,
                }
                for p in patients.order_by("pk")
            ],
        })


class MePreferences(APIView):
    permission_classes = [IsPatientUser]

    @staticmethod
    def _out(patient: Patient) -> dict[str, Any]:
        return {"patient": patient.pk, "mobile": patient.mobile, "email": patient.email,
                "sms_consent": patient.sms_consent, "email_consent": patient.email_consent}

    @extend_schema(summary="Contact preferences", parameters=[PATIENT_PARAM],
                   responses=PreferencesSerializer)
    def get(self, request: Request) -> Response:
        return Response(self._out(acting_patient(request)))

    @extend_schema(summary="Change contact preferences (consent needs the contact detail)",
                   parameters=[PATIENT_PARAM], request=PreferencesSerializer,
                   responses=PreferencesSerializer)
    def patch(self, request: Request) -> Response:
        patient = acting_patient(request)
        data = PreferencesSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = services.contact_preferences_update(
            patient=patient, changed_by=request.user, **data.validated_data
        )
        return Response(self._out(updated))
