from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet

from online.models import ContactPreferenceChange, PatientAccount, ProxyAccess, RegistrationCode


@admin.register(PatientAccount)
class PatientAccountAdmin(admin.ModelAdmin):
    list_display = ["patient", "user", "created_at"]
    readonly_fields = ["user", "patient", "registration_code", "created_at", "totp_confirmed_at"]
    exclude = ["totp_secret", "totp_last_step"]
    search_fields = ["patient__family_name", "patient__nhs_number", "user__email"]
    actions = ["turn_off_two_step"]

    @admin.action(description="Turn off two-step sign-in (patient lost their phone)")
    def turn_off_two_step(self, request: Any, queryset: QuerySet[PatientAccount]) -> None:
        count = queryset.update(totp_secret="", totp_confirmed_at=None, totp_last_step=None)
        self.message_user(request, f"Two-step sign-in turned off for {count} account(s).")


@admin.register(RegistrationCode)
class RegistrationCodeAdmin(admin.ModelAdmin):
    list_display = ["account_id", "patient", "issued_at", "expires_at", "used_at", "locked_at"]
    exclude = ["passphrase_hash"]
    readonly_fields = ["patient", "account_id", "issued_by", "issued_at", "expires_at",
                       "failed_attempts", "used_at", "locked_at", "revoked_at"]


@admin.register(ProxyAccess)
class ProxyAccessAdmin(admin.ModelAdmin):
    list_display = ["grantee", "patient", "starts_at", "ends_at", "revoked_at"]
    raw_id_fields = ["grantee", "patient", "granted_by", "revoked_by"]


@admin.register(ContactPreferenceChange)
class ContactPreferenceChangeAdmin(admin.ModelAdmin):
    list_display = ["patient", "changed_by", "changed_at"]
    readonly_fields = ["patient", "changed_by", "changed_at", "changes"]
