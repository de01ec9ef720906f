"""The clinician's pages: today's list, calling a patient in, writing the consultation and
finishing the appointment. Thin views over the appointment and record services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from appointments.models import LIVE_CONDITION, Appointment, AppointmentStatus
from appointments.selectors import appointment_visible, appointments_for
from appointments.services.attendance import appointment_finish, appointment_start
from audit.access import require_access
from common.errors import PermissionRefused, ServiceError
from policy.actor import Actor, actor_for_request
from policy.appointments import appointment_practice_ids
from policy.clinical import my_list_decision
from policy.records import RecordAction
from records.forms import (
    ENTRY_FORMS,
    AllergyAcknowledgeForm,
    ConsultationForm,
    ObservationsForm,
)
from records.selectors.history import consultations_for_appointment
from records.services.allergies import AcknowledgeReasonMissing, AllergyConflictError
from records.services.entries import entry_create
from records.services.observations import observations_record
from records.views import form_error, refused_page

S = AppointmentStatus


def _my_appointments(actor: Actor) -> list[Appointment]:
    today = timezone.localdate()
    appointments = list(
        appointments_for(
            practice_ids=appointment_practice_ids(actor), clinician=actor.staff, date=today
        ).filter(LIVE_CONDITION)
    )
    now = timezone.now()
    for appointment in appointments:
        waited = None
        if appointment.status == S.ARRIVED and appointment.arrived_at is not None:
            waited = max(0, int((now - appointment.arrived_at).total_seconds() // 60))
        appointment.waiting_minutes = waited  # type: ignore[attr-defined]
    return appointments


@login_required
def my_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    decision = my_list_decision(actor)
    if not decision.allowed:
        return refused_page(request, decision.message)
    context = {"appointments": _my_appointments(actor), "today": timezone.localdate(),
               "statuses": S}
    if request.headers.get("HX-Request"):
        return render(request, "clinical/_my_list_table.html", context)
    return render(request, "clinical/my_list.html", context)


def _appointment_or_404(actor: Actor, pk: int) -> Appointment:
    appointment = appointment_visible(actor=actor, pk=pk)
    if appointment is None:
        raise Http404("No appointment with that id.")
    return appointment


@login_required
@require_POST
def call_in(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    decision = my_list_decision(actor)
    if not decision.allowed:
        return refused_page(request, decision.message)
    appointment = _appointment_or_404(actor, pk)
    try:
        appointment_start(appointment=appointment, actor=actor)
    except PermissionRefused as exc:
        return refused_page(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("clinical:my-list")
    return redirect("clinical:consultation", pk=appointment.pk)


def _gate(
    request: HttpRequest, actor: Actor, appointment: Appointment, entry_type: str = "consultation"
) -> HttpResponse | None:
    """Refuse (audited, with the policy's message) anyone who may not write this entry type."""
    try:
        require_access(actor=actor, patient=appointment.patient,
                       action=RecordAction.CREATE, entry_type=entry_type)
    except PermissionRefused as exc:
        return refused_page(request, exc.message, actor=actor, patient=appointment.patient)
    return None


def _sub_forms(**bound: Any) -> dict[str, Any]:
    forms: dict[str, Any] = {
        name: bound.get(name) or form_class(prefix=name) for name, form_class in ENTRY_FORMS.items()
    }
    forms["observation"] = bound.get("observation") or ObservationsForm(prefix="observation")
    return forms


@login_required
@require_http_methods(["GET", "POST"])
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    appointment = _appointment_or_404(actor, pk)
    if (refusal := _gate(request, actor, appointment)) is not None:
        return refusal
    form = ConsultationForm(request.POST or None, prefix="consultation")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v.strip() if isinstance(v, str) else v for k, v in form.cleaned_data.items()}
            try:
                entry_create(actor=actor, patient=appointment.patient, entry_type="consultation",
                             data={**data, "appointment": appointment,
                                   "consulted_at": timezone.now()})
            except PermissionRefused as exc:
                return refused_page(request, exc.message, actor=actor,
                                    patient=appointment.patient)
            except (ServiceError, ValidationError) as exc:
                form_error(form, exc)
            else:
                messages.info(request, "Consultation saved.")
                return redirect("clinical:consultation", pk=appointment.pk)
        status = 400
    saved = consultations_for_appointment(
        actor=actor, patient=appointment.patient, appointment_id=appointment.pk
    )
    return render(request, "clinical/consultation.html", {
        "appointment": appointment, "patient": appointment.patient, "form": form,
        "sub_forms": _sub_forms(), "statuses": S, "saved": saved,
    }, status=status)


