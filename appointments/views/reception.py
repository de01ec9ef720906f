"""Reception pages for the appointment book: the day book, booking, next available, and the
changes made at the desk (cancel, move, arrived, DNA, note). Thin views: every rule lives in
``policy.appointments`` and the booking services, exactly as for the API."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from appointments import selectors
from appointments.models import Appointment, AppointmentType, Channel, Mode, Slot
from appointments.services import attendance
from appointments.services.booking import (
    SLOT_TAKEN,
    appointment_book,
    appointment_cancel,
    appointment_note_set,
    appointment_reschedule,
)
from common.errors import Conflict, NotFound, PermissionRefused, ServiceError
from patients.models import Patient
from patients.selectors import patient_demographics, patient_get
from policy import appointments as policy
from policy.actor import Actor, actor_for_request
from practices.models import Site
from staff.roles import Role

NEXT_AVAILABLE_COUNT = 10


class BadRequest(Exception):
    """Input the page cannot use: shown again with the message and a 400."""


def _staff_actor(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    try:
        policy.require_staff(actor)
    except PermissionRefused as exc:
        raise PermissionDenied(exc.message) from None
    return actor


def _practice_id(actor: Actor) -> int:
    if actor.practice_id is None:  # _staff_actor has refused anyone without a practice
        raise PermissionDenied(policy.NO_STAFF_MESSAGE)
    return actor.practice_id


def _parse_day(raw: str | None) -> datetime.date:
    if not raw:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{raw!r} is not a date: use the date picker (yyyy-mm-dd).") from None


def _chosen_sites(actor: Actor, raw: str | None) -> tuple[list[Site], list[Site], str]:
    """(sites shown, sites the actor may open, the site choice as a string)."""
    allowed = selectors.book_sites(actor=actor)
    if not raw:
        return allowed, allowed, ""
    try:
        site_id = int(raw)
    except ValueError:
        raise BadRequest("Choose a site from the list.") from None
    chosen = [s for s in allowed if s.pk == site_id]
    if not chosen:
        raise Http404("No such site in your practice.")
    return chosen, allowed, str(site_id)


def _slot_for(actor: Actor, slot_id: int) -> Slot:
    slot = (
        Slot.objects.select_related("site", "practice", "clinician__user", "appointment_type")
        .filter(pk=slot_id, practice_id=_practice_id(actor))
        .first()
    )
    if slot is None:
        raise Http404("No such slot in your practice's book.")
    return slot


def _patient_for(actor: Actor, raw: Any) -> Patient | None:
    if raw in (None, ""):
        return None
    try:
        patient = patient_get(patient_id=int(raw))
        return patient_demographics(actor=actor, patient=patient)
    except (TypeError, ValueError):
        raise BadRequest("Choose a patient from the search results.") from None
    except NotFound:
        raise Http404("No such patient.") from None
    except PermissionRefused as exc:
        raise PermissionDenied(exc.message) from None


def _appointment_for(actor: Actor, pk: int) -> Appointment:
    appointment = selectors.appointment_visible(actor=actor, pk=pk)
    if appointment is None:
        raise Http404("No such appointment.")
    return appointment


# The day book -------------------------------------------------------------------------------


@login_required
def day_book(request: HttpRequest) -> HttpResponse:
    actor = _staff_actor(request)
    partial = request.GET.get("partial") == "1"
    try:
        day = _parse_day(request.GET.get("date"))
        sites, allowed, site_choice = _chosen_sites(actor, request.GET.get("site"))
    except BadRequest as exc:
        if partial:  # the live refresh swaps this into the grid: the message, not a page
            return HttpResponse(format_html('<p class="nhsuk-error-message">{}</p>', exc),
                                status=400)
        return render(request, "reception/book.html", {
            "error": str(exc), "sites": selectors.book_sites(actor=actor),
            "day": timezone.localdate(), "site_choice": "",
        }, status=400)
    book = selectors.day_book(sites=sites, day=day)
    context = {
        "book": book, "day": day, "sites": allowed, "site_choice": site_choice,
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        "refreshed_at": timezone.localtime(),
    }
    template = "reception/_book_grid.html" if partial else "reception/book.html"
    return render(request, template, context)


# Booking --------------------------------------------------------------------------------------


def _alternatives(actor: Actor, slot: Slot) -> list[Slot]:
    """The next free slots like ``slot`` (same role and type) at any of the practice's sites."""
    return list(
        selectors.slots_available(
            practice=slot.practice_id, channel=Channel.RECEPTION, role=slot.role,
            appointment_type=slot.appointment_type_id, after=slot.start,
        )[:5]
    )


@login_required
def slot_book(request: HttpRequest, slot_id: int) -> HttpResponse:
    actor = _staff_actor(request)
    slot = _slot_for(actor, slot_id)
    now = timezone.now()
    embargoed = slot.release_at is not None and slot.release_at > now
    source = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {
        "slot": slot, "embargoed": embargoed, "errors": [],
        "note": source.get("note", ""), "reason": source.get("embargo_override_reason", ""),
    }
    try:
        context["patient"] = _patient_for(actor, source.get("patient"))
    except BadRequest as exc:
        context["errors"].append(("#patient-search", str(exc)))
        return render(request, "reception/slot_book.html", context, status=400)
    if request.method != "POST":
        return render(request, "reception/slot_book.html", context)
    patient = context["patient"]
    if patient is None:
        context["errors"].append(("#patient-search", "Choose a patient to book."))
        return render(request, "reception/slot_book.html", context, status=400)
    try:
        appointment = appointment_book(
            slot=slot, patient=patient, actor=actor, note=context["note"],
            embargo_override_reason=context["reason"] if embargoed else "",
        )
    except Conflict as exc:
        context["errors"].append(("", exc.message))
        if exc.message == SLOT_TAKEN:
            context["taken"] = True
            context["alternatives"] = _alternatives(actor, slot)
        return render(request, "reception/slot_book.html", context, status=409)
    except PermissionRefused as exc:
        context["errors"].append(("", exc.message))
        return render(request, "reception/slot_book.html", context, status=403)
    except ServiceError as exc:
        anchor = "#embargo_override_reason" if exc.code == "embargoed" else ""
        context["errors"].append((anchor, exc.message))
        return render(request, "reception/slot_book.html", context, status=400)
    messages.success(
        request,
        f"Booked {patient.full_name} with {slot.clinician.display_name} at {slot.site.name}, "
        f"{timezone.localtime(appointment.start):%H:%M on %A %d %B}.",
    )
    return redirect(f"{reverse('reception-book')}?date={timezone.localtime(slot.start).date()}")


