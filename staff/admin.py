from __future__ import annotations

from django.contrib import admin

from common.admin import PracticeScopedAdmin
from staff.models import StaffMember


@admin.register(StaffMember)
class StaffMemberAdmin(PracticeScopedAdmin):
    list_display = ["__str__", "role", "registration_number", "practice", "active"]
    list_filter = ["role", "active", "sites"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "registration_number"]
    filter_horizontal = ["sites"]
    list_select_related = ["user", "practice"]
    autocomplete_fields = ["user"]
