"""`/api/v1/me/` booking and record endpoints: the same selectors, policy and booking services
as the patient pages. The patient is ``?patient=<id>`` (default: the one acted for), always
resolved through ``policy.online``, and appointment ids are looked up only among the user's
patients, so anyone else's ids are a 404."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBase
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import search
from appointments import selectors as appointment_selectors
from appointments.models import Appointment, Slot
from appointments.serializers import MAX_ID
from appointments.services.booking import appointment_book, appointment_cancel
from audit.selectors import as_record_view, record_views_for_patient
from common.api import json_text_response
from common.errors import ServiceError
from online.api.common import PATIENT_PARAM, IsPatientUser, acting_patient
from patients.models import Patient
from policy.actor import Actor, actor_for_request
from records.selectors.online import patient_online_record

OBJ = OpenApiTypes.OBJECT


def _actor_for(request: Request, patient: Patient) -> Actor:
    return dataclasses.replace(actor_for_request(request), requested_patient_id=patient.pk)


def _site(site: Any) -> dict[str, Any]:
    return {"id": site.pk, "name": site.name, "address_line1": site.address_line1,
            "address_line2": site.address_line2, "town": site.town}


def slot_out(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.pk, "start": slot.start, "end": slot.end,
        "appointment_type": {"id": slot.appointment_type_id, "name": slot.appointment_type.name},
        "role": slot.role, "role_display": slot.get_role_display(), "mode": slot.mode,
        "site": _site(slot.site),
    }


def appointment_out(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.pk, "patient": a.patient_id, "start": a.start, "end": a.end,
        "status": a.status, "status_display": a.get_status_display(),
        "appointment_type": a.slot.appointment_type.name,
        "role": a.slot.role, "role_display": a.slot.get_role_display(), "site": _site(a.site),
        "cancel_reason": a.cancel_reason,
    }


class MeBookIn(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class MeCancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class MeSlotQuery(serializers.Serializer):
    type = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    date = serializers.DateField(required=False)


class MeAppointments(APIView):
    permission_classes = [IsPatientUser]

    @extend_schema(responses=OBJ, summary="Your appointments (upcoming first, then past)",
                   parameters=[PATIENT_PARAM])
    def get(self, request: Request) -> Response:
        patient = acting_patient(request)
        upcoming, past = appointment_selectors.patient_upcoming_and_past(patient=patient)
        return Response({"upcoming": [appointment_out(a) for a in upcoming],
                         "past": [appointment_out(a) for a in past]})

    @extend_schema(responses=OBJ, summary="Book a free online slot", parameters=[PATIENT_PARAM],
                   request=MeBookIn)
    def post(self, request: Request) -> Response:
        patient = acting_patient(request)
        data = MeBookIn(data=request.data)
        data.is_valid(raise_exception=True)
        # Not offered to this patient online (other practice, embargoed, past...): as if it
        # did not exist. Taken meanwhile: the booking answers 409, as for staff.
        slot = appointment_selectors.online_slot_for_booking(
            patient=patient, pk=data.validated_data["slot"]
        )
        if slot is None:
            raise Http404
        appointment = appointment_book(
            slot=slot, patient=patient, actor=_actor_for(request, patient), channel="online"
        )
        appointment.site = slot.site  # loaded with the slot: the answer needs no query
        return Response(appointment_out(appointment), status=201)


class MeAppointmentCancel(APIView):
    permission_classes = [IsPatientUser]

    @extend_schema(responses=OBJ, summary="Cancel one of your appointments", request=MeCancelIn)
    def post(self, request: Request, pk: int) -> Response:
        actor = actor_for_request(request)
        appointment = appointment_selectors.patient_appointment(
            patient_ids=actor.patient_ids, pk=pk
        )
        if appointment is None:
            raise Http404
        data = MeCancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        cancelled = appointment_cancel(
            appointment=appointment, actor=_actor_for(request, appointment.patient),
            by="patient", reason=data.validated_data["reason"],
        )
        appointment.status, appointment.cancel_reason = cancelled.status, cancelled.cancel_reason
        return Response(appointment_out(appointment))


class MeSlots(APIView):
    permission_classes = [IsPatientUser]

    @extend_schema(
        responses=OBJ,
        summary="Free online slots at your practice, earliest first",
        parameters=[
            PATIENT_PARAM,
            OpenApiParameter("type", int, description="Appointment type id"),
            OpenApiParameter("site", int, description="Site id"),
            OpenApiParameter("date", datetime.date, description="From this day"),
        ],
    )
    def get(self, request: Request) -> HttpResponseBase:
        patient = acting_patient(request)
        query = MeSlotQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date")
        after = (datetime.datetime.combine(day, datetime.time(0),
                                           tzinfo=timezone.get_current_timezone())
                 if day else None)
        # appointment_selectors.online_slots, the first 50, written as slot_out by PostgreSQL.
        page = search.online_slot_page(
            practice=patient.registered_practice_id, size=50,
            appointment_type=query.validated_data.get("type"),
            site=query.validated_data.get("site"), after=after,
        )
        return json_text_response(request, f'{{"results": {page.results_json}}}')


def _entry(e: Any, **fields: Any) -> dict[str, Any]:
    return {"id": e.pk, "recorded_at": e.recorded_at, **fields}


class MeRecord(APIView):
    permission_classes = [IsPatientUser]

    @extend_schema(responses=OBJ, summary="Your record online (entries since online access began)",
                   parameters=[PATIENT_PARAM])
    def get(self, request: Request) -> Response:
        patient = acting_patient(request)
        r = patient_online_record(actor=_actor_for(request, patient), patient=patient)
        return Response({
            "patient": patient.pk,
            "access_from": r.access_from,
            "allergies": [_entry(e, substance=e.substance, reaction=e.reaction,
                                 severity=e.severity) for e in r.allergies],
            "medications": [_entry(e, name=e.name, dose=e.dose, start_date=e.start_date,
                                   stop_date=e.stop_date) for e in r.medications],
            "problems": [_entry(e, title=e.title, status=e.status, onset_date=e.onset_date)
                         for e in r.problems],
            "observations": [_entry(e, kind=e.kind, reading=e.reading, value=str(e.value),
                                    value2=None if e.value2 is None else str(e.value2),
                                    unit=e.unit, taken_at=e.taken_at)
                             for e in r.observations],
            "consultations": [_entry(e, consulted_at=e.consulted_at, role=e.author_role,
                                     site=e.site.name, history=e.history, plan=e.plan)
                              for e in r.consultations],
        })


class MeAccessLog(APIView):
    permission_classes = [IsPatientUser]

    @extend_schema(responses=OBJ, summary="Staff who looked at your record, newest first",
                   parameters=[PATIENT_PARAM, OpenApiParameter("page", int)])
    def get(self, request: Request) -> Response:
        patient = acting_patient(request)
        paginator = Paginator(record_views_for_patient(patient_id=patient.pk), 25)
        try:
            page = paginator.page(request.query_params.get("page") or 1)
        except Exception:
            raise ServiceError("No such page.") from None
        return Response({
            "count": paginator.count, "page": page.number, "pages": paginator.num_pages,
            "results": [dataclasses.asdict(as_record_view(e)) for e in page.object_list],
        })
