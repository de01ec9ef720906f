from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from appointments.models import Appointment, AppointmentStatus, Slot
from appointments.services.booking import appointment_book
from tests.factories import (
    AppointmentTypeFactory,
    PatientFactory,
    StaffMemberFactory,
    UserFactory,
    future,
)

SLOTS = "/api/v1/slots/"
APPOINTMENTS = "/api/v1/appointments/"


def action(appointment_id: int, name: str) -> str:
    return f"{APPOINTMENTS}{appointment_id}/{name}/"


@pytest.fixture
def booked(world):
    return appointment_book(slot=world.slot(), patient=world.patient, actor=world.actor())


# ---- authentication ---------------------------------------------------------------------------


def test_token_is_issued_for_good_credentials_and_works(world):
    UserFactory(username="alice", password="correct-horse-9")
    StaffMemberFactory(user__username="alice", practice=world.practice, role="reception")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "alice", "password": "correct-horse-9"}, format="json"
    )
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/sites/").status_code == 200


def test_token_refused_for_bad_credentials_with_a_message(world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["message"] == (
        "That username and password do not match an active account."
    )


def test_token_endpoint_is_throttled(world):
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code
        for _ in range(12)
    ]
    assert statuses[-1] == 429


def test_unauthenticated_requests_get_401(world):
    response = APIClient().get(SLOTS)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/sites/"),
        ("get", "/api/v1/appointment-types/"),
        ("get", "/api/v1/staff/"),
        ("get", SLOTS),
        ("get", APPOINTMENTS),
        ("post", APPOINTMENTS),
    ],
)
def test_user_without_staff_membership_gets_403_with_a_message(world, method, path):
    response = getattr(world.client(user=world.nobody), method)(path, {}, format="json")
    assert response.status_code == 403
    assert "not linked to an active staff member" in response.json()["message"]


# ---- reference data ---------------------------------------------------------------------------


def test_sites_are_scoped_to_practice_and_federation(world):
    names = {s["name"] for s in world.client().get("/api/v1/sites/").json()}
    assert {"Botley Medical Centre", "Kennington Health Centre", world.partner_site.name} == names
    stranger = world.client(world.stranger_receptionist).get("/api/v1/sites/").json()
    assert [s["name"] for s in stranger] == [world.stranger_site.name]


def test_sites_of_an_invisible_practice_is_404(world):
    response = world.client().get("/api/v1/sites/", {"practice": world.stranger.pk})
    assert response.status_code == 404


def test_appointment_types_list_roles(world):
    AppointmentTypeFactory(practice=world.practice, name="Physio", roles=["physio"])
    types = world.client().get("/api/v1/appointment-types/", {"practice": world.practice.pk})
    assert {"name": "Physio", "roles": ["physio"]}.items() <= next(
        t for t in types.json() if t["name"] == "Physio"
    ).items()


def test_staff_lists_own_practice_and_only_clinicians_of_partners(world):
    StaffMemberFactory(practice=world.partner, role="gp", sites=[world.partner_site])
    rows = world.client().get("/api/v1/staff/").json()
    partner_roles = {r["role"] for r in rows if r["practice"] == world.partner.pk}
    own_roles = {r["role"] for r in rows if r["practice"] == world.practice.pk}
    assert partner_roles == {"gp"}
    assert own_roles == {"gp", "reception"}


def test_staff_filter_by_role(world):
    rows = world.client().get("/api/v1/staff/", {"role": "gp"}).json()
    assert [r["id"] for r in rows] == [world.gp.pk]


# ---- slots ------------------------------------------------------------------------------------


def test_slots_lists_free_slots_earliest_first(world):
    later = world.slot(start=future(3))
    earlier = world.slot(start=future(2))
    response = world.client().get(SLOTS)
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["results"]] == [earlier.pk, later.pk]
    first = response.json()["results"][0]
    assert first["site"]["name"] == "Botley Medical Centre"
    assert first["clinician"]["id"] == world.gp.pk


def test_slots_are_paginated_without_counting(world):
    for day in range(2, 5):
        world.slot(start=future(day))
    page = world.client().get(SLOTS, {"page_size": 2}).json()
    assert len(page["results"]) == 2
    assert page["next"] is not None
    last = world.client().get(page["next"]).json()
    assert len(last["results"]) == 1
    assert last["next"] is None


