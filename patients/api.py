"""Patients API: find a patient and read their demographics (audited by the selectors)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.selectors import patient_demographics, patient_get, patient_search
from patients.serializers import PatientHitOut, PatientOut
from policy.actor import actor_for_request


class PatientSearchView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="name, date of birth, NHS number or postcode"
            )
        ],
        responses=PatientHitOut(many=True),
    )
    def get(self, request: Request) -> Response:
        patients = patient_search(
            actor=actor_for_request(request), q=request.query_params.get("q", "")
        )
        return Response(PatientHitOut(patients, many=True).data)


class PatientDetailView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "via", str, enum=["search"], description="'search' when opened from a search"
            )
        ],
        responses=PatientOut,
    )
    def get(self, request: Request, patient_id: int) -> Response:
        patient = patient_demographics(
            actor=actor_for_request(request),
            patient=patient_get(patient_id=patient_id),
            via_search=request.query_params.get("via") == "search",
        )
        return Response(PatientOut(patient).data)
