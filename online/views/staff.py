"""Practice staff pages for a patient's online access: the registration letter and proxy access.

Patients outside the signed-in member of staff's practice are a 404; inside it, only reception
and the practice manager may act (403 for other roles).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from common.errors import ServiceError
from online import services
from online.forms import ProxyGrantForm, ProxyRevokeForm
from online.models import ProxyAccess
from patients.models import Patient
from policy.actor import actor_for_request
from policy.online import may_manage_online_access, patients_of_staff_practice


def _patient_for_staff(request: HttpRequest, patient_id: int) -> Patient:
    actor = actor_for_request(request)
    patient = get_object_or_404(
        patients_of_staff_practice(actor).select_related("registered_practice"), pk=patient_id
    )
    if not may_manage_online_access(actor, patient):
        raise PermissionDenied("Only reception and the practice manager manage online access.")
    return patient


@never_cache
@login_required
def registration_letter(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET: what issuing does. POST: issue a code and show the printable letter (only once)."""
    patient = _patient_for_staff(request, patient_id)
    error = ""
    if request.method == "POST":
        try:
            issued = services.registration_code_issue(patient=patient, issued_by=request.user)
        except ServiceError as exc:
            error = exc.message
        else:
            return render(request, "patients/staff/registration_letter.html", {
                "patient": patient, "code": issued.code, "passphrase": issued.passphrase,
                "practice": patient.registered_practice,
            })
    has_account = hasattr(patient, "account")
    live = patient.registration_codes.filter(
        used_at__isnull=True, revoked_at__isnull=True, locked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()
    return render(request, "patients/staff/registration_issue.html", {
        "patient": patient, "has_account": has_account, "live_code": live, "error": error,
    }, status=400 if error else 200)


@login_required
def proxy_access(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient_for_staff(request, patient_id)
    form = ProxyGrantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            ends_at = None
            if data["ends_on"]:
                ends_at = timezone.make_aware(
                    datetime.datetime.combine(data["ends_on"], datetime.time.max)
                )
            try:
                services.proxy_access_grant(
                    patient=patient, grantee_email=data["grantee_email"],
                    granted_by=request.user, reason=data["reason"], ends_at=ends_at,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = "ends_on" if field == "ends_at" else field
                    form.add_error(target if target in form.fields else None, errors)
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Proxy access granted.")
                return redirect("staff-patient-proxy-access", patient_id=patient.pk)
    grants = patient.proxy_grants.select_related("grantee", "granted_by", "revoked_by")
    return render(request, "patients/staff/proxy_access.html", {
        "patient": patient, "form": form, "grants": grants, "revoke_form": ProxyRevokeForm(),
        "now": timezone.now(),
    }, status=status)


@login_required
def proxy_access_revoke(request: HttpRequest, patient_id: int, grant_id: int) -> HttpResponse:
    patient = _patient_for_staff(request, patient_id)
    grant = get_object_or_404(ProxyAccess, pk=grant_id, patient=patient)
    if request.method != "POST":
        return redirect("staff-patient-proxy-access", patient_id=patient.pk)
    form = ProxyRevokeForm(request.POST)
    if form.is_valid():
        try:
            services.proxy_access_revoke(
                grant=grant, revoked_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Proxy access for {grant.grantee.email} has ended.")
    else:
        messages.error(request, "Give the reason for ending proxy access.")
    return redirect("staff-patient-proxy-access", patient_id=patient.pk)