def test_slots_filters_are_applied(world):
    world.slot(start=future(2))
    wanted = world.slot(start=future(4), site_obj=world.kennington)
    response = world.client().get(
        SLOTS,
        {
            "site": world.kennington.pk,
            "role": "gp",
            "clinician": world.gp.pk,
            "start_after": future(3).date().isoformat(),
            "start_before": (future(5)).isoformat(),
            "mode": "face_to_face",
        },
    )
    assert [s["id"] for s in response.json()["results"]] == [wanted.pk]


def test_partner_practice_sees_only_federation_slots(world):
    shared = world.slot(federation=True)
    world.slot(federation=False)
    response = world.client(world.partner_receptionist).get(SLOTS, {"practice": world.practice.pk})
    assert [s["id"] for s in response.json()["results"]] == [shared.pk]


def test_unrelated_practice_searching_is_403(world):
    response = world.client(world.stranger_receptionist).get(SLOTS, {"practice": world.practice.pk})
    assert response.status_code == 403
    assert "your own practice" in response.json()["message"]


@pytest.mark.parametrize(
    "params,field",
    [
        ({"start_after": "notadate"}, "start_after"),
        ({"site": "abc"}, "site"),
        ({"mode": "carrier pigeon"}, "mode"),
        ({"role": "wizard"}, "role"),
        ({"page": "x"}, None),
        ({"page_size": "0"}, None),
        ({"start_after": "2027-01-02", "start_before": "2027-01-01"}, None),
    ],
)
def test_bad_slot_query_params_are_400_with_a_message(world, params, field):
    response = world.client().get(SLOTS, params)
    assert response.status_code == 400
    body = response.json()
    assert body["message"]
    if field:
        assert body["message"].startswith(field)


def test_unknown_practice_in_slot_search_is_404(world):
    assert world.client().get(SLOTS, {"practice": 999999}).status_code == 404


def test_slot_search_query_count_is_bounded(world, django_assert_max_num_queries):
    for day in range(2, 12):
        world.slot(start=future(day))
    client = world.client()
    with django_assert_max_num_queries(4):  # token, staff, working site check, slots
        response = client.get(SLOTS, {"site": world.botley.pk})
    assert len(response.json()["results"]) == 10


# ---- booking ----------------------------------------------------------------------------------


def test_post_appointment_books_and_returns_201(world):
    slot = world.slot()
    response = world.client().post(
        APPOINTMENTS,
        {"slot": slot.pk, "patient": world.patient.pk, "note": "Cough"},
        format="json",
        HTTP_X_DOVETAIL_SITE=str(world.kennington.pk),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slot"], body["patient"]["id"], body["status"]) == (
        slot.pk,
        world.patient.pk,
        "booked",
    )
    assert body["booked_from_site"] == world.kennington.pk
    assert body["channel"] == "reception"


