"""Staff see their practice's messages (failed ones by filter), wording and reminder policy."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from common.admin import PracticeScopedAdmin, staff_practice_id
from notifications.models import (
    MessageTemplate,
    OutboxMessage,
    ReminderPolicy,
    SentMessage,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyMixin, PracticeScopedAdmin):
    list_display = [
        "id",
        "kind",
        "channel",
        "status",
        "patient",
        "appointment_start",
        "next_attempt_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "kind", "channel", "practice"]
    list_select_related = ["patient"]
    search_fields = ["reference", "patient__family_name", "patient__nhs_number"]
    date_hierarchy = "appointment_start"


@admin.register(SentMessage)
class SentMessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What the local backend would have sent (demo and tests)."""

    list_display = ["sent_at", "channel", "recipient", "subject", "reference"]
    list_filter = ["channel"]
    search_fields = ["reference", "recipient"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        practice_id = staff_practice_id(request)
        if practice_id is None:
            return qs.none()
        return qs.filter(
            reference__in=OutboxMessage.objects.filter(practice_id=practice_id).values("reference")
        )


@admin.register(MessageTemplate)
class MessageTemplateAdmin(PracticeScopedAdmin):
    list_display = ["practice", "kind", "channel", "subject", "updated_at"]
    list_filter = ["kind", "channel"]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(PracticeScopedAdmin):
    list_display = ["practice", "appointment_type", "hours_before"]
