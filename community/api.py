"""The community API under /api/v1/community/. Same policy and services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community import selectors
from community.models import CommunityMember, FollowUp, Referral, Resource
from community.serializers import (
    CareTeamAssignmentSerializer,
    CareTeamAssignSerializer,
    FollowUpSerializer,
    OutcomeSerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
    ReportFilterSerializer,
    ResourceSearchSerializer,
    ResourceSerializer,
)
from community.services.follow_ups import follow_up_record_outcome
from community.services.imports import ImportRefused, directory_import
from community.services.referrals import referral_create, referral_decline
from community.services.teams import care_team_assign
from patients.models import Patient
from policy.actor import Actor, actor_for_request
from policy.community import (
    care_team_visible_to,
    locality_id_for,
    may_record_outcome,
    may_view_report,
    referrals_visible_to,
    report_scope,
)
from staff.models import StaffMember


def _locality(actor: Actor) -> int:
    locality_id = locality_id_for(actor)
    if locality_id is None:
        raise PermissionDenied("You are not in a locality with a shared directory.")
    return locality_id


class ResourceList(generics.ListAPIView):
    serializer_class = ResourceSerializer

    def get_queryset(self) -> Any:
        actor = actor_for_request(self.request)
        params = ResourceSearchSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        return selectors.resources_search(
            locality_id=_locality(actor), words=data.get("q", ""),
            category=data.get("category", ""), area=data.get("area", ""),
        )


class ResourceDetail(generics.RetrieveAPIView):
    serializer_class = ResourceSerializer

    def get_object(self) -> Resource:
        actor = actor_for_request(self.request)
        resource = selectors.resource_get(locality_id=_locality(actor), pk=self.kwargs["pk"])
        if resource is None:
            raise Http404
        return resource


class DirectoryExport(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="The directory as ORUK JSON")
    def get(self, request: Request) -> Response:
        actor = actor_for_request(request)
        return Response(selectors.directory_export(locality_id=_locality(actor)))


class DirectoryImport(APIView):
    """POST an ORUK JSON file as the request body. All of it is loaded, or none of it."""

    parser_classes: list[Any] = []

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        summary="Import an ORUK JSON file (all or nothing; problems by line)",
    )
    def post(self, request: Request) -> Response:
        actor = actor_for_request(request)
        try:
            result = directory_import(
                actor=actor, locality_id=_locality(actor), text=request.body
            )
        except ImportRefused as refused:
            return Response(
                {
                    "error": refused.code,
                    "message": refused.message,
                    "problems": [p.as_dict() for p in refused.problems],
                },
                status=400,
            )
        return Response({"created": result.created, "updated": result.updated}, status=201)


class ReferralListCreate(generics.ListAPIView):
    serializer_class = ReferralSerializer

    def get_queryset(self) -> Any:
        actor = actor_for_request(self.request)
        return selectors.referrals_list(
            scope=referrals_visible_to(actor), status=self.request.query_params.get("status", "")
        ).select_related("follow_up")

    def post(self, request: Request) -> Response:
        actor = actor_for_request(request)
        body = ReferralCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        patient = get_object_or_404(
            Patient.objects.select_related("registered_practice"), pk=data["patient"]
        )
        link_worker = (
            get_object_or_404(StaffMember.objects.select_related("practice"),
                              pk=data["link_worker"])
            if data.get("link_worker") else None
        )
        resource = None
        if data.get("resource"):
            resource = selectors.resource_get(locality_id=_locality(actor), pk=data["resource"])
            if resource is None:
                raise PermissionDenied("That resource is not in your locality's directory.")
        referral = referral_create(
            actor=actor, patient=patient, needs=data["needs"], link_worker=link_worker,
            resource=resource, note=data["note"],
        )
        return Response(ReferralSerializer(referral).data, status=201)


class ReferralDecline(APIView):
    """The patient declined: recoded 871711000000103 (social prescribing declined)."""

    @extend_schema(request=None, responses=ReferralSerializer)
    def post(self, request: Request, pk: int) -> Response:
        actor = actor_for_request(request)
        referral = selectors.referral_get(scope=referrals_visible_to(actor), pk=pk)
        if referral is None:
            raise Http404
        return Response(ReferralSerializer(referral_decline(actor=actor, referral=referral)).data)


class FollowUpList(generics.ListAPIView):
    serializer_class = FollowUpSerializer

    def get_queryset(self) -> Any:
        actor = actor_for_request(self.request)
        recorded = self.request.query_params.get("recorded")
        return selectors.follow_ups_list(
            scope=referrals_visible_to(actor),
            recorded=None if recorded is None else recorded in {"1", "true", "yes"},
        )


class FollowUpOutcome(APIView):
    @extend_schema(request=OutcomeSerializer, responses=FollowUpSerializer)
    def post(self, request: Request, pk: int) -> Response:
        actor = actor_for_request(request)
        follow_up = get_object_or_404(
            FollowUp.objects.select_related("referral").filter(
                referral__in=Referral.objects.filter(referrals_visible_to(actor)).values("pk")
            ),
            pk=pk,
        )
        if not may_record_outcome(actor, follow_up=follow_up):
            raise PermissionDenied("You cannot record the outcome of this follow-up.")
        body = OutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        follow_up = follow_up_record_outcome(
            actor=actor, follow_up=follow_up, **body.validated_data
        )
        return Response(FollowUpSerializer(follow_up).data)


class CareTeam(generics.ListAPIView):
    """GET: care-team assignments you hold or of your practice's patients. POST: add one."""

    serializer_class = CareTeamAssignmentSerializer

    def get_queryset(self) -> Any:
        actor = actor_for_request(self.request)
        return selectors.care_team_list(scope=care_team_visible_to(actor))

    def post(self, request: Request) -> Response:
        actor = actor_for_request(request)
        body = CareTeamAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        patient = get_object_or_404(
            Patient.objects.select_related("registered_practice"), pk=data["patient"]
        )
        member = get_object_or_404(CommunityMember, pk=data["member"])
        assignment = care_team_assign(
            actor=actor, member=member, patient=patient, starts_on=data["starts_on"],
            ends_on=data["ends_on"], reason=data["reason"],
        )
        return Response(CareTeamAssignmentSerializer(assignment).data, status=201)


class OutcomesReport(APIView):
    @extend_schema(parameters=[ReportFilterSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        actor = actor_for_request(request)
        if not may_view_report(actor):
            raise PermissionDenied("The outcomes report is for managers, GPs and link workers.")
        params = ReportFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        report = selectors.outcomes_report(scope=report_scope(actor), **params.validated_data)

        def row(r: selectors.ReportRow) -> dict[str, Any]:
            return {"key": r.key, "label": r.label, "referred": r.referred,
                    "followed_up": r.followed_up, "engaged": r.engaged,
                    "engaged_share": r.engaged_share}

        return Response({
            "start": report.start, "end": report.end, "total": row(report.total),
            **{name: [row(r) for r in report.by[name]] for name, _ in report.DIMENSIONS},
        })
