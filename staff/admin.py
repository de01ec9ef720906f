"""Staff in the admin. Adding a member of staff creates their login too (staff_member_create),
so a practice manager needs no rights over user accounts in general."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from common.admin import PracticeScopedAdmin
from staff.models import StaffMember
from staff.services import staff_member_create, staff_member_validate

ADD_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "password",
    "practice",
    "role",
    "registration_number",
    "sites",
]
# Reported by the model form's own validation of the StaffMember fields.
_MEMBER_FIELDS = {"role", "registration_number", "practice"}


class StaffMemberAddForm(forms.ModelForm):
    username = forms.CharField(max_length=150, help_text="What they type to log in.")
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        strip=False,
        help_text="Leave empty to create the account without a password: "
        "they cannot log in until one is set.",
    )

    class Meta:
        model = StaffMember
        fields = ["practice", "role", "registration_number", "sites"]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "username": data.get("username", ""),
            "first_name": data.get("first_name", ""),
            "last_name": data.get("last_name", ""),
            "email": data.get("email", ""),
            "password": data.get("password") or None,
            "practice": data.get("practice"),
            "role": data.get("role", ""),
            "registration_number": data.get("registration_number", ""),
            "sites": list(data.get("sites") or []),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if self.errors or data.get("practice") is None:
            return data  # say what is wrong with the fields first
        try:
            staff_member_validate(**self.service_arguments())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field in _MEMBER_FIELDS:
                    continue
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(StaffMember)
class StaffMemberAdmin(PracticeScopedAdmin):
    list_display = ["__str__", "role", "registration_number", "practice", "active"]
    list_filter = ["role", "active", ("sites", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__first_name", "user__last_name", "user__username", "registration_number"]
    filter_horizontal = ["sites"]
    list_select_related = ["user", "practice"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = StaffMemberAddForm
            kwargs["fields"] = ADD_FIELDS
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ADD_FIELDS})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Which login a staff membership belongs to never changes after it is made.
        return ["user"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        member = staff_member_create(**form.service_arguments())
        # The admin goes on to use ``obj`` for its message and redirect.
        obj.pk, obj.user = member.pk, member.user
        obj.registration_number = member.registration_number
        obj._state.adding, obj._state.db = False, member._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)