@login_required
def next_available(request: HttpRequest) -> HttpResponse:
    """The earliest free slots across the practice's sites for a role, type, mode and site."""
    actor = _staff_actor(request)
    sites = selectors.book_sites(actor=actor)
    types = list(
        AppointmentType.objects.filter(practice_id=_practice_id(actor), active=True)
        .order_by("name")
    )
    context: dict[str, Any] = {
        "sites": sites, "types": types, "roles": Role.choices, "modes": Mode.choices,
        "values": request.GET, "errors": [], "searched": False,
    }
    status = 200
    try:
        context["patient"] = _patient_for(actor, request.GET.get("patient"))
        moving = request.GET.get("reschedule")
        context["moving"] = _appointment_for(actor, int(moving)) if moving else None
    except (BadRequest, ValueError) as exc:
        context["errors"].append(("", str(exc) if isinstance(exc, BadRequest) else
                                  "That appointment reference is not valid."))
        return render(request, "reception/next_available.html", context, status=400)
    if request.GET.get("search"):
        filters: dict[str, Any] = {}
        role = request.GET.get("role", "")
        if role and role not in Role.values:
            context["errors"].append(("#role", "Choose a role from the list."))
        elif role:
            filters["role"] = role
        mode = request.GET.get("mode", "")
        if mode and mode not in Mode.values:
            context["errors"].append(("#mode", "Choose a mode from the list."))
        elif mode:
            filters["mode"] = mode
        for name, choices in (("appointment_type", types), ("site", sites)):
            raw = request.GET.get(name, "")
            if not raw:
                continue
            match = [c for c in choices if str(c.pk) == raw]
            if not match:
                context["errors"].append((f"#{name}", f"Choose a {name.replace('_', ' ')} "
                                          "from the list."))
            else:
                filters[name] = match[0]
        if context["errors"]:
            status = 400
        else:
            context["searched"] = True
            context["slots"] = list(
                selectors.slots_available(
                    practice=_practice_id(actor), channel=Channel.RECEPTION,
                    **filters,
                )[:NEXT_AVAILABLE_COUNT]
            )
    return render(request, "reception/next_available.html", context, status=status)


# Changing an appointment ----------------------------------------------------------------------

ACTIONS = ("cancel", "arrived", "dna", "note")


@login_required
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff_actor(request)
    appointment = _appointment_for(actor, pk)
    context: dict[str, Any] = {"appointment": appointment, "errors": [], "values": request.POST}
    if request.method != "POST":
        return render(request, "reception/appointment.html", context)
    action = request.POST.get("action", "")
    try:
        if action == "cancel":
            appointment_cancel(
                appointment=appointment, actor=actor, by=request.POST.get("by", ""),
                reason=request.POST.get("reason", ""),
            )
            done = "Appointment cancelled; the slot is free again."
        elif action == "arrived":
            attendance.appointment_arrive(appointment=appointment, actor=actor)
            done = f"{appointment.patient.full_name} marked as arrived."
        elif action == "dna":
            attendance.appointment_mark_dna(appointment=appointment, actor=actor)
            done = f"{appointment.patient.full_name} marked as did not attend."
        elif action == "note":
            appointment_note_set(
                appointment=appointment, actor=actor, note=request.POST.get("note", "")
            )
            done = "Booking note saved."
        else:
            raise ServiceError("Choose what to do with the appointment.")
    except ServiceError as exc:
        status = 403 if isinstance(exc, PermissionRefused) else (
            409 if isinstance(exc, Conflict) else 400)
        anchor = {"cancel": "#reason", "note": "#note"}.get(action, "")
        context["errors"].append((anchor, exc.message))
        return render(request, "reception/appointment.html", context, status=status)
    messages.success(request, done)
    return redirect("reception-appointment", pk=appointment.pk)


@login_required
@require_POST
def appointment_move(request: HttpRequest, pk: int, slot_id: int) -> HttpResponse:
    actor = _staff_actor(request)
    appointment = _appointment_for(actor, pk)
    slot = _slot_for(actor, slot_id)
    try:
        appointment_reschedule(
            appointment=appointment, slot=slot, actor=actor,
            embargo_override_reason=request.POST.get("embargo_override_reason", ""),
        )
    except ServiceError as exc:
        status = 403 if isinstance(exc, PermissionRefused) else (
            409 if isinstance(exc, Conflict) else 400)
        context = {"appointment": appointment, "errors": [("", exc.message)], "values": {}}
        if exc.message == SLOT_TAKEN:
            context["alternatives"] = _alternatives(actor, slot)
        return render(request, "reception/appointment.html", context, status=status)
    messages.success(
        request, f"Moved to {timezone.localtime(slot.start):%H:%M on %A %d %B} with "
        f"{slot.clinician.display_name} at {slot.site.name}.",
    )
    return redirect("reception-appointment", pk=appointment.pk)
