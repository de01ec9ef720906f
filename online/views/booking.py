"""Patient online booking and record pages under /patient/. Thin: the same selectors, policy
and booking services as reception and the API; every lookup is scoped to the patients the
signed-in user may act for, so anyone else's ids are a 404."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from appointments import selectors as appointment_selectors
from appointments.models import Slot
from appointments.services.booking import appointment_book, appointment_cancel
from audit.selectors import as_record_view, record_views_for_patient
from common.errors import ServiceError
from online.views.common import acting_patient, patient_required, render_patient_page
from patients.models import Patient
from policy.actor import Actor, actor_for_request
from practices.models import Site
from records.selectors.online import patient_online_record

SLOTS_SHOWN = 20
ACCESS_LOG_PAGE = 25


def acting_actor(request: HttpRequest, patient: Patient) -> Actor:
    """The request's actor, acting for ``patient`` (already scoped to the user)."""
    return dataclasses.replace(actor_for_request(request), requested_patient_id=patient.pk)


class SlotSearchForm(forms.Form):
    appointment_type = forms.TypedChoiceField(
        label="What do you need?", coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Choose what you need an appointment for."},
    )
    site = forms.TypedChoiceField(
        label="Where", coerce=int, required=False, empty_value=None, widget=forms.RadioSelect,
    )
    after = forms.DateField(
        label="From date", required=False,
        help_text="For example, 27/3/2026. Leave blank for the earliest.",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Enter the date as day/month/year, for example 27/3/2026."},
    )

    def __init__(self, *args: Any, types: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field: Any = self.fields["appointment_type"]
        site_field: Any = self.fields["site"]
        type_field.choices = [(t.pk, t.name) for t in types]
        site_field.choices = [("", "Either surgery")] + [
            (s.pk, f"{s.name}, {s.address_line1}, {s.town}") for s in sites
        ]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling?", max_length=300,
        help_text="For example, I feel better, or I cannot make this time.",
        error_messages={"required": "Tell us why you are cancelling.",
                        "max_length": "Keep the reason under 300 characters."},
    )


def _start_of(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=timezone.get_current_timezone())


@patient_required
def book(request: HttpRequest) -> HttpResponse:
    """Choose what you need and where; free online slots earliest first."""
    patient = acting_patient(request)
    practice_id = patient.registered_practice_id
    types = list(appointment_selectors.online_appointment_types(practice=practice_id))
    sites = list(Site.objects.filter(practice_id=patient.registered_practice_id).order_by("name"))
    searched = "search" in request.GET or "appointment_type" in request.GET
    form = SlotSearchForm(request.GET if searched else None, types=types, sites=sites)
    slots: list[Slot] = []
    status = 200
    if searched:
        if form.is_valid():
            slots = list(appointment_selectors.online_slots(
                patient=patient,
                appointment_type=form.cleaned_data["appointment_type"],
                site=form.cleaned_data["site"],
                after=_start_of(form.cleaned_data["after"]),
            )[:SLOTS_SHOWN])
        else:
            status = 400
    return render_patient_page(request, "patients/book.html", {
        "patient": patient, "acting_for_id": patient.pk, "form": form, "searched": searched,
        "slots": slots, "types": types,
    }, status=status)


@patient_required
@require_http_methods(["GET", "POST"])
def book_slot(request: HttpRequest, slot_id: int) -> HttpResponse:
    """Confirm and book one slot (through the same service as reception)."""
    patient = acting_patient(request)
    slot = appointment_selectors.online_slots(patient=patient).filter(pk=slot_id).first()
    if slot is None:
        raise Http404("That appointment is no longer available.")
    error = ""
    status = 200
    if request.method == "POST":
        try:
            appointment = appointment_book(
                slot=slot, patient=patient, actor=acting_actor(request, patient), channel="online"
            )
        except ServiceError as exc:
            error, status = str(exc), exc.status
        else:
            messages.success(
                request,
                "Your appointment is booked for "
                f"{timezone.localtime(appointment.start):%H:%M on %A %d %B %Y}"
                f" at {slot.site.name}.",
            )
            return redirect("patient-appointments")
    return render_patient_page(request, "patients/book_confirm.html", {
        "patient": patient, "acting_for_id": patient.pk, "slot": slot, "error": error,
    }, status=status)


@patient_required
def appointments(request: HttpRequest) -> HttpResponse:
    patient = acting_patient(request)
    upcoming, past = appointment_selectors.patient_upcoming_and_past(patient=patient)
    return render_patient_page(request, "patients/appointments.html", {
        "patient": patient, "acting_for_id": patient.pk, "upcoming": upcoming, "past": past,
    })


@patient_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = actor_for_request(request)
    appointment = appointment_selectors.patient_appointment(
        patient_ids=actor.patient_ids, pk=appointment_id
    )
    if appointment is None:
        raise Http404("No such appointment.")
    patient = appointment.patient
    status = 200
    form = CancelForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                appointment_cancel(
                    appointment=appointment, actor=acting_actor(request, patient), by="patient",
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
                status = exc.status
            else:
                messages.success(request, "Your appointment is cancelled.")
                return redirect("patient-appointments")
    return render_patient_page(request, "patients/cancel.html", {
        "patient": patient, "acting_for_id": patient.pk, "appointment": appointment, "form": form,
    }, status=status)


@patient_required
def record(request: HttpRequest) -> HttpResponse:
    patient = acting_patient(request)
    online = patient_online_record(actor=acting_actor(request, patient), patient=patient)
    return render_patient_page(request, "patients/record.html", {
        "patient": patient, "acting_for_id": patient.pk, "record": online,
    })


@patient_required
def record_access_log(request: HttpRequest) -> HttpResponse:
    patient = acting_patient(request)
    paginator = Paginator(record_views_for_patient(patient_id=patient.pk), ACCESS_LOG_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render_patient_page(request, "patients/record_access_log.html", {
        "patient": patient, "acting_for_id": patient.pk, "page": page,
        "views": [as_record_view(e) for e in page.object_list],
    })
