"""What every patient page shares: the sign-in gate, the patient acted for, and the page
frame without the staff menu."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from patients.models import Patient
from policy.actor import actor_for_request
from policy.identity import patients_actable_by
from policy.online import patient_actable_by


def patient_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with a patient online account (own or proxy), else to the patient sign-in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("patient-sign-in"))
        if not actor_for_request(request).is_patient_user:
            raise PermissionDenied("This page is for patients with an online account.")
        return view(request, *args, **kwargs)

    return wrapper


def acting_patient(request: HttpRequest) -> Patient:
    """The patient this request is about: ``?patient=<id>`` if given, else the switcher's
    choice. Always through the scoping function, so anyone else's id is a 404."""
    requested = request.GET.get("patient")
    if requested is not None:
        return patient_actable_by(request.user, requested)
    return patient_actable_by(request.user, actor_for_request(request).acting_for_id)


def render_patient_page(request: HttpRequest, template: str, context: dict[str, Any] | None = None,
            status: int = 200) -> HttpResponse:
    context = dict(context or {})
    context.setdefault("nav_items", [])  # the staff menu is not for patients
    context["service_home_url"] = reverse("patient-home")
    if request.user.is_authenticated:
        actor = actor_for_request(request)
        if actor.is_patient_user:
            context["actable_patients"] = list(
                patients_actable_by(request.user).order_by("given_name", "family_name")
            )
            context.setdefault("acting_for_id", actor.acting_for_id)
            context.setdefault("own_patient_id", actor.own_patient_id)
    return render(request, template, context, status=status)
