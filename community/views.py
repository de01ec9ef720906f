"""Community pages (NHS.UK design system). Views parse, ask the policy, call one service."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from common.errors import PermissionRefused, ServiceError
from community import selectors
from community.forms import (
    ContactForm,
    DirectorySearchForm,
    ImportForm,
    OutcomeForm,
    ReferralForm,
    ReportFilterForm,
    ResourceForm,
)
from community.models import FollowUp
from community.services import directory as directory_services
from community.services.follow_ups import follow_up_record_outcome
from community.services.imports import MAX_IMPORT_BYTES, ImportRefused, directory_import
from community.services.referrals import (
    referral_create,
    referral_decline,
    referral_log_contact,
)
from patients.models import Patient
from policy.actor import Actor, actor_for_request
from policy.community import (
    locality_id_for,
    may_add_resource,
    may_curate,
    may_import_directory,
    may_log_contact,
    may_record_outcome,
    may_refer,
    may_see_caseload,
    may_see_everyones_stale_entries,
    may_view_report,
    referral_link_workers_q,
    referrals_visible_to,
    report_scope,
)
from staff.models import StaffMember


def _locality_or_403(actor: Actor) -> int:
    locality_id = locality_id_for(actor)
    if locality_id is None:
        raise PermissionDenied("Your practice is not in a locality with a shared directory.")
    return locality_id


def _form_error(form: Any, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = field if field in form.fields else None
            for error in errors:
                form.add_error(name, error)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc)
    else:
        form.add_error(None, getattr(exc, "message", str(exc)))


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    locality_id = _locality_or_403(actor)
    form = DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    resources = list(
        selectors.resources_search(
            locality_id=locality_id,
            words=filters.get("q", ""),
            category=filters.get("category", ""),
            area=filters.get("area", ""),
        )[:100]
    )
    return render(request, "community/directory.html", {
        "form": form, "resources": resources, "searched": bool(request.GET),
        "can_add": may_add_resource(actor, locality_id=locality_id),
        "can_import": may_import_directory(actor, locality_id=locality_id),
    })


@login_required
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    resource = selectors.resource_get(locality_id=_locality_or_403(actor), pk=pk)
    if resource is None:
        raise Http404
    return render(request, "community/resource_detail.html", {
        "resource": resource, "can_curate": may_curate(actor, resource),
    })


@login_required
def resource_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = actor_for_request(request)
    locality_id = _locality_or_403(actor)
    resource = None
    if pk is not None:
        resource = selectors.resource_get(locality_id=locality_id, pk=pk)
        if resource is None:
            raise Http404
        if not may_curate(actor, resource):
            raise PermissionDenied("Only the curator or a practice manager can edit this entry.")
    elif not may_add_resource(actor, locality_id=locality_id):
        raise PermissionDenied("You cannot add directory entries.")
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if resource is None:
                resource = directory_services.resource_create(actor=actor, **fields)
            else:
                resource = directory_services.resource_update(
                    actor=actor, resource=resource, **fields
                )
        except (ServiceError, ValidationError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Saved {resource.name}. It is marked as checked today.")
            return redirect("community:resource", pk=resource.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "community/resource_form.html",
                  {"form": form, "resource": resource}, status=status)


@login_required
@require_POST
def resource_checked(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    resource = selectors.resource_get(locality_id=_locality_or_403(actor), pk=pk)
    if resource is None:
        raise Http404
    try:
        directory_services.resource_mark_checked(actor=actor, resource=resource)
    except ServiceError as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, f"{resource.name} is marked as checked today.")
    return redirect(request.POST.get("next") or reverse("community:stale"))


@login_required
def directory_import_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    locality_id = _locality_or_403(actor)
    if not may_import_directory(actor, locality_id=locality_id):
        raise PermissionDenied("Only practice managers and curators can import.")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", "The file is larger than 5 MB.")
        else:
            try:
                result = directory_import(actor=actor, locality_id=locality_id,
                                          text=upload.read())
            except ImportRefused as refused:
                problems = refused.problems
                form.add_error("file", refused.message)
            else:
                messages.success(request, f"Imported: {result.created} new entries, "
                                          f"{result.updated} updated.")
                return redirect("community:directory")
    status = 400 if request.method == "POST" else 200
    return render(request, "community/import.html", {"form": form, "problems": problems},
                  status=status)


@login_required
def stale_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    locality_id = _locality_or_403(actor)
    mine = list(selectors.resources_stale_for_curator(
        curator_id=actor.user.pk, locality_id=locality_id))
    everyone = (
        selectors.resources_stale_by_curator(locality_id=locality_id)
        if may_see_everyones_stale_entries(actor) else {}
    )
    return render(request, "community/stale.html", {"mine": mine, "everyone": everyone})


def _referral_choices(actor: Actor, locality_id: int | None) -> dict[str, Any]:
    link_workers = StaffMember.objects.filter(
        referral_link_workers_q(actor, locality_id=locality_id)
    ).select_related("user", "practice")
    resources = (
        selectors.resources_search(locality_id=locality_id).select_related(None).only(
            "pk", "name")
        if locality_id is not None else []
    )
    return {"link_workers": list(link_workers), "resources": list(resources)}


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not actor.is_clinician:
        raise PermissionDenied("Only clinicians and link workers make referrals.")
    locality_id = locality_id_for(actor)
    choices = _referral_choices(actor, locality_id)
    form = ReferralForm(request.POST or None, initial={"nhs_number": request.GET.get(
        "nhs_number", "")}, **choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        patient = Patient.objects.select_related("registered_practice").filter(
            nhs_number=data["nhs_number"]).first()
        link_worker = next((lw for lw in choices["link_workers"]
                            if lw.pk == data["link_worker"]), None)
        resource = selectors.resource_get(locality_id=locality_id, pk=data["resource"]) \
            if data["resource"] and locality_id else None
        if patient is None or not may_refer(actor, patient=patient):
            form.add_error("nhs_number", "No patient registered at your practice has that "
                                         "NHS number.")
        else:
            try:
                referral = referral_create(
                    actor=actor, patient=patient, needs=data["needs"],
                    link_worker=link_worker, resource=resource, note=data["note"],
                )
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"Referred {patient.full_name} (SNOMED CT "
                                          f"{referral.snomed_code}).")
                return redirect("community:referral", pk=referral.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "community/referral_form.html", {"form": form}, status=status)


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    referral = selectors.referral_get(scope=referrals_visible_to(actor), pk=pk)
    if referral is None:
        raise Http404
    can_log = may_log_contact(actor, referral=referral)
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        if not can_log:
            raise PermissionDenied("Only the link worker or the referrer can log contacts.")
        if form.is_valid():
            try:
                referral_log_contact(actor=actor, referral=referral, **form.cleaned_data)
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "Contact logged.")
                return redirect("community:referral", pk=referral.pk)
    contacts = list(referral.contacts.select_related("recorded_by"))
    status = 400 if request.method == "POST" else 200
    return render(request, "community/referral_detail.html", {
        "referral": referral, "contacts": contacts, "form": form, "can_log": can_log,
    }, status=status)


@login_required
@require_POST
def referral_declined(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    referral = selectors.referral_get(scope=referrals_visible_to(actor), pk=pk)
    if referral is None:
        raise Http404
    try:
        referral_decline(actor=actor, referral=referral)
    except PermissionRefused as exc:
        raise PermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Recorded as social prescribing declined (871711000000103).")
    return redirect("community:referral", pk=pk)


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if actor.staff is None or not may_see_caseload(actor, link_worker=actor.staff):
        raise PermissionDenied("Caseloads are for link workers.")
    referrals = list(selectors.caseload(link_worker=actor.staff))
    return render(request, "community/caseload.html", {"referrals": referrals})


@login_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not actor.is_staff_member:
        raise PermissionDenied("Follow-ups are for practice staff.")
    todo = list(selectors.follow_ups_to_record(user_id=actor.user.pk))
    return render(request, "community/follow_ups.html", {"follow_ups": todo})


@login_required
def follow_up_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    follow_up = (
        FollowUp.objects.select_related("referral__patient", "referral__resource")
        .filter(pk=pk).first()
    )
    if follow_up is None or not may_record_outcome(actor, follow_up=follow_up):
        raise Http404
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            follow_up_record_outcome(
                actor=actor, follow_up=follow_up, outcome=data["outcome"],
                stopped_reason=data["stopped_reason"], ons4=data["ons4"],
                swemwbs_items=data["swemwbs_items"],
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Outcome recorded.")
            return redirect("community:follow-ups")
    status = 400 if request.method == "POST" else 200
    return render(request, "community/outcome_form.html",
                  {"form": form, "follow_up": follow_up}, status=status)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not may_view_report(actor):
        raise PermissionDenied("The outcomes report is for managers, GPs and link workers.")
    form = ReportFilterForm(request.GET or None)
    dates = form.cleaned_data if form.is_valid() else {}
    result = selectors.outcomes_report(
        scope=report_scope(actor), start=dates.get("start"), end=dates.get("end")
    )
    if request.GET.get("format") == "csv":
        return _report_csv(result)
    sections = [(name, label, result.by[name]) for name, label in result.DIMENSIONS]
    return render(request, "community/report.html", {
        "form": form, "report": result, "sections": sections,
        "csv_query": request.GET.urlencode(),
    })


def _cell(text: str) -> str:
    """Stop a spreadsheet reading a resource name such as "=HYPERLINK(...)" as a formula."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _report_csv(result: selectors.OutcomesReport) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="social-prescribing-outcomes.csv"'
    writer = csv.writer(response)
    writer.writerow(["group", "name", "referred", "followed up", "still engaged at 4 weeks",
                     "still engaged (%)"])
    writer.writerow(["all", result.total.label, result.total.referred,
                     result.total.followed_up, result.total.engaged,
                     result.total.engaged_percent])
    for name, _label in result.DIMENSIONS:
        for row in result.by[name]:
            writer.writerow([name, _cell(row.label), row.referred, row.followed_up, row.engaged,
                             row.engaged_percent])
    return response


