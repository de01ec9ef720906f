"""API input and output shapes. Inputs are parsed here; services decide."""

from __future__ import annotations

from rest_framework import serializers

from community.models import (
    CareTeamAssignment,
    Category,
    FollowUp,
    Need,
    Outcome,
    Referral,
    Resource,
)


class ResourceSerializer(serializers.ModelSerializer):
    curator = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id", "external_id", "name", "description", "categories", "suits",
            "organisation_name", "address_line1", "address_line2", "town", "area", "postcode",
            "opening_times", "phone", "email", "website", "referral_method", "cost",
            "accessibility", "active", "curator", "last_checked", "stale",
        ]
        read_only_fields = fields

    def get_curator(self, obj: Resource) -> str:
        return obj.curator.get_full_name() or obj.curator.get_username()

    def get_stale(self, obj: Resource) -> bool:
        return obj.stale_since is not None


class ResourceSearchSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.ChoiceField(choices=Category.choices, required=False,
                                       allow_blank=True)
    area = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ReferralSerializer(serializers.ModelSerializer):
    nhs_number = serializers.CharField(source="patient.nhs_number", read_only=True)
    snomed_term = serializers.CharField(read_only=True)
    follow_up_outcome = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id", "nhs_number", "practice", "locality", "referred_by", "referred_on",
            "link_worker", "resource", "needs", "note", "status", "snomed_code", "snomed_term",
            "closed_on", "follow_up_outcome",
        ]
        read_only_fields = fields

    def get_follow_up_outcome(self, obj: Referral) -> str | None:
        follow_up = getattr(obj, "follow_up", None)
        return follow_up.outcome or None if follow_up else None


class ReferralCreateSerializer(serializers.Serializer):
    patient = serializers.IntegerField()
    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices),
                                  min_length=1)
    link_worker = serializers.IntegerField(required=False, allow_null=True)
    resource = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = [
            "id", "referral", "due_on", "assigned_to", "outcome", "stopped_reason",
            "recorded_by", "recorded_at", "wellbeing_scale", "ons4_satisfied",
            "ons4_worthwhile", "ons4_happy", "ons4_anxious", "swemwbs_items", "swemwbs_raw",
        ]
        read_only_fields = fields


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    stopped_reason = serializers.CharField(required=False, allow_blank=True, default="")
    ons4 = serializers.ListField(child=serializers.IntegerField(), required=False,
                                 allow_null=True, default=None)
    swemwbs_items = serializers.ListField(child=serializers.IntegerField(), required=False,
                                          allow_null=True, default=None)


class CareTeamAssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CareTeamAssignment
        fields = ["id", "member", "patient", "starts_on", "ends_on", "reason", "assigned_by",
                  "assigned_at"]
        read_only_fields = fields


class CareTeamAssignSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    patient = serializers.IntegerField()
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ReportFilterSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
