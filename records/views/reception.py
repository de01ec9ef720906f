"""Reception pages for patients: search as you type, the reception patient page, and (below)
registration and demographics. Reads go through ``records.selectors`` (which ask the policy
and write the audit trail); nothing here decides who may see whom."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from appointments import selectors as appointment_selectors
from common.errors import NotFound, PermissionRefused, ServiceError
from policy import appointments as appointment_policy
from policy.actor import Actor, actor_for_request
from records.selectors import patient_demographics, patient_get, patient_search


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
