"""The audit in the admin: read-only, and only for whom the policy allows (practice managers,
their own practice's patients). Nobody can add, change or delete events here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.models import AuditEvent, BreakGlassReview
from policy.actor import actor_for_request
from policy.records import audit_view_decision


class _ReadOnlyPolicyAdmin(admin.ModelAdmin):
    practice_lookup = "patient_practice_id"

    def _practice_id(self, request: HttpRequest) -> int | None:
        actor = actor_for_request(request)
        return actor.practice_id if audit_view_decision(actor).allowed else None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        practice_id = self._practice_id(request)
        qs = super().get_queryset(request)
        return (
            qs.none() if practice_id is None else qs.filter(**{self.practice_lookup: practice_id})
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._practice_id(request) is not None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._practice_id(request) is not None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(_ReadOnlyPolicyAdmin):
    list_display = ["at", "username", "role", "action", "patient", "basis", "site", "ip"]
    list_filter = ["action", "role"]
    search_fields = ["=username", "=request_id", "=patient__nhs_number"]
    date_hierarchy = "at"
    list_select_related = ["patient", "site"]
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(BreakGlassReview)
class BreakGlassReviewAdmin(_ReadOnlyPolicyAdmin):
    practice_lookup = "event__patient_practice_id"
    list_display = ["event", "reviewed_by", "reviewed_at", "note"]
    readonly_fields = ["event", "reviewed_by", "reviewed_at", "note"]
