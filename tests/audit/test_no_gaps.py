"""An audit with no gaps: walk every route of the URLconf (pages, API, admin) as each demo
login, and fail for any reply that shows a patient's name or NHS number without an audit event
for that patient written by that same request.

The world is the demo's own (``seed_demo``), plus for one patient an appointment with each
clinician, a referral to the link worker, a record entry and a proxy grant, so that every route
that can show a patient has one to show. Only GET is walked: it must not change anything.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from appointments.models import Appointment, Slot
from audit.models import AuditAction, AuditEvent
from community.models import FollowUp, Referral, Resource
from notifications.models import OutboxMessage
from online.models import PatientAccount, ProxyAccess
from patients.models import Patient
from staff.models import StaffMember
from tests.factories import ProblemFactory, make_appointment

pytestmark = pytest.mark.django_db(transaction=False)

STAFF_LOGINS = ["gp", "anp", "nurse", "physio", "hca", "pharmacist", "linkworker", "reception",
                "manager"]
PATIENT_LOGINS = ["patient@example.com", "patient2@example.com"]
SKIP = {
    # Sign-in, sign-out and password pages: no patient, and some end the session.
    "sign-out", "patient-sign-out", "admin:logout", "patient-password-reset-confirm",
    "admin:view_on_site", "admin:auth_user_password_change", "schema", "api-docs",
}
NOT_A_ROUTE = re.compile(r"\(\?P<url>")  # the admin's catch-all


@dataclass
class Route:
    template: str
    name: str
    params: list[str]


def _routes() -> list[Route]:
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                template = prefix + str(entry.pattern)
                name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
                if name in SKIP or NOT_A_ROUTE.search(template):
                    continue
                found.append(Route(template, name, re.findall(r"<(?:\w+:)?(\w+)>", template)))

    walk(get_resolver(), "/", "")
    return found


@dataclass
class World:
    patient: Patient
    ids: dict[str, Any]


def _world() -> World:
    call_command("seed_demo", "--patients", "12", stdout=StringIO())
    referral = Referral.objects.select_related("patient", "link_worker").order_by("pk").first()
    assert referral is not None, "the demo makes referrals"
    patient = referral.patient
    account = PatientAccount.objects.select_related("patient").first()
    assert account is not None
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    appointments = [
        make_appointment(patient=patient, clinician=staff, start=tomorrow.replace(
            hour=9 + i % 8, minute=0, second=0, microsecond=0) + datetime.timedelta(days=i // 8))
        for i, staff in enumerate(StaffMember.objects.filter(
            practice=patient.registered_practice, user__username__in=STAFF_LOGINS
        ).order_by("pk"))
    ]
    problem = ProblemFactory.create(patient=patient, title="Asthma")
    grant = ProxyAccess.objects.filter(patient=account.patient).first()
    follow_up = FollowUp.objects.filter(referral__patient=patient).first()
    outbox = OutboxMessage.objects.filter(patient=patient).first()
    slot = Slot.objects.filter(practice=patient.registered_practice, booked=False).first()
    ids: dict[str, Any] = {
        "patient": patient.pk,
        "appointment": appointments[0].pk,
        "referral": referral.pk,
        "resource": (Resource.objects.first() or referral).pk,
        "follow_up": follow_up.pk if follow_up else 1,
        "slot": slot.pk if slot else 1,
        "problem": problem.pk,
        "grant": grant.pk if grant else 1,
        "event": AuditEvent.objects.order_by("pk").values_list("pk", flat=True).first() or 1,
        "outbox": outbox.pk if outbox else 1,
        "account": account.pk,
    }
    return World(patient, ids)


ADMIN_OBJECT = {
    "patients_patient": "patient",
    "appointments_appointment": "appointment",
    "appointments_slot": "slot",
    "community_referral": "referral",
    "community_resource": "resource",
    "online_patientaccount": "account",
    "online_proxyaccess": "grant",
    "notifications_outboxmessage": "outbox",
    "audit_auditevent": "event",
}


def _url(route: Route, world: World) -> str | None:
    ids = world.ids
    values: dict[str, Any] = {}
    for param in route.params:
        if param == "patient_id":
            values[param] = ids["patient"]
        elif param == "slot_id":
            values[param] = ids["slot"]
        elif param == "grant_id":
            values[param] = ids["grant"]
        elif param == "event_id":
            values[param] = ids["event"]
        elif param == "appointment_id":
            values[param] = ids["appointment"]
        elif param == "entry_type":
            values[param] = "problem"
        elif param == "entry_id":
            values[param] = ids["problem"]
        elif param == "app_label":
            return None
        elif param == "object_id":
            model = route.name.split(":", 1)[1].rsplit("_", 1)[0]
            if model not in ADMIN_OBJECT:
                return None  # objects that hold no patient
            values[param] = ids[ADMIN_OBJECT[model]]
        elif param == "pk":
            key = next(
                (k for word, k in (
                    ("appointments", "appointment"), ("referrals", "referral"),
                    ("resources", "resource"), ("follow-ups", "follow_up"),
                    ("patients", "patient"),
                ) if f"/{word}/<" in route.template),
                None,
            )
            if key is None:
                return None
            values[param] = ids[key]
        else:
            return None
    url = route.template
    for param, value in values.items():
        url = re.sub(rf"<(?:\w+:)?{param}>", str(value), url)
    return url.replace("^", "").replace("$", "")


def _query(route: Route, world: World) -> dict[str, str]:
    """Search pages get the patient's family name; the day book and lists their day."""
    patient = world.patient
    if route.name.startswith("admin:"):
        return {"q": patient.family_name}  # the admin refuses parameters it does not know
    day = Appointment.objects.get(pk=world.ids["appointment"]).start
    local = timezone.localtime(day).date().isoformat()
    return {"q": patient.family_name, "date": local, "day": local, "from": local, "to": local}


