"""Staff in the admin. Adding a member of staff creates their login too (staff_member_create),
so a practice manager needs no rights over user accounts in general.

Separation of duties (ADR 0030): a login that can read records (a clinician) or grant access
(a manager), and any change of role, is not made here but asked for as a staff access request,
which another authorised person approves. The role of an existing member is read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from common.admin import PracticeScopedAdmin
from common.errors import ServiceError
from policy.staff_access import APPROVE_PERMISSION, GATED_ROLES
from staff.models import StaffAccessRequest, StaffMember
from staff.services import (
    staff_access_request_approve,
    staff_access_request_create,
    staff_access_request_reject,
    staff_member_create,
    staff_member_validate,
)

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
        if data.get("role") in GATED_ROLES:
            # Not tied to the field, so the form still explains everything else that is wrong.
            self.add_error(None, "A login that can read records or grant access needs a second "
                                 "person's approval: ask for it under Staff access requests "
                                 "(Add staff access request).")
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
        # Which login a staff membership belongs to never changes after it is made; a role
        # changes only through an approved staff access request (nobody edits it, not even
        # for themselves).
        return ["user", "role", "registration_number"] if obj is not None else []

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


class StaffAccessRequestForm(forms.ModelForm):
    class Meta:
        model = StaffAccessRequest
        fields = ["practice", "member", "role", "registration_number", "username", "first_name",
                  "last_name", "email", "sites", "reason"]
        help_texts = {
            "member": "To change someone's role, choose them. Leave empty for a new login.",
            "username": "New login only: what they will type to sign in. They set their own "
                        "password when the login is made.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requested_by: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if self.errors or data.get("practice") is None:
            return data
        try:
            self.instance = staff_access_request_create(
                requested_by=self.requested_by, practice=data["practice"],
                member=data.get("member"), role=data.get("role", ""),
                registration_number=data.get("registration_number", ""),
                username=data.get("username", ""), first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""), email=data.get("email", ""),
                sites=list(data.get("sites") or []), reason=data.get("reason", ""),
            ) if self.requested_by is not None else self.instance
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        except ServiceError as exc:
            self.add_error(None, exc.message)
        return data


@admin.register(StaffAccessRequest)
class StaffAccessRequestAdmin(PracticeScopedAdmin):
    """Ask for a login or a change of role; another authorised person approves or rejects it
    with the actions (the requester's own requests are refused to them)."""

    form = StaffAccessRequestForm
    list_display = ["__str__", "status", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["member__user", "requested_by", "decided_by"]
    actions = ["approve", "reject"]
    filter_horizontal = ["sites"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)

        class WithRequester(form_class):  # type: ignore[misc,valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                self.requested_by = request.user if obj is None else None

        return WithRequester

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return [f.name for f in StaffAccessRequest._meta.fields] + ["sites"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decided with the actions, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass  # the form's clean() made it through staff_access_request_create

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass

    def _decide(self, request: HttpRequest, queryset: QuerySet[Any], decide: Any,
                done: str) -> None:
        for access in queryset:
            try:
                decide(access.pk)
            except ServiceError as exc:
                self.message_user(request, f"{access}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{access}: {done}.", messages.SUCCESS)

    @admin.action(description="Approve the selected requests", permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._decide(request, queryset, lambda pk: staff_access_request_approve(
            request_id=pk, approved_by=request.user), "approved")

    @admin.action(description="Reject the selected requests", permissions=["approve"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._decide(request, queryset, lambda pk: staff_access_request_reject(
            request_id=pk, rejected_by=request.user), "rejected")
