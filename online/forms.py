"""Patient-facing forms. They check the shape of what was typed; the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from common.errors import ServiceError
from policy.online import is_patient_user
from signin import services as signin

_EMAIL_ATTRS = {"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}


class RegisterForm(forms.Form):
    account_id = forms.CharField(
        label="Account ID", max_length=20, help_text="From your letter, for example ABCDE-FGHJK.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false",
                                      "autocomplete": "off"}),
        error_messages={"required": "Enter the account ID from your letter."},
    )
    passphrase = forms.CharField(
        label="Passphrase", max_length=200, help_text="The 4 words on your letter.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false",
                                      "autocomplete": "off"}),
        error_messages={"required": "Enter the passphrase from your letter."},
    )
    date_of_birth = forms.DateField(
        label="Date of birth", help_text="For example, 31/03/1980.",
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d %m %Y"],
        widget=forms.DateInput(attrs={"autocomplete": "bday"}),
        error_messages={"required": "Enter your date of birth.",
                        "invalid": "Enter your date of birth as day/month/year, like 31/03/1980."},
    )
    family_name = forms.CharField(
        label="Surname", max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Enter your surname."},
    )
    email = forms.EmailField(
        label="Email address", help_text="You will sign in with this.",
        widget=forms.EmailInput(attrs=_EMAIL_ATTRS),
        error_messages={"required": "Enter your email address.",
                        "invalid": "Enter an email address like name@example.com."},
    )
    password = forms.CharField(
        label="Create a password", help_text="At least 8 characters, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Create a password."},
    )

    def clean_date_of_birth(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise ValidationError("Your date of birth must be in the past.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, email = data.get("password"), data.get("email")
        if password:
            user = get_user_model()(username=email or "", email=email or "",
                                    last_name=data.get("family_name") or "")
            try:
                validate_password(password, user=user)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class PatientSignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs=_EMAIL_ATTRS),
        error_messages={"required": "Enter your email address.",
                        "invalid": "Enter an email address like name@example.com."},
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if not email or not password:
            return data
        # Patient usernames are their email address in lower case (ADR 0060).
        message = "The email address or password is not right. Check them and try again."
        try:
            # A locked-out address is refused here too; django-axes then answers the page.
            user = signin.password_check(request=self.request, username=email.strip().lower(),
                                         password=password, message=message)
        except ServiceError as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        if not is_patient_user(user):
            raise ValidationError(message, code="invalid_login")
        self.user = user
        return data


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=10,
        help_text="The 6-digit code your app shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )


class ContactPreferencesForm(forms.Form):
    mobile = forms.CharField(
        label="Mobile phone number", required=False, max_length=32,
        help_text="A UK mobile, like 07700 900123. Leave blank to remove it.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    email = forms.CharField(
        label="Email address", required=False, max_length=254,
        help_text="Leave blank to remove it.",
        widget=forms.EmailInput(attrs=_EMAIL_ATTRS),
    )
    sms_consent = forms.BooleanField(label="Send me text message reminders", required=False)
    email_consent = forms.BooleanField(label="Send me email reminders", required=False)


class PatientPasswordResetForm(PasswordResetForm):
    """Reset emails only ever go to patient online accounts."""

    email = forms.EmailField(
        label="Email address", max_length=254, widget=forms.EmailInput(attrs=_EMAIL_ATTRS),
        error_messages={"required": "Enter your email address.",
                        "invalid": "Enter an email address like name@example.com."},
    )

    def get_users(self, email: str) -> Any:
        return (
            user for user in super().get_users(email)
            if hasattr(user, "patient_account")
        )


class ProxyGrantForm(forms.Form):
    grantee_email = forms.EmailField(
        label="Email of the carer's online account",
        help_text="The parent or carer must already have their own online account.",
        error_messages={"required": "Enter the email of the carer's online account."},
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: parent of a child under 11; carer with the patient's consent.",
        error_messages={"required": "Give the reason for proxy access."},
    )
    ends_on = forms.DateField(
        label="Access ends on (optional)", required=False, help_text="For example, 31/03/2030.",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Enter the date as day/month/year."},
    )


class ProxyRevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason for ending access", max_length=500,
        error_messages={"required": "Give the reason for ending proxy access."},
    )