def _shows(body: str, patient: Patient, is_json: bool) -> bool:
    if patient.nhs_number in body or patient.nhs_number_display in body:
        return True
    if patient.full_name in body or f"{patient.family_name.upper()}, {patient.given_name}" in body:
        return True
    if is_json:
        return (
            json.dumps(patient.given_name) in body and json.dumps(patient.family_name) in body
        )
    return False


def _gaps(
    client: Client, who: str, world: World, patients: list[Patient], only: str = ""
) -> tuple[int, list]:
    """(How many times a patient was shown, the replies that showed one unaudited).

    A patient's own details shown to themselves online are not an access to audit (every page
    greets them by name); anyone they act for as a proxy is."""
    own = PatientAccount.objects.filter(user__username=who).values_list("patient_id", flat=True)
    patients = [p for p in patients if p.pk not in set(own)]
    gaps = []
    shown = 0
    for route in _routes():
        if not route.name.startswith(only):
            continue
        url = _url(route, world)
        if url is None:
            continue
        response = client.get(url, _query(route, world))
        if response.streaming or response.status_code >= 500:
            if response.status_code >= 500:
                gaps.append((who, url, f"status {response.status_code}"))
            continue
        body = response.content.decode(errors="replace")
        is_json = "json" in response.get("Content-Type", "")
        request_id = response["X-Request-ID"]
        events = AuditEvent.objects.filter(request_id=request_id)
        audited = set(events.values_list("patient_id", flat=True))
        trail_read = events.filter(action=AuditAction.VIEW_AUDIT).exists()
        for patient in patients:
            if not _shows(body, patient, is_json):
                continue
            shown += 1
            if patient.pk not in audited and not trail_read:
                gaps.append((who, url, f"{patient} shown without an audit event"))
    return shown, gaps


def _signed_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_every_route_that_shows_a_patient_audits_it(settings: Any) -> None:
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    world = _world()
    patients = list(Patient.objects.all())
    shown_total = 0
    gaps: list = []
    for who in STAFF_LOGINS + PATIENT_LOGINS:
        shown, found = _gaps(_signed_in(who), who, world, patients)
        shown_total += shown
        gaps.extend(found)
    # Anonymous: no route shows anyone.
    shown, found = _gaps(Client(), "anonymous", world, patients)
    assert shown == 0
    assert not gaps, "\n".join(f"{who:>22} GET {url}: {why}" for who, url, why in gaps)
    assert shown_total > 50  # the walk did reach pages that show patients


def test_the_walk_finds_a_route_that_does_not_audit(settings: Any) -> None:
    """The check itself can fail: with the recorder's middleware gone, the day book shows
    patients without audit events and the walk says so."""
    recorder = "audit.middleware.AuditMiddleware"
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != recorder]
    world = _world()
    shown, gaps = _gaps(
        _signed_in("reception"), "reception", world, list(Patient.objects.all()), "reception"
    )
    assert shown and any("reception/book" in url for _, url, _ in gaps)
