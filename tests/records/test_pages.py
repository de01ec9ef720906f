"""The clinician and practice manager pages: what each role sees, refusals, audit, queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from audit.models import AuditAction, AuditEvent, BreakGlassReview
from policy.actor import WORKING_SITE_SESSION_KEY
from records.clinical import Consultation, Observation, Problem
from staff.roles import Role
from tests.factories import (
    AllergyFactory,
    ConsultationFactory,
    MedicationFactory,
    ObservationFactory,
    ProblemFactory,
    make_appointment,
)


def signed_in(client: Any, staff: Any) -> Any:
    client.force_login(staff.user)
    session = client.session
    session[WORKING_SITE_SESSION_KEY] = staff.sites.first().pk
    session.save()
    return client


def today_at(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.localtime().replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture
def gp(world: Any) -> Any:
    return world.staff(Role.GP)


# My list ------------------------------------------------------------------------------------


def test_my_list_shows_todays_appointments_and_waiting_time(client, world, gp) -> None:
    arrived = make_appointment(patient=world.patient, clinician=gp, start=today_at(0, 10),
                               status="arrived", arrived_at=timezone.now()
                               - datetime.timedelta(minutes=12))
    other_gp = world.staff(Role.GP)
    make_appointment(patient=world.patient, clinician=other_gp, start=today_at(0, 20))
    make_appointment(patient=world.patient, clinician=gp,
                     start=today_at(0, 30) + datetime.timedelta(days=1))
    response = signed_in(client, gp).get(reverse("clinical:my-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("Open record") == 1
    assert "waiting 12 minutes" in body
    assert reverse("clinical:call-in", args=[arrived.pk]) in body


def test_my_list_htmx_refresh_returns_the_table_only(client, world, gp) -> None:
    make_appointment(patient=world.patient, clinician=gp, start=today_at(0, 10))
    response = signed_in(client, gp).get(reverse("clinical:my-list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Call in" in response.content


def test_my_list_query_count_is_bounded(
    client, world, gp, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_appointment(patient=world.patient, clinician=gp, start=today_at(0, 0))
    signed_in(client, gp)
    client.get(reverse("clinical:my-list"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("clinical:my-list")).status_code == 200
    for hour in range(1, 8):
        make_appointment(patient=world.patient, clinician=gp, start=today_at(hour),
                         status="arrived", arrived_at=timezone.now())
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as eight:
        assert client.get(reverse("clinical:my-list")).content.count(b"Call in") == 8
    assert len(eight) == len(one)


def test_receptionist_has_no_list(client, world) -> None:
    receptionist = world.staff(Role.RECEPTIONIST)
    response = signed_in(client, receptionist).get(reverse("clinical:my-list"))
    assert response.status_code == 403
    assert b"Only clinicians" in response.content


def test_call_in_starts_the_appointment(client, world, gp) -> None:
    appointment = make_appointment(patient=world.patient, clinician=gp, start=today_at(0, 10),
                                   status="arrived", arrived_at=timezone.now())
    response = signed_in(client, gp).post(reverse("clinical:call-in", args=[appointment.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("clinical:consultation", args=[appointment.pk])
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.IN_CONSULTATION


# The record ---------------------------------------------------------------------------------


def test_record_page_shows_summary_history_and_amendments(client, world, gp) -> None:
    ProblemFactory(patient=world.patient, author=gp)
    AllergyFactory(patient=world.patient, author=gp)
    MedicationFactory(patient=world.patient, author=gp)
    ObservationFactory(patient=world.patient, author=gp, kind="weight", value=Decimal("80"),
                       unit="kg")
    ObservationFactory(patient=world.patient, author=gp, kind="height", value=Decimal("180"),
                       unit="cm")
    wrong = ConsultationFactory(patient=world.patient, author=gp, history="Wrong patient note")
    signed_in(client, gp)
    client.post(reverse("clinical:entered-in-error", args=[world.patient.pk, "consultation",
                                                          wrong.pk]),
                {"reason": "Written in the wrong record"})
    response = client.get(reverse("clinical:patient", args=[world.patient.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Essential hypertension", "Penicillin", "Amlodipine", "24.7 kg/m",
                 "Entered in error", "Written in the wrong record", "<del>"):
        assert text in body, text
    assert AuditEvent.objects.filter(patient=world.patient, user=gp.user,
                                     action=AuditAction.VIEW_SUMMARY).exists()


def test_amended_consultation_keeps_previous_version_viewable(client, world, gp) -> None:
    consultation = ConsultationFactory(patient=world.patient, author=gp, plan="Review in 2 weeks")
    signed_in(client, gp)
    url = reverse("clinical:consultation-amend", args=[world.patient.pk, consultation.pk])
    response = client.post(url, {"history": consultation.history,
                                 "examination": consultation.examination,
                                 "plan": "Review in 1 week", "reason": "Wrong interval"})
    assert response.status_code == 302
    newest = Consultation.objects.get(previous_id=consultation.pk)
    record = client.get(reverse("clinical:patient", args=[world.patient.pk])).content.decode()
    assert "Amended" in record and "Review in 1 week" in record
    history = client.get(reverse("clinical:entry-history",
                                 args=[world.patient.pk, "consultation", newest.pk]))
    assert b"Review in 2 weeks" in history.content and b"Wrong interval" in history.content


def test_amend_without_reason_is_400(client, world, gp) -> None:
    consultation = ConsultationFactory(patient=world.patient, author=gp)
    url = reverse("clinical:consultation-amend", args=[world.patient.pk, consultation.pk])
    response = signed_in(client, gp).post(url, {"plan": "x"})
    assert response.status_code == 400
    assert b"There is a problem" in response.content


def _big_record(patient: Any, author: Any, n: int) -> None:
    for i in range(n):
        ProblemFactory(patient=patient, author=author, title=f"Problem {i}")
        MedicationFactory(patient=patient, author=author, name=f"Drug {i}")
        AllergyFactory(patient=patient, author=author, substance=f"Substance {i}")
        ConsultationFactory(patient=patient, author=author)
        ObservationFactory(patient=patient, author=author)


def test_record_page_query_count_is_the_same_for_small_and_large_records(
    client, world, gp
) -> None:
    from tests.factories import AdultPatientFactory

    small = AdultPatientFactory(registered_practice=world.home)
    large = AdultPatientFactory(registered_practice=world.home)
    _big_record(small, gp, 1)
    _big_record(large, gp, 15)
    signed_in(client, gp)
    client.get(reverse("clinical:patient", args=[small.pk]))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(reverse("clinical:patient", args=[small.pk])).status_code == 200
    with CaptureQueriesContext(connection) as large_queries:
        assert client.get(reverse("clinical:patient", args=[large.pk])).status_code == 200
    assert len(large_queries) == len(small_queries)
    assert len(small_queries) <= 20


def test_receptionist_is_refused_clinical_pages_and_fragments(client, world) -> None:
    receptionist = world.staff(Role.RECEPTIONIST)
    gp = world.staff(Role.GP)
    appointment = make_appointment(patient=world.patient, clinician=gp, start=today_at(0, 10))
    consultation = ConsultationFactory(patient=world.patient, author=gp)
    signed_in(client, receptionist)
    p = world.patient.pk
    for method, url in [
        ("get", reverse("clinical:patient", args=[p])),
        ("get", reverse("clinical:consultation", args=[appointment.pk])),
        ("post", reverse("clinical:consultation", args=[appointment.pk])),
        ("post", reverse("clinical:add-entry", args=[appointment.pk, "problem"])),
        ("post", reverse("clinical:add-entry", args=[appointment.pk, "observation"])),
        ("post", reverse("clinical:finish", args=[appointment.pk])),
        ("post", reverse("clinical:call-in", args=[appointment.pk])),
        ("get", reverse("clinical:entry-history", args=[p, "consultation", consultation.pk])),
        ("get", reverse("clinical:consultation-amend", args=[p, consultation.pk])),
        ("get", reverse("clinical:entered-in-error", args=[p, "consultation", consultation.pk])),
    ]:
        response = getattr(client, method)(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 403, url
        assert b"Break glass" not in response.content
    assert b"never clinical entries" in client.get(reverse("clinical:patient", args=[p])).content
    assert AuditEvent.objects.filter(user=receptionist.user, action=AuditAction.REFUSED).exists()


def test_staff_of_an_unrelated_practice_are_refused(client, world) -> None:
    outsider = world.staff(Role.GP, practice=world.outsider)
    gp = world.staff(Role.GP)
    appointment = make_appointment(patient=world.patient, clinician=gp, start=today_at(0, 10))
    signed_in(client, outsider)
    response = client.get(reverse("clinical:patient", args=[world.patient.pk]))
    assert response.status_code == 403
    assert b"outside your federation" in response.content
    assert b"Break glass" not in response.content
    assert client.get(reverse("clinical:consultation", args=[appointment.pk])).status_code == 404


def test_federation_clinician_breaks_glass_then_sees_the_record(client, world) -> None:
    ProblemFactory(patient=world.patient, author=world.staff(Role.GP))
    partner_gp = world.staff(Role.GP, practice=world.partner)
    signed_in(client, partner_gp)
    url = reverse("clinical:patient", args=[world.patient.pk])
    refused = client.get(url)
    assert refused.status_code == 403
    assert b"Break glass and open the record" in refused.content
    assert b"Essential hypertension" not in refused.content

    short = client.post(reverse("clinical:break-glass", args=[world.patient.pk]),
                        {"reason": "need it", "confirm": "on"})
    assert short.status_code == 400 and b"There is a problem" in short.content

    done = client.post(reverse("clinical:break-glass", args=[world.patient.pk]),
                       {"reason": "Collapsed at the hub clinic, need medication list",
                        "confirm": "on"})
    assert done.status_code == 302
    record = client.get(url)
    assert record.status_code == 200
    assert b"Essential hypertension" in record.content
    assert b"break-glass access" in record.content
    assert AuditEvent.objects.filter(user=partner_gp.user, action=AuditAction.BREAK_GLASS).exists()
    assert AuditEvent.objects.filter(user=partner_gp.user, action=AuditAction.VIEW_SUMMARY,
                                     basis="break_glass").exists()


# Writing a consultation -----------------------------------------------------------------------


def test_consultation_with_entries_and_finish(client, world, gp) -> None:
    appointment = make_appointment(patient=world.patient, clinician=gp, start=today_at(0, 10),
                                   status="in_consultation")
    signed_in(client, gp)
    url = reverse("clinical:consultation", args=[appointment.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"consultation-history": ""})
    assert bad.status_code == 400 and b"Write at least one" in bad.content
    saved = client.post(url, {"consultation-history": "Headache 2 days",
                              "consultation-plan": "Paracetamol",
                              "consultation-snomed_concept_id": "25064002",
                              "consultation-snomed_term": "Headache"})
    assert saved.status_code == 302
    consultation = Consultation.objects.get(patient=world.patient)
    assert consultation.appointment_id == appointment.pk
    assert consultation.snomed_concept_id == "25064002"
    page = client.get(url).content.decode()
    assert "Saved notes" in page and "Headache 2 days" in page
    assert "Save consultation" not in page  # no invitation to write a duplicate

    add = reverse("clinical:add-entry", args=[appointment.pk, "problem"])
    frag = client.post(add, {"problem-title": "Migraine", "problem-status": "active"},
                       HTTP_HX_REQUEST="true")
    assert frag.status_code == 200 and b"Added: Migraine" in frag.content
    assert b"<html" not in frag.content
    assert Problem.objects.filter(patient=world.patient, title="Migraine").exists()

    obs = reverse("clinical:add-entry", args=[appointment.pk, "observation"])
    bad_obs = client.post(obs, {"observation-systolic": "130"}, HTTP_HX_REQUEST="true")
    assert bad_obs.status_code == 400 and b"diastolic" in bad_obs.content
    ok = client.post(obs, {"observation-systolic": "130", "observation-diastolic": "85",
                           "observation-pulse": "70"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    assert Observation.objects.filter(patient=world.patient).count() == 2
    implausible = client.post(obs, {"observation-pulse": "900"}, HTTP_HX_REQUEST="true")
    assert implausible.status_code == 400

    finished = client.post(reverse("clinical:finish", args=[appointment.pk]))
    assert finished.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.FINISHED
    again = client.post(reverse("clinical:finish", args=[appointment.pk]))
    assert again.status_code == 302  # a message, not a 500


# Practice manager -------------------------------------------------------------------------------


def test_manager_pages_audit_filters_export_and_review(client, world) -> None:
    manager = world.staff(Role.PRACTICE_MANAGER)
    partner_gp = world.staff(Role.GP, practice=world.partner)
    signed_in(client, partner_gp)
    client.post(reverse("clinical:break-glass", args=[world.patient.pk]),
                {"reason": "Collapsed at the hub clinic, need medication list", "confirm": "on"})
    client.get(reverse("clinical:patient", args=[world.patient.pk]))
    client.logout()

    signed_in(client, manager)
    home = client.get(reverse("manager:home"))
    assert home.status_code == 200
    assert reverse("admin:appointments_sessiontemplate_changelist").encode() in home.content
    assert b"1 waiting for review" in home.content

    log = client.get(reverse("manager:audit"), {"break_glass": "on"})
    assert log.status_code == 200
    assert b"Collapsed at the hub clinic" in log.content
    assert b"of 1," in log.content
    bad = client.get(reverse("manager:audit"), {"since": "2026-02-10", "until": "2026-02-01"})
    assert bad.status_code == 400

    csv = client.get(reverse("manager:audit-export"), {"patient": world.patient.nhs_number_display})
    assert csv.status_code == 200
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,at,username")
    assert len(lines) > 2

    event = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS)
    assert client.post(reverse("manager:break-glass-review", args=[event.pk]),
                       {"note": "Checked with Dr"}).status_code == 302
    assert BreakGlassReview.objects.filter(event=event, reviewed_by=manager.user).exists()
    assert b"No break-glass events" in client.get(reverse("manager:break-glass")).content


def test_manager_pages_refuse_other_roles(client, world, gp) -> None:
    signed_in(client, gp)
    for name in ("manager:home", "manager:audit", "manager:audit-export", "manager:break-glass"):
        assert client.get(reverse(name)).status_code == 403, name


def test_menu_entries_per_role(client, world, gp) -> None:
    body = signed_in(client, gp).get(reverse("home")).content.decode()
    assert reverse("clinical:my-list") in body and reverse("manager:home") not in body
    client.logout()
    body = signed_in(client, world.staff(Role.PRACTICE_MANAGER)).get(reverse("home")).content
    assert reverse("manager:home").encode() in body
    assert reverse("clinical:my-list").encode() not in body
