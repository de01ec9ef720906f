"""The patient record pages. Views parse input and call the record selectors and services,
which ask the policy and write the audit; a refusal is shown with the policy's own message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import NotFound, PermissionRefused, ServiceError
from patients.models import Patient
from patients.selectors import patient_get
from policy.actor import Actor, actor_for_request
from policy.records import ENTRY_TYPES, RecordAction, decide
from records.clinical import Change
from records.forms import AmendConsultationForm, BreakGlassForm, EnteredInErrorForm
from records.selectors.history import consultation_history, entry_history
from records.selectors.summary import patient_summary
from records.services.break_glass import break_glass_start
from records.services.entries import entry_amend, entry_mark_entered_in_error


def refused_page(
    request: HttpRequest,
    message: str,
    *,
    actor: Actor | None = None,
    patient: Patient | None = None,
    form: Any = None,
    status: int = 403,
) -> HttpResponse:
    """The refusal, in the policy's words; with a break-glass form when the policy allows one.

    The page never names the patient: someone with no relationship stepping through ids must
    learn nothing about who they are (only the id they asked for is shown back to them).
    """
    can_break_glass = False
    if actor is not None and patient is not None:
        can_break_glass = decide(actor, RecordAction.BREAK_GLASS, patient).allowed
    if can_break_glass and form is None:
        form = BreakGlassForm()
    return render(
        request,
        "clinical/refused.html",
        {
            "message": message,
            "patient_id": patient.pk if patient is not None else None,
            "form": form if can_break_glass else None,
        },
        status=status,
    )


def form_error(form: Any, exc: Exception) -> None:
    """Put a service's message (or a model ValidationError's field messages) on the form."""
    message_dict = getattr(exc, "message_dict", None)
    if message_dict:
        for field, errors in message_dict.items():
            name = field if field in form.fields else None
            for error in errors:
                form.add_error(name, error)
    else:
        text = getattr(exc, "message", None)
        if not isinstance(text, str) or not text:
            text = "; ".join(getattr(exc, "messages", [str(exc)]))
        form.add_error(None, text)


def _patient_or_404(pk: int) -> Patient:
    try:
        return patient_get(patient_id=pk)
    except NotFound:
        raise Http404("No patient with that id.") from None


def _entry_type_or_404(entry_type: str) -> str:
    if entry_type not in ENTRY_TYPES:
        raise Http404("Unknown entry type.")
    return entry_type


@login_required
def patient_record(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    patient = _patient_or_404(pk)
    try:
        summary = patient_summary(actor=actor, patient=patient)
        history = consultation_history(actor=actor, patient=patient)
    except PermissionRefused as exc:
        return refused_page(request, exc.message, actor=actor, patient=patient)
    return render(request, "clinical/record.html", {
        "patient": patient, "summary": summary, "history": history,
        "entered_in_error": Change.ENTERED_IN_ERROR,
    })


@login_required
@require_POST
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    patient = _patient_or_404(pk)
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            break_glass_start(actor=actor, patient=patient, reason=form.cleaned_data["reason"])
        except PermissionRefused as exc:
            return refused_page(request, exc.message, actor=actor, patient=patient)
        except (ServiceError, ValidationError) as exc:
            form_error(form, exc)
        else:
            messages.info(request, "Break-glass access recorded. The practice manager will "
                                   "review it. Access ends in 4 hours.")
            return redirect("clinical:patient", pk=patient.pk)
    message = "No legitimate relationship with this patient."
    return refused_page(request, message, actor=actor, patient=patient, form=form, status=400)


@login_required
def entry_versions(request: HttpRequest, pk: int, entry_type: str, entry_id: int) -> HttpResponse:
    actor = actor_for_request(request)
    patient = _patient_or_404(pk)
    entry_type = _entry_type_or_404(entry_type)
    try:
        versions = entry_history(
            actor=actor, patient=patient, entry_type=entry_type, entry_id=entry_id
        )
    except PermissionRefused as exc:
        return refused_page(request, exc.message, actor=actor, patient=patient)
    except NotFound:
        raise Http404("No such entry.") from None
    return render(request, "clinical/entry_history.html", {
        "patient": patient, "entry_type": entry_type, "versions": versions,
        "current": versions[-1], "entered_in_error": Change.ENTERED_IN_ERROR,
    })


@login_required
@require_http_methods(["GET", "POST"])
def entry_entered_in_error(
    request: HttpRequest, pk: int, entry_type: str, entry_id: int
) -> HttpResponse:
    actor = actor_for_request(request)
    patient = _patient_or_404(pk)
    entry_type = _entry_type_or_404(entry_type)
    try:
        versions = entry_history(
            actor=actor, patient=patient, entry_type=entry_type, entry_id=entry_id
        )
    except PermissionRefused as exc:
        return refused_page(request, exc.message, actor=actor, patient=patient)
    except NotFound:
        raise Http404("No such entry.") from None
    form = EnteredInErrorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry_mark_entered_in_error(
                    actor=actor, patient=patient, entry_type=entry_type, entry_id=entry_id,
                    reason=form.cleaned_data["reason"],
                )
            except PermissionRefused as exc:
                return refused_page(request, exc.message, actor=actor, patient=patient)
            except (ServiceError, ValidationError) as exc:
                form_error(form, exc)
            else:
                messages.info(request, f"The {entry_type} was marked entered in error.")
                return redirect("clinical:patient", pk=patient.pk)
        status = 400
    return render(request, "clinical/entered_in_error.html", {
        "patient": patient, "entry_type": entry_type, "current": versions[-1], "form": form,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_amend(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    actor = actor_for_request(request)
    patient = _patient_or_404(pk)
    try:
        versions = entry_history(
            actor=actor, patient=patient, entry_type="consultation", entry_id=entry_id
        )
    except PermissionRefused as exc:
        return refused_page(request, exc.message, actor=actor, patient=patient)
    except NotFound:
        raise Http404("No such consultation.") from None
    current: Any = versions[-1]
    fields = ("history", "examination", "plan", "snomed_concept_id", "snomed_term")
    form = AmendConsultationForm(
        request.POST or None, initial={name: getattr(current, name) for name in fields}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in fields}
            try:
                entry_amend(
                    actor=actor, patient=patient, entry_type="consultation",
                    entry_id=current.pk, changes=changes, reason=form.cleaned_data["reason"],
                )
            except PermissionRefused as exc:
                return refused_page(request, exc.message, actor=actor, patient=patient)
            except (ServiceError, ValidationError) as exc:
                form_error(form, exc)
            else:
                messages.info(request, "The consultation was amended; the previous version is "
                                       "kept and can be viewed.")
                return redirect("clinical:patient", pk=patient.pk)
        status = 400
    return render(request, "clinical/consultation_amend.html", {
        "patient": patient, "current": current, "form": form,
    }, status=status)
