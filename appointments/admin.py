"""Admin: practice managers edit appointment types, the rota and leave for their practice.

Sessions, slots and appointments are shown read-only: they change through the services
(rota generation, booking), never by hand-editing rows, so that invariants and history hold.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from appointments.models import (
    Appointment,
    AppointmentEvent,
    AppointmentType,
    AppointmentTypeRole,
    RotaException,
    Session,
    SessionTemplate,
    Slot,
)
from common.admin import PracticeScopedAdmin


class AppointmentTypeRoleInline(admin.TabularInline):
    model = AppointmentTypeRole
    extra = 1


@admin.register(AppointmentType)
class AppointmentTypeAdmin(PracticeScopedAdmin):
    list_display = ["name", "practice", "duration_minutes", "mode", "online_bookable", "active"]
    list_filter = ["mode", "online_bookable", "active"]
    search_fields = ["name"]
    inlines = [AppointmentTypeRoleInline]


@admin.register(SessionTemplate)
class SessionTemplateAdmin(PracticeScopedAdmin):
    practice_lookup = "site__practice"
    list_display = [
        "clinician",
        "site",
        "weekday",
        "start_time",
        "end_time",
        "slot_minutes",
        "appointment_type",
        "online",
        "federation",
        "release_days_before",
        "release_time",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["weekday", "site", "online", "federation"]
    list_select_related = ["clinician__user", "site", "appointment_type"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("clinician", "site") and field and not request.user.is_superuser:
            staff = getattr(request.user, "staff", None)
            field.queryset = field.queryset.filter(practice_id=getattr(staff, "practice_id", None))
        return field


@admin.register(RotaException)
class RotaExceptionAdmin(PracticeScopedAdmin):
    practice_lookup = "clinician__practice"
    list_display = ["clinician", "kind", "start", "end", "note"]
    list_filter = ["kind"]
    list_select_related = ["clinician__user"]


class ReadOnlyAdmin(PracticeScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    practice_lookup = "site__practice"
    list_display = ["clinician", "site", "start", "end", "template", "cancelled"]
    list_filter = ["site", "cancelled"]
    date_hierarchy = "start"
    list_select_related = ["clinician__user", "site", "template"]


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdmin):
    list_display = [
        "start",
        "clinician",
        "site",
        "appointment_type",
        "online",
        "federation",
        "release_at",
        "booked",
        "withdrawn",
    ]
    list_filter = ["site", "booked", "withdrawn", "online", "federation", "role"]
    date_hierarchy = "start"
    list_select_related = ["clinician__user", "site", "appointment_type"]


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "by", "action", "from_status", "to_status", "detail"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    practice_lookup = "site__practice"
    list_display = ["start", "patient", "clinician", "site", "status", "channel", "booked_by"]
    list_filter = ["status", "channel", "site"]
    date_hierarchy = "start"
    search_fields = ["patient__family_name", "patient__nhs_number"]
    list_select_related = ["patient", "clinician__user", "site", "booked_by"]
    inlines = [AppointmentEventInline]
