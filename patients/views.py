"""Reception pages for patients: search as you type, the reception patient page, and (below)
registration and demographics. Reads go through ``patients.selectors`` (which ask the policy
and write the audit trail); nothing here decides who may see whom."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from appointments import selectors as appointment_selectors
from common.errors import NotFound, PermissionRefused, ServiceError
from patients.forms import BLUR_VALIDATED, PatientForm
from patients.models import Patient
from patients.selectors import patient_demographics, patient_get, patient_search
from patients.services import patient_register, patient_update_demographics
from policy import appointments as appointment_policy
from policy.actor import Actor, actor_for_request


def _staff_actor(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if not actor.is_staff_member:
        raise PermissionDenied("Only active practice staff can use reception pages.")
    return actor


@login_required
def patient_search_page(request: HttpRequest) -> HttpResponse:
    """The search page; with ``partial=1`` only the results (for htmx as you type).

    ``choose`` (a slot id) makes each result a link that books that slot for the patient;
    ``next`` (the next-available finder) carries the patient into the finder instead.
    """
    actor = _staff_actor(request)
    q = (request.GET.get("q") or "").strip()
    context: dict[str, Any] = {
        "q": q, "results": None, "error": "",
        "choose": request.GET.get("choose", ""), "purpose": request.GET.get("purpose", ""),
    }
    status = 200
    if context["choose"] and not context["choose"].isdigit():
        context["choose"] = ""
    if q:
        try:
            context["results"] = patient_search(actor=actor, q=q)
        except PermissionRefused as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            context["error"] = exc.message
            context["errors"] = [("#patient-search", exc.message)]
            status = 400
    partial = request.GET.get("partial") == "1"
    template = "reception/_patient_results.html" if partial else "reception/patient_search.html"
    # A partial answers 200 even for a bad query, so htmx swaps the message in while typing.
    return render(request, template, context, status=200 if partial else status)


@login_required
def patient_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = _staff_actor(request)
    try:
        patient = patient_demographics(
            actor=actor, patient=patient_get(patient_id=patient_id),
            via_search=request.GET.get("from") == "search",
        )
    except NotFound:
        raise Http404("No such patient.") from None
    except PermissionRefused as exc:
        raise PermissionDenied(exc.message) from None
    appointments = list(
        appointment_selectors.appointments_for(
            practice_ids=appointment_policy.appointment_practice_ids(actor), patient=patient
        )
    )
    now = timezone.now()
    upcoming = [a for a in appointments if a.start >= now]
    past = [a for a in appointments if a.start < now][::-1][:20]
    return render(request, "reception/patient.html", {
        "patient": patient, "upcoming": upcoming, "past": past,
    })


# Registration and demographics ----------------------------------------------------------------


def _apply_validation_error(form: PatientForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, exc)


def _practice_id(actor: Actor) -> int:
    if actor.practice_id is None:
        raise PermissionDenied("Only active practice staff can use reception pages.")
    return actor.practice_id


def _editable_patient(actor: Actor, patient_id: int) -> Patient:
    try:
        return patient_demographics(actor=actor, patient=patient_get(patient_id=patient_id))
    except NotFound:
        raise Http404("No such patient.") from None
    except PermissionRefused as exc:
        raise PermissionDenied(exc.message) from None


@login_required
def patient_register_page(request: HttpRequest) -> HttpResponse:
    return _patient_form_page(request, None)


@login_required
def patient_edit_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _patient_form_page(request, patient_id)


def _patient_form_page(request: HttpRequest, patient_id: int | None) -> HttpResponse:
    actor = _staff_actor(request)
    patient = _editable_patient(actor, patient_id) if patient_id is not None else None
    form = PatientForm(request.POST or None, instance=patient, practice_id=_practice_id(actor),
                       patient_id=patient_id)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if patient is None:
                    saved = patient_register(actor=actor, data=form.cleaned_data)
                    messages.success(request, f"{saved.full_name} is registered.")
                else:
                    # The form has already copied the input onto ``patient``: start the service
                    # from the stored row so that it sees (and audits) what changed.
                    stored = patient_get(patient_id=patient.pk)
                    saved = patient_update_demographics(
                        actor=actor, patient=stored, data=form.cleaned_data
                    )
                    messages.success(request, f"{saved.full_name}'s details are saved.")
                return redirect("reception-patient", patient_id=saved.pk)
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            except PermissionRefused as exc:
                raise PermissionDenied(exc.message) from None
        status = 400
    return render(request, "reception/patient_form.html", {
        "form": form, "patient": patient,
    }, status=status)


@login_required
@require_POST
def patient_validate_field(request: HttpRequest) -> HttpResponse:
    """One field of the patient form checked on blur (htmx): its form group, with any error."""
    actor = _staff_actor(request)
    name = request.POST.get("validate", "")
    raw_id = request.POST.get("patient_id", "")
    patient = _editable_patient(actor, int(raw_id)) if raw_id.isdigit() else None
    form = PatientForm(request.POST, instance=patient, practice_id=_practice_id(actor),
                       patient_id=patient.pk if patient else None)
    if name not in BLUR_VALIDATED:
        return HttpResponse("Unknown field.", status=400)
    form.is_valid()
    field = form[name]
    return HttpResponse(field.as_field_group())
