"""What every patient API view shares: the patient-user permission and the patient acted for
(``?patient=<id>``, always resolved through the scoping function, so other ids are a 404)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions
from rest_framework.request import Request

from patients.models import Patient
from policy.actor import actor_for_request
from policy.online import patient_actable_by

PATIENT_PARAM = OpenApiParameter(
    "patient", int, description="Patient id (default: the patient you are acting for)."
)


class IsPatientUser(permissions.BasePermission):
    message = "This is for patients with an online account."

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated
                    and actor_for_request(request).is_patient_user)


def acting_patient(request: Request) -> Patient:
    requested = request.query_params.get("patient")
    if requested is not None:
        return patient_actable_by(request.user, requested)
    return patient_actable_by(request.user, actor_for_request(request).acting_for_id)
