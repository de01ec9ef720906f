"""Audit API for practice managers: list/filter, CSV export, break-glass review."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditAction, AuditEvent, BreakGlassReview
from audit.selectors import audit_events, audit_export_csv
from audit.services import break_glass_review
from policy.actor import actor_for_request


class AuditFilterIn(serializers.Serializer):
    patient = serializers.IntegerField(required=False, min_value=1)
    user = serializers.IntegerField(required=False, min_value=1)
    patient_search = serializers.CharField(required=False, max_length=100, default="")
    staff_search = serializers.CharField(required=False, max_length=100, default="")
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False, default="")
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    break_glass = serializers.BooleanField(required=False, default=False)
    unreviewed = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("since") and attrs.get("until") and attrs["until"] < attrs["since"]:
            raise serializers.ValidationError("'until' must not be before 'since'.")
        return attrs


class AuditEventOut(serializers.ModelSerializer):
    site = serializers.CharField(source="site.name", default="", read_only=True)
    reviewed_by = serializers.CharField(
        source="review.reviewed_by.username", default=None, read_only=True
    )
    reviewed_at = serializers.DateTimeField(source="review.reviewed_at", default=None)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "user",
            "username",
            "role",
            "site",
            "patient",
            "action",
            "object_type",
            "object_id",
            "basis",
            "detail",
            "request_id",
            "ip",
            "reviewed_by",
            "reviewed_at",
        ]


class ReviewIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ReviewOut(serializers.ModelSerializer):
    class Meta:
        model = BreakGlassReview
        fields = ["id", "event", "reviewed_by", "reviewed_at", "note"]


def _filters(request: Request) -> dict:
    f = AuditFilterIn(data=request.query_params)
    f.is_valid(raise_exception=True)
    data = f.validated_data
    return {
        "patient_id": data.get("patient"),
        "user_id": data.get("user"),
        "patient_words": data["patient_search"],
        "staff_words": data["staff_search"],
        "action": data["action"],
        "since": data.get("since"),
        "until": data.get("until"),
        "break_glass_only": data["break_glass"],
        "unreviewed_only": data["unreviewed"],
    }


FILTER_PARAMS = [
    OpenApiParameter("patient", int),
    OpenApiParameter("user", int),
    OpenApiParameter("patient_search", str, description="NHS number or words of the name"),
    OpenApiParameter("staff_search", str, description="login or words of the name"),
    OpenApiParameter("action", str, enum=AuditAction.values),
    OpenApiParameter("since", OpenApiTypes.DATE),
    OpenApiParameter("until", OpenApiTypes.DATE),
    OpenApiParameter("break_glass", bool),
    OpenApiParameter("unreviewed", bool, description="break-glass events not yet reviewed"),
]


class AuditListView(APIView):
    @extend_schema(parameters=FILTER_PARAMS, responses=AuditEventOut(many=True))
    def get(self, request: Request) -> Response:
        events = audit_events(actor=actor_for_request(request), **_filters(request))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(AuditEventOut(page, many=True).data)


class AuditExportView(APIView):
    @extend_schema(parameters=FILTER_PARAMS, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request) -> StreamingHttpResponse:
        actor = actor_for_request(request)
        events = audit_events(actor=actor, **_filters(request))
        response = StreamingHttpResponse(
            audit_export_csv(actor=actor, events=events), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="audit.csv"'
        return response


class BreakGlassReviewView(APIView):
    @extend_schema(request=ReviewIn, responses={201: ReviewOut})
    def post(self, request: Request, event_id: int) -> Response:
        body = ReviewIn(data=request.data)
        body.is_valid(raise_exception=True)
        review = break_glass_review(
            actor=actor_for_request(request),
            event_id=event_id,
            note=body.validated_data.get("note", ""),
        )
        return Response(ReviewOut(review).data, status=201)
