"""The community API: same rules as the pages, JSON in and out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from community.models import FollowUp, Outcome, Referral, Resource
from tests.factories import FollowUpFactory, ReferralFactory, ResourceFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/community"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "oruk_sample.json"


def _client(who) -> APIClient:
    client = APIClient()
    client.force_authenticate(who.user)
    return client


def test_search_resources(town) -> None:
    ResourceFactory(locality=town.city, name="Cowley food bank", categories=["food"])
    ResourceFactory(locality=town.city, name="Choir", categories=["arts"])
    response = _client(town.gp).get(f"{BASE}/resources/", {"category": "food"})
    assert [r["name"] for r in response.json()["results"]] == ["Cowley food bank"]


def test_an_unknown_category_is_a_400_not_a_500(town) -> None:
    response = _client(town.gp).get(f"{BASE}/resources/", {"category": "bingo"})
    assert response.status_code == 400


def test_resource_detail_of_another_locality_is_404(town) -> None:
    resource = ResourceFactory(locality=town.other)
    assert _client(town.gp).get(f"{BASE}/resources/{resource.pk}/").status_code == 404


def test_import_then_export_through_the_api(town) -> None:
    client = _client(town.manager)
    response = client.post(f"{BASE}/resources/import/", data=SAMPLE.read_bytes(),
                           content_type="application/json")
    assert response.status_code == 201 and response.json() == {"created": 2, "updated": 0}
    exported = client.get(f"{BASE}/resources/export/").json()
    assert exported["totalElements"] == 2
    again = client.post(f"{BASE}/resources/import/", data=json.dumps(exported),
                        content_type="application/json")
    assert again.json() == {"created": 0, "updated": 2}


def test_a_bad_import_answers_with_the_problem_lines(town) -> None:
    text = SAMPLE.read_text().replace('"ox29jn"', '"nowhere"')
    response = _client(town.manager).post(f"{BASE}/resources/import/", data=text,
                                          content_type="application/json")
    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert problem["line"] == text[: text.index('"nowhere"')].count("\n") + 1
    assert not Resource.objects.exists()


def test_a_gp_may_not_import(town) -> None:
    response = _client(town.gp).post(f"{BASE}/resources/import/", data=SAMPLE.read_bytes(),
                                     content_type="application/json")
    assert response.status_code == 403
    assert not Resource.objects.exists()


def test_create_and_list_referrals(town) -> None:
    client = _client(town.gp)
    response = client.post(f"{BASE}/referrals/", {
        "patient": town.patient.pk, "needs": ["housing"], "link_worker": town.link_worker.pk,
    }, format="json")
    assert response.status_code == 201
    assert response.json()["snomed_code"] == "871731000000106"
    assert [r["id"] for r in client.get(f"{BASE}/referrals/").json()["results"]] == [
        response.json()["id"]]


def test_another_practices_gp_sees_no_referrals_and_cannot_refer(town) -> None:
    ReferralFactory(patient=town.patient, link_worker=town.link_worker)
    client = _client(town.other_gp)
    assert client.get(f"{BASE}/referrals/").json()["results"] == []
    response = client.post(f"{BASE}/referrals/", {
        "patient": town.patient.pk, "needs": ["housing"], "link_worker": town.link_worker.pk,
    }, format="json")
    assert response.status_code == 403
    assert Referral.objects.count() == 1


def test_record_an_outcome(town) -> None:
    follow_up = FollowUpFactory(referral=ReferralFactory(
        patient=town.patient, link_worker=town.link_worker))
    response = _client(town.link_worker).post(
        f"{BASE}/follow-ups/{follow_up.pk}/outcome/",
        {"outcome": "still_attending", "ons4": [8, 8, 7, 2]}, format="json",
    )
    assert response.status_code == 200, response.json()
    assert FollowUp.objects.get().outcome == Outcome.STILL_ATTENDING


def test_follow_ups_list_only_open_ones(town) -> None:
    FollowUpFactory(referral=ReferralFactory(patient=town.patient, link_worker=town.link_worker))
    response = _client(town.link_worker).get(f"{BASE}/follow-ups/", {"recorded": "false"})
    assert len(response.json()["results"]) == 1


def test_report_json(town) -> None:
    ReferralFactory(patient=town.patient, link_worker=town.link_worker)
    body = _client(town.manager).get(f"{BASE}/report/").json()
    assert body["total"]["engaged_share"] == "0 of 1 (0%)"
    assert body["practice"][0]["label"] == "Botley Medical Centre"


def test_report_is_refused_to_reception(town) -> None:
    assert _client(town.receptionist).get(f"{BASE}/report/").status_code == 403


def test_a_gp_adds_a_nurse_to_the_care_team_and_the_nurse_sees_it(town) -> None:
    response = _client(town.gp).post(f"{BASE}/care-team/", {
        "member": town.nurse_member.pk, "patient": town.patient.pk, "reason": "Wound care",
    }, format="json")
    assert response.status_code == 201, response.json()
    mine = _client(town.nurse_member).get(f"{BASE}/care-team/").json()["results"]
    assert [a["patient"] for a in mine] == [town.patient.pk]
    assert _client(town.other_member).get(f"{BASE}/care-team/").json()["results"] == []


def test_a_member_of_another_locality_cannot_be_added_over_the_api(town) -> None:
    response = _client(town.gp).post(f"{BASE}/care-team/", {
        "member": town.other_member.pk, "patient": town.patient.pk,
    }, format="json")
    assert response.status_code == 403


def test_decline_recodes_the_referral(town) -> None:
    referral = ReferralFactory(patient=town.patient, link_worker=town.link_worker)
    response = _client(town.link_worker).post(f"{BASE}/referrals/{referral.pk}/decline/")
    assert response.status_code == 200
    assert response.json()["snomed_code"] == "871711000000103"
    again = _client(town.link_worker).post(f"{BASE}/referrals/{referral.pk}/decline/")
    assert again.status_code == 409


def test_a_receptionist_cannot_decline_a_referral(town) -> None:
    referral = ReferralFactory(patient=town.patient, link_worker=town.link_worker)
    response = _client(town.receptionist).post(f"{BASE}/referrals/{referral.pk}/decline/")
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "open"


def test_every_community_endpoint_is_in_the_api_schema(town) -> None:
    schema = _client(town.gp).get("/api/schema/", {"format": "json"}).json()
    paths = {p for p in schema["paths"] if p.startswith(f"{BASE}/")}
    assert {f"{BASE}/resources/import/", f"{BASE}/resources/export/", f"{BASE}/report/",
            f"{BASE}/follow-ups/{{id}}/outcome/", f"{BASE}/referrals/{{id}}/decline/",
            f"{BASE}/care-team/"} <= paths


def test_a_large_file_of_broken_entries_gets_a_bounded_answer(town) -> None:
    # Issue 14: 2.4 MB of tiny broken entries cost 16 s and a 79 MB reply naming each one.
    from community.services.imports import MAX_IMPORT_SERVICES, MAX_PROBLEMS

    many = "[" + ",".join(['{"id": 1}'] * 200_000) + "]"
    response = _client(town.manager).post(
        f"{BASE}/resources/import/", data=many, content_type="application/json"
    )
    assert response.status_code == 400
    assert f"at most {MAX_IMPORT_SERVICES}" in response.json()["message"]

    broken = "[" + ",".join(['{"id": 1}'] * MAX_IMPORT_SERVICES) + "]"
    response = _client(town.manager).post(
        f"{BASE}/resources/import/", data=broken, content_type="application/json"
    )
    body = response.json()
    assert response.status_code == 400
    assert len(body["problems"]) == MAX_PROBLEMS
    assert "or more problems" in body["message"]
    assert len(response.content) < 20_000
    assert not Resource.objects.exists()


def test_a_file_nested_too_deeply_is_refused_with_its_line(town) -> None:
    response = _client(town.manager).post(
        f"{BASE}/resources/import/", data="[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["message"]
