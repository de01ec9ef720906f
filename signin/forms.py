"""The staff sign-in form: the shape of what was typed; ``signin.services`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from common.errors import ServiceError
from practices.models import Site
from signin import services
from staff.models import StaffMember


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.name} ({obj.practice.name})"


class SignInForm(forms.Form):
    """Staff sign in, choosing the practice site they are working at today."""

    username = forms.CharField(max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    site = SiteChoiceField(
        label="Site you are working at today",
        queryset=Site.objects.select_related("practice").order_by("practice__name", "name"),
        empty_label="Choose a site",
        error_messages={"required": "Choose the site you are working at today.",
                        "invalid_choice": "Choose the site you are working at today."},
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: Any = None
        self.staff: StaffMember | None = None
        self.fields["username"].error_messages["required"] = "Enter your username."
        self.fields["password"].error_messages["required"] = "Enter your password."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if not username or not password:
            return data
        try:
            user = services.password_check(
                request=self.request, username=username, password=password,
                message="The username or password is not right. Check them and try again.",
            )
        except ServiceError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        staff = StaffMember.objects.filter(user=user, active=True).first()
        if staff is None:
            raise forms.ValidationError(
                "This account is not set up for practice staff. Patients sign in on the "
                "patient page.", code="not_staff")
        site = data.get("site")
        if site is not None and not staff.sites.filter(pk=site.pk).exists():
            names = ", ".join(staff.sites.order_by("name").values_list("name", flat=True))
            names = names or "none yet (ask your practice manager)"
            self.add_error(
                "site", f"You are not set up to work at {site.name}. Your sites: {names}."
            )
        self.user, self.staff = user, staff
        return data
