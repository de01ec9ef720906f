"""The practice manager's pages: landing page, audit log with CSV export, break-glass reviews.
They call the same audit selectors and services as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from audit.models import AuditAction
from audit.selectors import audit_events, audit_export_csv, staff_access_events
from audit.services import break_glass_review
from common.errors import PermissionRefused, ServiceError
from policy.actor import actor_for_request
from policy.clinical import manager_pages_decision
from records.views import refused_page

PAGE_SIZE = 50
ADMIN_LINKS = [
    ("Session templates (the rota)", "admin:appointments_sessiontemplate_changelist"),
    ("Rota exceptions (leave, training)", "admin:appointments_rotaexception_changelist"),
    ("Appointment types", "admin:appointments_appointmenttype_changelist"),
    ("Staff", "admin:staff_staffmember_changelist"),
    ("Staff access requests (new clinician or manager logins, changes of role)",
     "admin:staff_staffaccessrequest_changelist"),
]
DATE = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    """The manager searches in words: whose record, which member of staff, what and when."""

    patient = forms.CharField(
        label="Patient", required=False, max_length=100,
        help_text="NHS number or name, for example 999 000 0018 or Alex Patel",
    )
    staff = forms.CharField(
        label="Staff member", required=False, max_length=100, help_text="Name or login",
    )
    action = forms.ChoiceField(
        label="What they did", required=False,
        choices=[("", "Anything"), *AuditAction.choices],
    )
    since = forms.DateField(label="From", required=False, widget=DATE)
    until = forms.DateField(label="To", required=False, widget=DATE)
    break_glass = forms.BooleanField(label="Break-glass events only", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end date must not be before the start date.")
        return data

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "patient_words": data.get("patient") or "", "staff_words": data.get("staff") or "",
            "action": data.get("action") or "",
            "since": data.get("since"), "until": data.get("until"),
            "break_glass_only": bool(data.get("break_glass")),
        }


@login_required
def manager_home(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    decision = manager_pages_decision(actor)
    if not decision.allowed:
        return refused_page(request, decision.message)
    links = []
    for label, name in ADMIN_LINKS:
        try:
            links.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    unreviewed = audit_events(actor=actor, unreviewed_only=True).count()
    return render(request, "manager/home.html", {
        "admin_links": links, "unreviewed": unreviewed,
        "staff_access": staff_access_events(actor=actor),
    })


def _query(form: AuditFilterForm) -> str:
    return urlencode({k: v for k, v in form.data.items() if k != "page" and v})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    form = AuditFilterForm(request.GET or {})
    if not form.is_valid():
        # Still ask the selector, so that someone not allowed is refused (and audited).
        try:
            audit_events(actor=actor)
        except PermissionRefused as exc:
            return refused_page(request, exc.message)
        return render(request, "manager/audit.html",
                      {"form": form, "page": None, "export_query": None}, status=400)
    try:
        events = audit_events(actor=actor, **form.filters())
    except PermissionRefused as exc:
        return refused_page(request, exc.message)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query(form)
    return render(request, "manager/audit.html", {
        "form": form, "page": page if page.paginator.count else None,
        "export_query": query, "page_query": query,
    })


@login_required
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    actor = actor_for_request(request)
    form = AuditFilterForm(request.GET or {})
    if not form.is_valid():
        return redirect(f"{reverse('manager:audit')}?{_query(form)}")
    try:
        events = audit_events(actor=actor, **form.filters())
        lines = audit_export_csv(actor=actor, events=events)
    except PermissionRefused as exc:
        return refused_page(request, exc.message)
    response = StreamingHttpResponse(lines, content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response


@login_required
def break_glass_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    show_all = request.GET.get("all") == "1"
    try:
        events = audit_events(actor=actor, break_glass_only=True, unreviewed_only=not show_all)
    except PermissionRefused as exc:
        return refused_page(request, exc.message)
    return render(request, "manager/break_glass.html",
                  {"events": list(events[:200]), "show_all": show_all})


@login_required
@require_POST
def break_glass_mark_reviewed(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        break_glass_review(actor=actor, event_id=event_id, note=request.POST.get("note", ""))
    except PermissionRefused as exc:
        return refused_page(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, "Break-glass event marked reviewed.")
    return redirect("manager:break-glass")
