"""Records API: thin views. Input serializer -> service/selector -> output serializer.

Every decision is the policy's (through the services and selectors, which also audit).
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import NotFound
from patients.selectors import patient_get
from policy.actor import actor_for_request
from records import serializers as s
from records.selectors.history import entry_history
from records.selectors.summary import entries_current, patient_summary
from records.services.break_glass import break_glass_start
from records.services.entries import entry_amend, entry_create, entry_mark_entered_in_error
from records.services.observations import observations_record

ANY_ENTRY = PolymorphicProxySerializer(
    component_name="Entry",
    serializers=list(s.OUTPUT_SERIALIZERS.values()),
    resource_type_field_name=None,
)
ENTRY_TYPE_PARAM = OpenApiParameter(
    "entry_type",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=list(s.OUTPUT_SERIALIZERS),
)


def _valid(serializer_class: type[serializers.Serializer], data: Any, **kw: Any) -> Any:
    serializer = serializer_class(data=data, **kw)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PatientRecordView(APIView):
    @extend_schema(responses=s.SummaryOut)
    def get(self, request: Request, patient_id: int) -> Response:
        summary = patient_summary(
            actor=actor_for_request(request), patient=patient_get(patient_id=patient_id)
        )
        return Response(s.SummaryOut(summary).data)


class EntryCollectionView(APIView):
    """GET: current entries of one type. POST: record a new one."""

    entry_type: ClassVar[str] = ""
    input_serializer: ClassVar[type[serializers.Serializer]]

    def get(self, request: Request, patient_id: int) -> Response:
        entries = entries_current(
            actor=actor_for_request(request),
            patient=patient_get(patient_id=patient_id),
            entry_type=self.entry_type,
        )
        output = s.OUTPUT_SERIALIZERS[self.entry_type]
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(output(page, many=True).data)

    def post(self, request: Request, patient_id: int) -> Response:
        actor = actor_for_request(request)
        patient = patient_get(patient_id=patient_id)
        data = dict(_valid(self.input_serializer, request.data))
        acknowledge = data.pop("acknowledge", False)
        reason = data.pop("acknowledge_reason", "")
        entry = entry_create(
            actor=actor, patient=patient, entry_type=self.entry_type, data=data,
            acknowledge=acknowledge, acknowledge_reason=reason,
        )
        return Response(s.OUTPUT_SERIALIZERS[self.entry_type](entry).data, status=201)


def _collection(
    entry_type: str, input_serializer: type[serializers.Serializer]
) -> type[EntryCollectionView]:
    output = s.OUTPUT_SERIALIZERS[entry_type]
    view: Any = type(
        f"{entry_type.title()}CollectionView",
        (EntryCollectionView,),
        {"entry_type": entry_type, "input_serializer": input_serializer},
    )
    view.get = extend_schema(responses=output(many=True))(view.get)
    responses: dict[int, Any] = {201: output}
    if entry_type == "medication":
        responses[409] = OpenApiResponse(
            description="The drug conflicts with a recorded allergy: error allergy_conflict, "
            "a message naming the allergy and detail.conflicts. Send acknowledge with "
            "acknowledge_reason to prescribe anyway."
        )
    view.post = extend_schema(request=input_serializer, responses=responses)(view.post)
    return view


ConsultationsView = _collection("consultation", s.ConsultationIn)
ProblemsView = _collection("problem", s.ProblemIn)
MedicationsView = _collection("medication", s.MedicationCreateIn)
AllergiesView = _collection("allergy", s.AllergyIn)


class ObservationsView(EntryCollectionView):
    entry_type = "observation"
    input_serializer = s.ObservationsIn

    @extend_schema(responses=s.ObservationOut(many=True))
    def get(self, request: Request, patient_id: int) -> Response:
        return super().get(request, patient_id)

    @extend_schema(request=s.ObservationsIn, responses={201: s.ObservationOut(many=True)})
    def post(self, request: Request, patient_id: int) -> Response:
        actor = actor_for_request(request)
        patient = patient_get(patient_id=patient_id)
        data = _valid(s.ObservationsIn, request.data)
        entries = observations_record(actor=actor, patient=patient, **data)
        return Response(s.ObservationOut(entries, many=True).data, status=201)


def _output(entry_type: str) -> type[s.EntryOut]:
    try:
        return s.OUTPUT_SERIALIZERS[entry_type]
    except KeyError:
        raise NotFound(f"Unknown entry type {entry_type!r}.") from None


class EntryHistoryView(APIView):
    @extend_schema(parameters=[ENTRY_TYPE_PARAM], responses=ANY_ENTRY)
    def get(self, request: Request, patient_id: int, entry_type: str, entry_id: int) -> Response:
        output = _output(entry_type)
        versions = entry_history(
            actor=actor_for_request(request),
            patient=patient_get(patient_id=patient_id),
            entry_type=entry_type,
            entry_id=entry_id,
        )
        return Response({"versions": output(versions, many=True).data})


class EntryAmendView(APIView):
    @extend_schema(parameters=[ENTRY_TYPE_PARAM], request=s.AmendIn, responses={201: ANY_ENTRY})
    def post(self, request: Request, patient_id: int, entry_type: str, entry_id: int) -> Response:
        output = _output(entry_type)
        actor = actor_for_request(request)
        patient = patient_get(patient_id=patient_id)
        body = _valid(s.AmendIn, request.data)
        changes = _valid(s.AMEND_SERIALIZERS[entry_type], body["changes"], partial=True)
        entry = entry_amend(
            actor=actor,
            patient=patient,
            entry_type=entry_type,
            entry_id=entry_id,
            changes=dict(changes),
            reason=body.get("reason", ""),
        )
        return Response(output(entry).data, status=201)


class EntryEnteredInErrorView(APIView):
    @extend_schema(
        parameters=[ENTRY_TYPE_PARAM], request=s.EnteredInErrorIn, responses={201: ANY_ENTRY}
    )
    def post(self, request: Request, patient_id: int, entry_type: str, entry_id: int) -> Response:
        output = _output(entry_type)
        actor = actor_for_request(request)
        patient = patient_get(patient_id=patient_id)
        body = _valid(s.EnteredInErrorIn, request.data)
        entry = entry_mark_entered_in_error(
            actor=actor,
            patient=patient,
            entry_type=entry_type,
            entry_id=entry_id,
            reason=body["reason"],
        )
        return Response(output(entry).data, status=201)


class BreakGlassView(APIView):
    @extend_schema(request=s.BreakGlassIn, responses={201: s.BreakGlassOut})
    def post(self, request: Request, patient_id: int) -> Response:
        actor = actor_for_request(request)
        patient = patient_get(patient_id=patient_id)
        body = _valid(s.BreakGlassIn, request.data)
        grant = break_glass_start(actor=actor, patient=patient, reason=body["reason"])
        return Response(s.BreakGlassOut(grant).data, status=201)
