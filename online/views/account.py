"""Patient-facing pages under /patient/. Thin: forms check input, services write, and every
patient is looked up through ``policy.online`` so other patients' ids give 404."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import PasswordResetView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from common.client_ip import client_ip
from common.errors import ServiceError
from online import services, tasks, totp
from online.forms import (
    ContactPreferencesForm,
    OneTimeCodeForm,
    PasswordConfirmForm,
    PatientSignInForm,
    RegisterForm,
)
from online.models import PatientAccount
from online.views.common import acting_patient, patient_required, render_patient_page
from policy.actor import ACTING_FOR_SESSION_KEY
from policy.online import patient_actable_by
from signin import selectors as signin_selectors
from signin import services as signin

PENDING_SECOND_FACTOR = "patient_pending_second_factor"
PENDING_SECONDS = 5 * 60

# Cards on the home page: shown only once the named page exists (the booking and record
# pages plug in by adding these URL names).
HOME_CARDS: list[tuple[str, str, str]] = [
    ("Book an appointment", "Choose a time at either surgery.", "patient-book"),
    ("Your appointments", "See, change or cancel your appointments.", "patient-appointments"),
    ("Your record", "Your medicines, allergies, test results and notes.", "patient-record"),
    ("Who has looked at your record", "Staff who opened your record, and when.",
     "patient-record-access-log"),
    ("Contact preferences", "Your mobile, email and reminders.", "patient-preferences"),
    ("Sign-in and security", "Two-step sign-in with an authenticator app.", "patient-security"),
]


def _client_ip(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("patient-home")


def _complete_sign_in(request: HttpRequest, user: Any, target: str) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(settings.PATIENT_SESSION_IDLE_MINUTES * 60)
    account = PatientAccount.objects.filter(user=user).only("patient_id").first()
    if account is not None:
        request.session[ACTING_FOR_SESSION_KEY] = account.patient_id
    return HttpResponseRedirect(target)


class PatientPasswordResetView(PasswordResetView):
    """Django's reset page, but the lookup and the email happen in a task after the request
    (``online.tasks.send_password_reset``): every address gets the same work and the same
    answer, so neither the page nor its timing tells whether an account exists."""

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        domain = self.request.get_host()
        secure = self.request.is_secure()
        transaction.on_commit(lambda: tasks.send_password_reset.delay(
            email=email, domain=domain, use_https=secure))
        return HttpResponseRedirect(self.get_success_url())


# ---- signing in and out ---------------------------------------------------------------------


@never_cache
@csrf_protect
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        form = PatientSignInForm(request, data=request.POST)
        if form.is_valid():
            user = form.user
            target = _safe_next(request, next_url)
            account = PatientAccount.objects.filter(user=user).first()
            if account is not None and account.totp_enabled:
                if signin.second_factor_locked(user.pk):
                    return render_patient_page(request, "registration/locked_out.html", status=429)
                request.session.cycle_key()
                request.session[PENDING_SECOND_FACTOR] = {
                    "user_id": user.pk, "at": time.time(), "next": target,
                }
                return redirect("patient-sign-in-code")
            return _complete_sign_in(request, user, target)
        status = 400
    else:
        form = PatientSignInForm(request)
        status = 200
    return render_patient_page(request, "patients/sign_in.html", {"form": form, "next": next_url},
                   status=status)


@never_cache
@csrf_protect
def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_SECOND_FACTOR)
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_SECOND_FACTOR, None)
        messages.info(request, "Sign in again to continue.")
        return redirect("patient-sign-in")
    account = PatientAccount.objects.select_related("user").filter(
        user_id=pending["user_id"], user__is_active=True
    ).first()
    if account is None or not account.totp_enabled:
        request.session.pop(PENDING_SECOND_FACTOR, None)
        return redirect("patient-sign-in")
    if signin.second_factor_locked(account.user_id):
        request.session.pop(PENDING_SECOND_FACTOR, None)
        return render_patient_page(request, "registration/locked_out.html", status=429)
    status = 200
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signin.second_factor_check(user=account.user, code=form.cleaned_data["code"])
        except signin.SignInLocked:
            request.session.pop(PENDING_SECOND_FACTOR, None)
            return render_patient_page(request, "registration/locked_out.html", status=429)
        except ServiceError:
            form.add_error("code", "That code is not right. Enter the 6-digit code your app "
                                   "shows now.")
        else:
            request.session.pop(PENDING_SECOND_FACTOR, None)
            return _complete_sign_in(request, account.user, _safe_next(request, pending["next"]))
    if request.method == "POST":
        status = 400
    return render_patient_page(request, "patients/sign_in_code.html", {"form": form}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        signin.token_revoke(user=request.user)  # signing out ends the API token too
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("patient-sign-in")


# ---- registering with a letter ------------------------------------------------------------


@never_cache
@csrf_protect
def register(request: HttpRequest) -> HttpResponse:
    status = 200
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if services.registration_throttled(_client_ip(request)):
            return render_patient_page(request, "patients/register_throttled.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.patient_register(
                    account_id=data["account_id"], passphrase=data["passphrase"],
                    date_of_birth=data["date_of_birth"], family_name=data["family_name"],
                    email=data["email"], password=data["password"], ip=_client_ip(request),
                )
            except services.Throttled:
                return render_patient_page(request, "patients/register_throttled.html", status=429)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Your account is set up. You are signed in.")
                return _complete_sign_in(request, user, reverse("patient-home"))
    return render_patient_page(request, "patients/register.html", {"form": form}, status=status)


# ---- signed-in pages ----------------------------------------------------------------------


@patient_required
def home(request: HttpRequest) -> HttpResponse:
    patient = acting_patient(request)
    cards = []
    for title, description, name in HOME_CARDS:
        try:
            cards.append((title, description, reverse(name)))
        except NoReverseMatch:
            continue
    return render_patient_page(request, "patients/home.html",
                   {"patient": patient, "cards": cards, "acting_for_id": patient.pk})


@patient_required
@require_POST
def acting_for(request: HttpRequest) -> HttpResponse:
    patient = patient_actable_by(request.user, request.POST.get("patient"))
    request.session[ACTING_FOR_SESSION_KEY] = patient.pk
    messages.info(request, f"You are now acting for {patient.full_name}.")
    return HttpResponseRedirect(_safe_next(request, request.POST.get("next")))


@patient_required
def preferences(request: HttpRequest) -> HttpResponse:
    patient = acting_patient(request)
    status = 200
    if request.method == "POST":
        form = ContactPreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.contact_preferences_update(
                    patient=patient, changed_by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Your contact preferences are saved.")
                return redirect(request.get_full_path())
        status = 400
    else:
        form = ContactPreferencesForm(initial={
            "mobile": patient.mobile, "email": patient.email,
            "sms_consent": patient.sms_consent, "email_consent": patient.email_consent,
        })
    return render_patient_page(request, "patients/preferences.html",
                   {"form": form, "patient": patient, "acting_for_id": patient.pk},
                   status=status)


def _own_account(request: HttpRequest) -> PatientAccount:
    user_id = int(request.user.pk or 0)
    account = PatientAccount.objects.select_related("user").filter(user_id=user_id).first()
    if account is None:
        raise PermissionDenied("Only your own online account has sign-in settings.")
    return account


def _int_or_zero(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0


@patient_required
def security(request: HttpRequest) -> HttpResponse:
    """Two-step sign-in: start, confirm with a code, or turn off with the password."""
    if request.GET.get("patient") is not None:
        acting_patient(request)  # settings belong to the login; a foreign id is still a 404
    account = _own_account(request)
    code_form: OneTimeCodeForm | None = None
    off_form: PasswordConfirmForm | None = None
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "end_session":
            signin.session_revoke(user=request.user,
                                  session_id=_int_or_zero(request.POST.get("session")))
            messages.success(request, "That session is signed out.")
            return redirect("patient-security")
        if action == "revoke_token":
            signin.token_revoke(user=request.user)
            messages.success(request, "The app token is revoked: apps using it must sign in again.")
            return redirect("patient-security")
        if action == "start":
            totp.totp_setup_start(account=account)
            return redirect("patient-security")
        if action == "confirm":
            code_form = OneTimeCodeForm(request.POST)
            if code_form.is_valid():
                totp.totp_setup_confirm(account=account, code=code_form.cleaned_data["code"])
                messages.success(request, "Two-step sign-in is on.")
                return redirect("patient-security")
            status = 400
        if action == "off":
            off_form = PasswordConfirmForm(request.POST)
            if off_form.is_valid():
                totp.totp_disable(account=account, password=off_form.cleaned_data["password"])
                messages.success(request, "Two-step sign-in is off.")
                return redirect("patient-security")
            status = 400
    except ServiceError as exc:
        status = 400
        if action == "confirm" and code_form is not None:
            code_form.add_error("code", exc.message)
        elif action == "off" and off_form is not None:
            off_form.add_error("password", exc.message)
        else:
            messages.error(request, exc.message)
    token = signin_selectors.token_of(request.user)
    context: dict[str, Any] = {"account": account,
                               "sessions": list(signin_selectors.sessions_of(request.user)),
                               "current_session": request.session.session_key,
                               "token": token,
                               "token_expires_at": token and signin.token_expires_at(token),
                               "code_form": code_form or OneTimeCodeForm(),
                               "off_form": off_form or PasswordConfirmForm()}
    if account.totp_secret and not account.totp_enabled:
        context["qr_code"] = totp.qr_code_svg_data_uri(account)
        secret = account.totp_secret
        context["secret_groups"] = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_patient_page(request, "patients/security.html", context, status=status)