@login_required
@require_POST
def add_entry(request: HttpRequest, pk: int, entry_type: str) -> HttpResponse:
    """An htmx sub-form: add a problem, medication, allergy or a set of observations.

    A medication that conflicts with a recorded allergy comes back (422) with the warning
    where the GP is looking, a checkbox and a reason; sent again with both, it is saved."""
    actor = actor_for_request(request)
    appointment = _appointment_or_404(actor, pk)
    if entry_type != "observation" and entry_type not in ENTRY_FORMS:
        raise Http404("Unknown entry type.")
    if (refusal := _gate(request, actor, appointment, entry_type)) is not None:
        return refusal
    form_class = ObservationsForm if entry_type == "observation" else ENTRY_FORMS[entry_type]
    form = form_class(request.POST, prefix=entry_type)
    ack_form = AllergyAcknowledgeForm(request.POST, prefix=f"{entry_type}-ack")
    warning: list[str] = []
    added = ""
    status = 400
    if form.is_valid() and ack_form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            if entry_type == "observation":
                recorded = observations_record(actor=actor, patient=appointment.patient, **data)
                added = ", ".join(str(o) for o in recorded)
            else:
                entry = entry_create(
                    actor=actor, patient=appointment.patient, entry_type=entry_type, data=data,
                    acknowledge=ack_form.cleaned_data["acknowledge"],
                    acknowledge_reason=ack_form.cleaned_data["reason"],
                )
                added = str(getattr(entry, "title", None) or getattr(entry, "name", None)
                            or getattr(entry, "substance", ""))
                if getattr(entry, "allergy_override_reason", ""):
                    added += " (allergy warning acknowledged)"
        except PermissionRefused as exc:
            return refused_page(request, exc.message, actor=actor, patient=appointment.patient)
        except AllergyConflictError as exc:
            warning, status = exc.lines, 422
        except AcknowledgeReasonMissing as exc:
            warning, status = exc.lines, 422
            ack_form.add_error("reason", exc.message)
        except (ServiceError, ValidationError) as exc:
            form_error(form, exc)
        else:
            form = form_class(prefix=entry_type)
            ack_form = AllergyAcknowledgeForm(prefix=f"{entry_type}-ack")
            status = 200
    context = {"appointment": appointment, "entry_type": entry_type, "form": form,
               "added": added, "allergy_warning": warning, "ack_form": ack_form}
    if request.headers.get("HX-Request"):
        return render(request, "clinical/_entry_form.html", context, status=status)
    if status == 200:
        messages.info(request, f"Added {entry_type}: {added}.")
        return redirect("clinical:consultation", pk=appointment.pk)
    return render(request, "clinical/consultation.html", {
        "appointment": appointment, "patient": appointment.patient,
        "form": ConsultationForm(prefix="consultation"),
        "sub_forms": _sub_forms(**{entry_type: form}), "statuses": S,
        "allergy_warning": warning, "ack_form": ack_form, "warned_type": entry_type,
    }, status=status)


@login_required
@require_POST
def finish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    appointment = _appointment_or_404(actor, pk)
    if (refusal := _gate(request, actor, appointment)) is not None:
        return refusal
    try:
        appointment_finish(appointment=appointment, actor=actor)
    except PermissionRefused as exc:
        return refused_page(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("clinical:consultation", pk=appointment.pk)
    messages.info(request, f"Appointment with {appointment.patient.full_name} finished.")
    return redirect("clinical:patient", pk=appointment.patient_id)