def test_post_appointment_for_a_taken_slot_is_409_with_the_message(world, booked):
    other = PatientFactory(registered_practice=world.practice)
    response = world.client().post(
        APPOINTMENTS, {"slot": booked.slot_id, "patient": other.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "message": "That slot has just been booked by someone else. Please choose another.",
    }


@pytest.mark.parametrize(
    "body",
    [{}, {"slot": "one", "patient": 1}, {"slot": 1}, {"slot": 1, "patient": 1, "note": "x" * 501}],
)
def test_post_appointment_with_bad_body_is_400(world, body):
    response = world.client().post(APPOINTMENTS, body, format="json")
    assert response.status_code == 400
    assert response.json()["message"]


def test_post_appointment_with_malformed_json_is_400(world):
    response = world.client().post(APPOINTMENTS, "{", content_type="application/json")
    assert response.status_code == 400


def test_post_appointment_with_unknown_slot_or_patient_is_404(world):
    slot = world.slot()
    client = world.client()
    assert (
        client.post(APPOINTMENTS, {"slot": 999999, "patient": world.patient.pk}, format="json")
    ).status_code == 404
    assert (
        client.post(APPOINTMENTS, {"slot": slot.pk, "patient": 999999}, format="json")
    ).status_code == 404


def test_post_appointment_embargoed_needs_a_reason_then_books(world):
    slot = world.slot(release_at=timezone.now() + datetime.timedelta(hours=2))
    client = world.client()
    refused = client.post(APPOINTMENTS, {"slot": slot.pk, "patient": world.patient.pk})
    assert refused.status_code == 400
    assert refused.json()["error"] == "embargoed"
    accepted = client.post(
        APPOINTMENTS,
        {"slot": slot.pk, "patient": world.patient.pk, "embargo_override_reason": "Duty GP"},
    )
    assert accepted.status_code == 201
    assert accepted.json()["embargo_override_reason"] == "Duty GP"


def test_post_appointment_by_unrelated_practice_is_403(world):
    slot = world.slot()
    response = world.client(world.stranger_receptionist).post(
        APPOINTMENTS, {"slot": slot.pk, "patient": world.stranger_patient.pk}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["message"]


def test_past_slot_is_400(world):
    slot = world.slot(start=timezone.now() - datetime.timedelta(hours=1))
    response = world.client().post(APPOINTMENTS, {"slot": slot.pk, "patient": world.patient.pk})
    assert response.status_code == 400
    assert "in the past" in response.json()["message"]


def test_booking_through_the_api_query_count_is_bounded(world, django_assert_max_num_queries):
    slot = world.slot()
    client = world.client()
    # actor, slot, patient, savepoint, claim, appointment, event, release (8) + the outbox's
    # reminder policy and messages (2): 10, whatever the size of the book.
    with django_assert_max_num_queries(10):
        response = client.post(APPOINTMENTS, {"slot": slot.pk, "patient": world.patient.pk})
    assert response.status_code == 201


# ---- listing and actions ----------------------------------------------------------------------


def test_appointments_list_filters_and_scopes(world, booked):
    client = world.client()
    assert [a["id"] for a in client.get(APPOINTMENTS).json()["results"]] == [booked.pk]
    assert [
        a["id"]
        for a in client.get(APPOINTMENTS, {"date": booked.start.date().isoformat()}).json()[
            "results"
        ]
    ] == [booked.pk]
    assert client.get(APPOINTMENTS, {"site": world.kennington.pk}).json()["results"] == []
    assert client.get(APPOINTMENTS, {"patient": world.patient.pk}).json()["results"]
    stranger = world.client(world.stranger_receptionist).get(APPOINTMENTS).json()
    assert stranger["results"] == []


def test_appointments_list_bad_date_is_400(world):
    response = world.client().get(APPOINTMENTS, {"date": "tomorrow"})
    assert response.status_code == 400
    assert response.json()["message"] == "date: Give the date like 2026-11-23."


def test_appointment_detail_and_unknown_id(world, booked):
    client = world.client()
    assert client.get(f"{APPOINTMENTS}{booked.pk}/").json()["id"] == booked.pk
    assert client.get(f"{APPOINTMENTS}999999/").status_code == 404
    other = world.client(world.stranger_receptionist).get(f"{APPOINTMENTS}{booked.pk}/")
    assert other.status_code == 404


def test_cancel_via_api_frees_the_slot(world, booked):
    response = world.client().post(
        action(booked.pk, "cancel"), {"reason": "Feeling better", "by": "patient"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled_patient"
    assert not Slot.objects.get(pk=booked.slot_id).booked


def test_cancel_with_bad_body_is_400(world, booked):
    response = world.client().post(action(booked.pk, "cancel"), {"by": "martians"})
    assert response.status_code == 400


def test_cancel_twice_is_409(world, booked):
    client = world.client()
    client.post(action(booked.pk, "cancel"), {"reason": "x", "by": "practice"})
    response = client.post(action(booked.pk, "cancel"), {"reason": "x", "by": "practice"})
    assert response.status_code == 409
    assert "cancelled by practice" in response.json()["message"]


def test_unknown_appointment_action_is_404(world):
    assert world.client().post(action(999999, "arrive")).status_code == 404


def test_reschedule_via_api(world, booked):
    target = world.slot(site_obj=world.kennington)
    response = world.client().post(action(booked.pk, "reschedule"), {"slot": target.pk})
    assert response.status_code == 200
    assert response.json()["slot"] == target.pk
    assert response.json()["site"]["id"] == world.kennington.pk


def test_reschedule_to_unknown_slot_is_404(world, booked):
    response = world.client().post(action(booked.pk, "reschedule"), {"slot": 999999})
    assert response.status_code == 404


def test_reschedule_to_taken_slot_is_409(world, booked):
    taken = appointment_book(
        slot=world.slot(),
        patient=PatientFactory(registered_practice=world.practice),
        actor=world.actor(),
    )
    response = world.client().post(action(booked.pk, "reschedule"), {"slot": taken.slot_id})
    assert response.status_code == 409


def test_arrive_start_finish_via_api(world, booked):
    client = world.client()
    assert client.post(action(booked.pk, "arrive")).json()["status"] == "arrived"
    assert client.post(action(booked.pk, "start")).json()["status"] == "in_consultation"
    assert client.post(action(booked.pk, "finish")).json()["status"] == "finished"
    assert client.post(action(booked.pk, "arrive")).status_code == 409


def test_dna_before_start_is_409_and_after_start_works(world, booked):
    client = world.client()
    assert client.post(action(booked.pk, "dna")).status_code == 409
    Appointment.objects.filter(pk=booked.pk).update(
        start=timezone.now() - datetime.timedelta(minutes=30),
        end=timezone.now() - datetime.timedelta(minutes=20),
    )
    assert client.post(action(booked.pk, "dna")).json()["status"] == AppointmentStatus.DNA


def test_note_via_api(world, booked):
    response = world.client().post(action(booked.pk, "note"), {"note": "Interpreter: Polish"})
    assert response.json()["note"] == "Interpreter: Polish"


def test_partner_practice_can_cancel_what_it_booked_but_not_record_attendance(world):
    slot = world.slot(federation=True)
    client = world.client(world.partner_receptionist)
    created = client.post(APPOINTMENTS, {"slot": slot.pk, "patient": world.partner_patient.pk})
    assert created.status_code == 201
    assert created.json()["channel"] == "federation"
    appointment_id = created.json()["id"]
    assert client.post(action(appointment_id, "arrive")).status_code == 403
    cancel = client.post(action(appointment_id, "cancel"), {"reason": "Hub", "by": "patient"})
    assert cancel.status_code == 200


# ---- schema -----------------------------------------------------------------------------------


def test_openapi_schema_generates_without_warnings_and_has_our_paths(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in [
        "/api/v1/slots/",
        "/api/v1/appointments/",
        "/api/v1/appointments/{id}/cancel/",
        "/api/v1/appointments/{id}/reschedule/",
        "/api/v1/appointments/{id}/arrive/",
        "/api/v1/appointments/{id}/dna/",
        "/api/v1/auth/token/",
        "/api/v1/sites/",
        "/api/v1/staff/",
        "/api/v1/appointment-types/",
    ]:
        assert f"{path}:" in text


def test_schema_endpoint_is_served(world):
    assert world.client().get("/api/schema/").status_code == 200


HUGE = 10**20


def test_huge_ids_are_bad_input_not_server_errors(world, booked):
    client = world.client()
    body = {"slot": HUGE, "patient": world.patient.pk}
    assert client.post(APPOINTMENTS, body, format="json").status_code == 400
    assert client.get(SLOTS, {"site": HUGE}).status_code == 400
    assert client.get(SLOTS, {"page": HUGE}).status_code == 400
    assert client.get(APPOINTMENTS, {"patient": HUGE}).status_code == 400
    assert client.get(f"{APPOINTMENTS}{HUGE}/").status_code == 404
    assert client.post(action(HUGE, "cancel"), {"reason": "x", "by": "patient"}).status_code == 404
    reschedule = client.post(action(booked.pk, "reschedule"), {"slot": HUGE}, format="json")
    assert reschedule.status_code == 400


def test_fast_slot_rows_match_the_documented_serializer(world):
    from appointments.serializers import SLOT_ROW_FIELDS, SlotOut, slot_rows

    nurse = StaffMemberFactory(
        practice=world.practice, role="nurse", sites=[world.kennington], user__first_name=""
    )
    world.slot(start=future(2), online=True)
    world.slot(start=future(3), site_obj=world.kennington, clinician=nurse, federation=True)
    slots = Slot.objects.select_related("site", "clinician__user", "appointment_type").order_by(
        "start"
    )
    assert slot_rows(slots.values(*SLOT_ROW_FIELDS)) == SlotOut(slots, many=True).data


def test_start_after_is_inclusive(world):
    slot = world.slot(start=future(2, 8))
    response = world.client().get(SLOTS, {"start_after": future(2, 8).isoformat()})
    assert [s["id"] for s in response.json()["results"]] == [slot.pk]


def test_the_booking_answer_is_the_documented_serializer(world):
    from appointments.serializers import AppointmentOut, appointment_out

    world.gp.user.first_name, world.gp.user.last_name = "Ada", "Ngozi"
    world.gp.user.save()
    slot = world.slot()
    response = world.client().post(
        APPOINTMENTS, {"slot": slot.pk, "patient": world.patient.pk, "note": "Knee"}
    )
    assert response.status_code == 201
    fresh = Appointment.objects.select_related(
        "patient", "site", "clinician__user", "slot__appointment_type", "booked_by"
    ).get(pk=response.json()["id"])
    assert response.json() == AppointmentOut(fresh).data
    fresh.arrived_at = fresh.booked_at + datetime.timedelta(minutes=3)
    fresh.booked_from_site = None
    assert appointment_out(fresh) == AppointmentOut(fresh).data
