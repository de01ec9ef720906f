from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from records.clinical import Problem
from staff.roles import Role
from tests.factories import ProblemFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def gp_client(gp):
    return client_for(gp.user)


def url(patient, tail=""):
    return f"/api/v1/patients/{patient.pk}/{tail}"


def test_search_returns_hits(world, gp_client):
    response = gp_client.get("/api/v1/patients/", {"q": world.patient.family_name[:4]})
    assert response.status_code == 200
    assert world.patient.pk in [hit["id"] for hit in response.json()]


def test_bad_search_is_400_with_message(world, gp_client):
    response = gp_client.get("/api/v1/patients/", {"q": "31/02/1990"})
    assert response.status_code == 400
    assert "not a real date" in response.json()["message"]


def test_reception_sees_demographics(world):
    response = client_for(world.staff(Role.RECEPTIONIST).user).get(url(world.patient))
    assert response.status_code == 200
    assert response.json()["nhs_number"] == world.patient.nhs_number_display


def test_reception_is_refused_the_record_with_a_reason_and_it_is_audited(world):
    response = client_for(world.staff(Role.RECEPTIONIST).user).get(url(world.patient, "record/"))
    assert response.status_code == 403
    assert "never clinical entries" in response.json()["message"]
    assert AuditEvent.objects.filter(action="refused", patient=world.patient).exists()


def test_federation_gp_without_relationship_gets_403_use_break_glass(world):
    client = client_for(world.staff(Role.GP, world.partner).user)
    response = client.get(url(world.patient, "record/"))
    assert response.status_code == 403
    assert "use break-glass" in response.json()["message"]


def test_break_glass_then_record_is_readable_and_flagged(world):
    client = client_for(world.staff(Role.GP, world.partner).user)
    response = client.post(
        url(world.patient, "break-glass/"),
        {"reason": "Unconscious in the hub clinic, need allergies"},
        "json",
    )
    assert response.status_code == 201
    assert client.get(url(world.patient, "record/")).json()["basis"] == "break_glass"
    event = AuditEvent.objects.get(action="break_glass")
    assert event.patient_practice == world.home  # the home practice manager reviews it


def test_break_glass_with_a_short_reason_is_400(world):
    client = client_for(world.staff(Role.GP, world.partner).user)
    response = client.post(url(world.patient, "break-glass/"), {"reason": "need it"}, "json")
    assert response.status_code == 400
    assert "at least 20 characters" in response.json()["message"]


def test_unknown_patient_is_404(world, gp_client):
    assert gp_client.get("/api/v1/patients/999999999/record/").status_code == 404


def test_unknown_entry_type_is_404(world, gp_client):
    response = gp_client.post(
        url(world.patient, "entries/tattoo/1/amend/"), {"changes": {}}, "json"
    )
    assert response.status_code == 404


def test_record_summary_shape(world, gp_client):
    ProblemFactory.create(patient=world.patient, title="Asthma")
    body = gp_client.get(url(world.patient, "record/")).json()
    assert body["basis"] == "own_practice"
    assert body["active_problems"][0]["title"] == "Asthma"
    assert {"author", "author_role", "site", "recorded_at"} <= set(body["active_problems"][0])


@pytest.mark.parametrize(
    ("tail", "payload"),
    [
        ("consultations/", {"history": "Low back pain 1 week", "plan": "Physio"}),
        (
            "problems/",
            {"title": "Asthma", "snomed_concept_id": "195967001", "snomed_term": "Asthma"},
        ),
        (
            "medications/",
            {"name": "Salbutamol 100mcg inhaler", "dose": "2 puffs prn", "course": "repeat"},
        ),
        ("allergies/", {"substance": "Penicillin", "severity": "severe"}),
        ("observations/", {"systolic": 132, "diastolic": 84, "pulse": 70}),
    ],
)
def test_create_each_entry_type(world, gp_client, tail, payload):
    response = gp_client.post(url(world.patient, tail), payload, "json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("tail", "payload", "message"),
    [
        ("observations/", {"pulse": 400}, "Pulse of 400.0 beats/min is not plausible"),
        ("observations/", {"systolic": 120}, "both systolic and diastolic"),
        (
            "problems/",
            {"title": "X", "snomed_concept_id": "1234567", "snomed_term": "X"},
            "SNOMED CT",
        ),
        ("problems/", {"title": "X", "onset_date": "2999-01-01"}, "cannot be in the future"),
        ("allergies/", {"substance": "Nuts", "severity": "deadly"}, "not a valid choice"),
    ],
)
def test_bad_input_is_400_with_a_clear_message(world, gp_client, tail, payload, message):
    response = gp_client.post(url(world.patient, tail), payload, "json")
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_amend_and_history(world, gp_client):
    first = ProblemFactory.create(patient=world.patient, title="Hypertension")
    response = gp_client.post(
        url(world.patient, f"entries/problem/{first.pk}/amend/"),
        {"changes": {"title": "Essential hypertension"}, "reason": "more specific"},
        "json",
    )
    assert response.status_code == 201
    assert response.json()["version"] == 2
    history = gp_client.get(url(world.patient, f"entries/problem/{first.pk}/")).json()
    assert [v["title"] for v in history["versions"]] == ["Hypertension", "Essential hypertension"]


