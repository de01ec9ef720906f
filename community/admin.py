"""Admin for community links. Non-superusers see only their own locality's rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from community.models import CareTeamAssignment, CommunityMember, Referral, Resource


def _locality_id(request: HttpRequest) -> int | None:
    staff = getattr(request.user, "staff", None)
    return staff.practice.locality_id if staff is not None else None


class LocalityScopedAdmin(admin.ModelAdmin):
    locality_lookup = "locality_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        locality_id = _locality_id(request)
        return qs.filter(**{self.locality_lookup: locality_id}) if locality_id else qs.none()


@admin.register(CommunityMember)
class CommunityMemberAdmin(LocalityScopedAdmin):
    list_display = ["user", "role", "locality", "organisation", "active"]
    list_filter = ["role", "active"]
    raw_id_fields = ["user"]


@admin.register(CareTeamAssignment)
class CareTeamAssignmentAdmin(LocalityScopedAdmin):
    locality_lookup = "member__locality_id"
    list_display = ["member", "patient", "starts_on", "ends_on", "assigned_by"]
    raw_id_fields = ["member", "patient", "assigned_by"]


@admin.register(Resource)
class ResourceAdmin(LocalityScopedAdmin):
    list_display = ["name", "area", "curator", "last_checked", "stale_since", "active"]
    list_filter = ["active", "referral_method"]
    search_fields = ["name", "organisation_name", "area"]
    raw_id_fields = ["curator"]


@admin.register(Referral)
class ReferralAdmin(LocalityScopedAdmin):
    list_display = ["pk", "patient", "practice", "referred_on", "status", "snomed_code"]
    list_filter = ["status"]
    raw_id_fields = ["patient", "link_worker", "resource", "referred_by"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
