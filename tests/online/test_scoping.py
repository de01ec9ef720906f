"""Walk every patient-facing URL (generated from the URLconf, so new pages are covered as they
are added) as a second patient, pointing at the first patient, and expect refusal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.html import escape

from tests.online.conftest import PatientFactory, make_account, signed_in

pytestmark = pytest.mark.django_db

PREFIXES = ("patient/", "api/v1/me", "staff/patients/")
# Pages that show no patient data: signing in, registering, resetting a password, signing out.
PUBLIC = {
    "patient/register/",
    "patient/sign-in/",
    "patient/sign-in/code/",
    "patient/sign-out/",
    "patient/password-reset/",
    "patient/password-reset/sent/",
    "patient/password-reset/<uidb64>/<token>/",
    "patient/password-reset/complete/",
}
REFUSED = {403, 404}


def _routes(patterns: Any = None, prefix: str = "") -> Iterator[str]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def protected_routes() -> list[str]:
    return sorted(r for r in set(_routes()) if r.startswith(PREFIXES) and r not in PUBLIC)


@pytest.fixture
def victim(practice) -> Any:
    patient = PatientFactory(registered_practice=practice, family_name="Victimson",
                             nhs_number="9990000107", email="victim@example.com",
                             mobile="+447400111222")
    make_account(patient, "victim@example.com")
    return patient


def _url(route: str, victim: Any) -> str:
    """Fill each URL parameter with an id of something belonging to the victim."""
    values = {"patient_id": victim.pk, "grant_id": _victim_grant(victim).pk}
    if "<int:slot_id>" in route or "<int:appointment_id>" in route or "<int:pk>" in route:
        appointment = _victim_appointment(victim)
        values.update(slot_id=_free_online_slot(victim).pk, appointment_id=appointment.pk,
                      pk=appointment.pk)
    path = "/" + route
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        name = path[start + 1:end].split(":")[-1]
        if name not in values:
            pytest.fail(f"{route}: add a victim-owned object for <{name}> to this test")
        path = path[:start] + str(values[name]) + path[end + 1:]
    return path


def _victim_grant(victim: Any) -> Any:
    from online.models import ProxyAccess

    grant = ProxyAccess.objects.filter(patient=victim).first()
    if grant is None:
        carer = make_account(PatientFactory(registered_practice=victim.registered_practice),
                             "victims-carer@example.com")
        grant = ProxyAccess.objects.create(
            grantee=carer.user, patient=victim, granted_by=carer.user, reason="Carer",
            starts_at=victim.registration_date.isoformat() + "T00:00:00Z",
        )
    return grant


def _free_online_slot(victim: Any) -> Any:
    """A free online slot at the victim's practice (bookable by either patient)."""
    from tests.factories import AppointmentTypeFactory, SlotFactory

    site = victim.registered_practice.sites.first()
    kind = AppointmentTypeFactory(practice=victim.registered_practice, online_bookable=True)
    return SlotFactory(site_obj=site, appointment_type=kind, online=True)


def _victim_appointment(victim: Any) -> Any:
    from appointments.models import Appointment

    existing = Appointment.objects.filter(patient=victim).first()
    if existing is not None:
        return existing
    slot = _free_online_slot(victim)
    slot.booked = True
    slot.save(update_fields=["booked"])
    return Appointment.objects.create(
        slot=slot, patient=victim, clinician=slot.clinician, site=slot.site, start=slot.start,
        end=slot.end, channel="reception", booked_by=slot.clinician.user,
    )


def test_the_walk_covers_the_known_pages() -> None:
    routes = protected_routes()
    for expected in ("patient/", "patient/preferences/", "patient/acting-for/",
                     "patient/security/", "api/v1/me/", "api/v1/me/preferences/",
                     "staff/patients/<int:patient_id>/registration-letter/",
                     "patient/book/", "patient/book/<int:slot_id>/", "patient/appointments/",
                     "patient/appointments/<int:appointment_id>/cancel/", "patient/record/",
                     "patient/record/access-log/", "api/v1/me/appointments/",
                     "api/v1/me/appointments/<int:pk>/cancel/", "api/v1/me/slots/",
                     "api/v1/me/record/", "api/v1/me/access-log/"):
        assert expected in routes


@pytest.mark.parametrize("route", protected_routes())
def test_a_second_patient_is_refused_everything_of_the_first(route, victim, other_account):
    client = signed_in(other_account)
    url = _url(route, victim)
    query = f"?patient={victim.pk}"
    before = victim.__class__.objects.values().get(pk=victim.pk)
    for method in ("get", "post", "patch", "delete"):
        kwargs: dict[str, Any] = {}
        if method == "post":
            kwargs = {"data": {"patient": victim.pk, "mobile": "", "sms_consent": "",
                               "email": "", "reason": "x", "grantee_email": "a@example.com"}}
        elif method == "patch":
            kwargs = {"data": {"mobile": "", "sms_consent": False},
                      "content_type": "application/json"}
        response = getattr(client, method)(url + query, **kwargs)
        body = response.content.decode()
        assert response.status_code in REFUSED | {405}, (method, url, response.status_code)
        assert "Victimson" not in body and "9990000107" not in body, (method, url)
    assert victim.__class__.objects.values().get(pk=victim.pk) == before
    from appointments.models import Appointment

    # Nothing was booked for, or cancelled of, the victim.
    assert list(Appointment.objects.filter(patient=victim).values_list("status", flat=True)) in (
        [], ["booked"])


@pytest.mark.parametrize("route", protected_routes())
def test_anonymous_visitors_are_sent_to_sign_in_or_refused(route, victim) -> None:
    response = Client().get(_url(route, victim))
    if route.startswith("api/"):
        assert response.status_code in {401, 403}
    else:
        assert response.status_code == 302
        assert "sign-in/" in response["Location"]


def test_switching_to_someone_elses_id_is_a_404(victim, other_account) -> None:
    client = signed_in(other_account)
    assert client.post("/patient/acting-for/", {"patient": victim.pk}).status_code == 404
    assert client.post("/patient/acting-for/", {"patient": "x"}).status_code == 404
    body = client.get("/patient/").content.decode()
    assert "Victimson" not in body and escape(other_account.patient.given_name) in body
    assert [p["id"] for p in client.get("/api/v1/me/").json()["patients"]] == [
        other_account.patient.pk]


def test_a_stale_session_choice_of_another_patient_is_ignored(victim, other_account) -> None:
    client = signed_in(other_account)
    session = client.session
    session["acting_for_patient_id"] = victim.pk
    session.save()
    body = client.get("/patient/preferences/").content.decode()
    assert "Victimson" not in body and "victim@example.com" not in body
    assert client.get("/api/v1/me/preferences/").json()["patient"] == other_account.patient.pk


def test_a_deactivated_account_acts_for_nobody(victim) -> None:
    """Every entry of the scoping module refuses a user who is no longer active, even for the
    patient whose own account it is."""
    from django.http import Http404

    from policy.identity import own_patient_id, patients_actable_by
    from policy.online import patient_actable_by

    user = victim.account.user
    assert patient_actable_by(user, victim.pk) == victim  # while active
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert not patients_actable_by(user).exists()
    assert own_patient_id(user) is None
    with pytest.raises(Http404):
        patient_actable_by(user, victim.pk)