def test_entered_in_error(world, gp_client):
    first = ProblemFactory.create(patient=world.patient)
    response = gp_client.post(
        url(world.patient, f"entries/problem/{first.pk}/entered-in-error/"),
        {"reason": "Wrong patient"},
        "json",
    )
    assert response.status_code == 201
    assert response.json()["change"] == "entered_in_error"
    assert Problem.objects.filter(lineage=first.lineage).count() == 2


def test_hca_cannot_record_a_problem_403(world):
    response = client_for(world.staff(Role.HCA).user).post(
        url(world.patient, "problems/"), {"title": "Asthma"}, "json"
    )
    assert response.status_code == 403
    assert "cannot record problem" in response.json()["message"]


def test_the_audit_stores_the_servers_request_id_never_the_clients(world, gp_client):
    response = gp_client.get(
        url(world.patient, "record/"), HTTP_X_REQUEST_ID="req-abc-123", REMOTE_ADDR="10.1.2.3"
    )
    assert response["X-Request-ID"] != "req-abc-123"
    event = AuditEvent.objects.get(action="view_summary")
    assert (event.request_id, event.ip) == (response["X-Request-ID"], "10.1.2.3")


def test_unsafe_request_id_is_replaced(world, gp_client):
    response = gp_client.get(url(world.patient), HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
    assert AuditEvent.objects.get().request_id == response["X-Request-ID"]


def test_anonymous_is_refused(world):
    assert APIClient().get(url(world.patient)).status_code in (401, 403)


def test_schema_generates_without_warnings(db, tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


# The audit API -------------------------------------------------------------------------------


@pytest.fixture
def manager_client(world):
    return client_for(world.staff(Role.PRACTICE_MANAGER).user)


def _break_glass(world):
    client = client_for(world.staff(Role.GP, world.partner).user)
    client.post(
        url(world.patient, "break-glass/"),
        {"reason": "Seen in hub, needs medication review today"},
        "json",
    )


def test_manager_lists_their_practice_audit_and_filters_break_glass(
    world, gp_client, manager_client
):
    gp_client.get(url(world.patient, "record/"))
    _break_glass(world)
    everything = manager_client.get("/api/v1/audit/").json()
    assert {e["action"] for e in everything["results"]} >= {"view_summary", "break_glass"}
    only = manager_client.get("/api/v1/audit/", {"break_glass": "true"}).json()
    assert [e["action"] for e in only["results"]] == ["break_glass"]


def test_manager_filters_by_patient_user_and_dates(world, gp, gp_client, manager_client):
    gp_client.get(url(world.patient, "record/"))
    today = timezone.localdate()
    rows = manager_client.get(
        "/api/v1/audit/",
        {
            "patient": world.patient.pk,
            "user": gp.user.pk,
            "since": today.isoformat(),
            "until": today.isoformat(),
        },
    ).json()["results"]
    assert [r["action"] for r in rows] == ["view_summary"]
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert manager_client.get("/api/v1/audit/", {"until": yesterday}).json()["results"] == []


def test_manager_of_another_practice_sees_none_of_it(world, gp_client):
    gp_client.get(url(world.patient, "record/"))
    other = client_for(world.staff(Role.PRACTICE_MANAGER, world.partner).user)
    assert other.get("/api/v1/audit/").json()["results"] == []


def test_gp_is_refused_the_audit(world, gp_client):
    response = gp_client.get("/api/v1/audit/")
    assert response.status_code == 403
    assert "practice manager" in response.json()["message"]


def test_csv_export(world, gp_client, manager_client):
    gp_client.get(url(world.patient, "record/"))
    response = manager_client.get("/api/v1/audit/export.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,at,username,role")
    assert any(",view_summary," in line for line in lines[1:])
    assert AuditEvent.objects.filter(action="export").exists()


def test_manager_reviews_break_glass_once(world, manager_client):
    _break_glass(world)
    event = AuditEvent.objects.get(action="break_glass")
    response = manager_client.post(f"/api/v1/audit/{event.pk}/review/", {"note": "ok"}, "json")
    assert response.status_code == 201
    again = manager_client.post(f"/api/v1/audit/{event.pk}/review/", {}, "json")
    assert again.status_code == 409
    pending = manager_client.get("/api/v1/audit/", {"unreviewed": "true"}).json()["results"]
    assert pending == []


def test_other_practice_manager_cannot_review(world):
    _break_glass(world)
    event = AuditEvent.objects.get(action="break_glass")
    other = client_for(world.staff(Role.PRACTICE_MANAGER, world.partner).user)
    assert other.post(f"/api/v1/audit/{event.pk}/review/", {}, "json").status_code == 403


def test_record_endpoint_queries_do_not_grow_with_the_record(world, gp_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ConsultationFactory, MedicationFactory

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert gp_client.get(url(world.patient, "record/")).status_code == 200
        return len(ctx.captured_queries)

    ProblemFactory.create(patient=world.patient)
    small = count()
    for i in range(15):
        ProblemFactory.create(patient=world.patient, title=f"Problem {i}")
        MedicationFactory.create(patient=world.patient, name=f"Drug {i}")
        ConsultationFactory.create(patient=world.patient)
    assert count() == small
