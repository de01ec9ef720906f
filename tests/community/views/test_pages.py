"""Community pages: they load, refuse the wrong people, and do not grow queries per row."""

from __future__ import annotations

import csv
import datetime
import io
from typing import cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import FollowUp, Outcome, Referral, ReferralContact, Resource
from tests.factories import FollowUpFactory, ReferralFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def _client(who) -> Client:
    client = Client()
    client.force_login(who.user)
    return client


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_directory_queries_do_not_grow_with_the_number_of_entries(town) -> None:
    client = _client(town.gp)
    url = reverse("community:directory") + "?q=group&category=isolation"
    ResourceFactory.create_batch(2, locality=town.city, name="Walking group")
    few = _queries(client, url)
    ResourceFactory.create_batch(8, locality=town.city, name="Walking group")
    assert _queries(client, url) == few


def test_directory_shows_only_the_users_locality(town) -> None:
    ResourceFactory(locality=town.city, name="Botley walking group")
    ResourceFactory(locality=town.other, name="Abingdon choir")
    page = _client(town.gp).get(reverse("community:directory")).content.decode()
    assert "Botley walking group" in page and "Abingdon choir" not in page


def test_an_entry_of_another_locality_is_not_found(town) -> None:
    resource = ResourceFactory(locality=town.city)
    response = _client(town.other_gp).get(reverse("community:resource", args=[resource.pk]))
    assert response.status_code == 404


def test_a_gp_who_is_not_the_curator_cannot_open_the_edit_page(town) -> None:
    resource = ResourceFactory(locality=town.city, curator=town.link_worker.user)
    assert _client(town.gp).get(
        reverse("community:resource-edit", args=[resource.pk])).status_code == 403
    assert _client(town.link_worker).get(
        reverse("community:resource-edit", args=[resource.pk])).status_code == 200


def test_the_curator_edits_an_entry(town) -> None:
    resource = ResourceFactory(locality=town.city, curator=town.link_worker.user)
    response = _client(town.link_worker).post(
        reverse("community:resource-edit", args=[resource.pk]),
        {"name": "Botley walks", "description": "Walks.", "categories": ["activity"],
         "organisation_name": "Walkers", "referral_method": "self", "postcode": "ox2 9as",
         "active": "on"},
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.name, resource.categories, resource.postcode) == (
        "Botley walks", ["activity"], "OX2 9AS")


def test_an_edit_without_a_category_shows_an_error_summary(town) -> None:
    resource = ResourceFactory(locality=town.city, curator=town.link_worker.user)
    response = _client(town.link_worker).post(
        reverse("community:resource-edit", args=[resource.pk]),
        {"name": "X", "description": "Y", "organisation_name": "Z", "referral_method": "self"},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_stale_list_shows_the_curators_stale_entries(town) -> None:
    ResourceFactory(locality=town.city, curator=town.link_worker.user, name="Old group",
                    last_checked=timezone.localdate() - datetime.timedelta(days=400),
                    stale_since=timezone.localdate())
    ResourceFactory(locality=town.city, curator=town.link_worker.user, name="Fresh group")
    page = _client(town.link_worker).get(reverse("community:stale")).content.decode()
    assert "Old group" in page and "Fresh group" not in page


def test_a_gp_refers_a_patient_by_nhs_number(town) -> None:
    response = _client(town.gp).post(reverse("community:referral-new"), {
        "nhs_number": town.patient.nhs_number, "needs": ["isolation", "carer"],
        "link_worker": town.link_worker.pk, "note": "Lonely since bereavement",
    })
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.needs == ["isolation", "carer"] and referral.referred_by == town.gp.user


def test_a_patient_of_another_practice_cannot_be_referred(town) -> None:
    response = _client(town.other_gp).post(reverse("community:referral-new"), {
        "nhs_number": town.patient.nhs_number, "needs": ["isolation"],
        "link_worker": town.link_worker.pk,
    })
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_a_receptionist_cannot_open_the_referral_form(town) -> None:
    assert _client(town.receptionist).get(reverse("community:referral-new")).status_code == 403


def test_caseload_queries_do_not_grow_with_referrals(town) -> None:
    client = _client(town.link_worker)
    url = reverse("community:caseload")

    def add(n: int) -> None:
        for _ in range(n):
            referral = cast(Referral, ReferralFactory(patient=town.patient,
                                                      link_worker=town.link_worker))
            FollowUpFactory(referral=referral)
            ReferralContact.objects.create(referral=referral, contacted_on=referral.referred_on,
                                           method="phone", note="Called",
                                           recorded_by=town.link_worker.user)
    add(2)
    few = _queries(client, url)
    add(6)
    assert _queries(client, url) == few


def test_a_receptionist_has_no_caseload_page(town) -> None:
    assert _client(town.receptionist).get(reverse("community:caseload")).status_code == 403


def test_the_link_worker_logs_a_contact(town) -> None:
    referral = ReferralFactory(patient=town.patient, link_worker=town.link_worker)
    response = _client(town.link_worker).post(
        reverse("community:referral", args=[referral.pk]),
        {"contacted_on": timezone.localdate().isoformat(), "method": "phone",
         "note": "Booked a first visit"},
    )
    assert response.status_code == 302
    assert referral.contacts.get().note == "Booked a first visit"


def test_the_outcome_form_records_stopped_with_a_reason(town) -> None:
    follow_up = FollowUpFactory(referral=ReferralFactory(
        patient=town.patient, link_worker=town.link_worker))
    response = _client(town.link_worker).post(
        reverse("community:follow-up", args=[follow_up.pk]),
        {"outcome": "stopped", "stopped_reason": "Group moved to evenings", "scale": "swemwbs",
         "swemwbs": "3 3 4 2 3 3 3"},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.swemwbs_raw) == (Outcome.STOPPED, 21)


def test_someone_elses_follow_up_is_not_found(town) -> None:
    follow_up = FollowUpFactory(referral=ReferralFactory(
        patient=town.patient, link_worker=town.link_worker))
    response = _client(town.other_gp).get(reverse("community:follow-up", args=[follow_up.pk]))
    assert response.status_code == 404


def test_report_page_and_csv(town) -> None:
    referrals = [cast(Referral, ReferralFactory(patient=town.patient,
                                                link_worker=town.link_worker))
                 for _ in range(4)]
    FollowUp.objects.create(referral=referrals[0], due_on=timezone.localdate(),
                            assigned_to=town.link_worker.user, outcome=Outcome.STILL_ATTENDING,
                            recorded_by=town.link_worker.user, recorded_at=timezone.now())
    client = _client(town.manager)
    page = client.get(reverse("community:report")).content.decode()
    assert "1 of 4 (25%)" in page
    csv_text = client.get(reverse("community:report") + "?format=csv").content.decode()
    assert "practice,Botley Medical Centre,4,1,1,25" in csv_text


def test_report_queries_are_bounded(town) -> None:
    client = _client(town.manager)
    url = reverse("community:report")
    ReferralFactory(patient=town.patient, link_worker=town.link_worker)
    few = _queries(client, url)
    for _ in range(5):
        ReferralFactory(patient=town.patient, link_worker=town.link_worker,
                        resource=ResourceFactory(locality=town.city))
    assert _queries(client, url) == few


def test_a_receptionist_cannot_see_the_report(town) -> None:
    assert _client(town.receptionist).get(reverse("community:report")).status_code == 403


def test_menu_shows_community_entries_to_a_link_worker(town) -> None:
    page = _client(town.link_worker).get(reverse("home")).content.decode()
    assert "Caseload" in page and "Outcomes" in page and "Community directory" in page




def test_the_link_worker_records_a_decline_from_the_referral_page(town) -> None:
    referral = ReferralFactory(patient=town.patient, link_worker=town.link_worker)
    response = _client(town.link_worker).post(
        reverse("community:referral-declined", args=[referral.pk]))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.snomed_code) == ("declined", "871711000000103")


def test_a_bad_upload_lists_problems_by_line_and_imports_nothing(town) -> None:
    text = '[\n  {"id": "x", "name": "No organisation", "description": "d"}\n]'
    upload = SimpleUploadedFile("directory.json", text.encode(), "application/json")
    response = _client(town.manager).post(reverse("community:import"), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "&#x27;organization&#x27; is a required" in page
    assert not Resource.objects.exists()


def test_a_gp_cannot_open_the_import_page(town) -> None:
    assert _client(town.gp).get(reverse("community:import")).status_code == 403


def test_csv_does_not_let_a_resource_name_become_a_formula(town) -> None:
    resource = ResourceFactory(locality=town.city, name="=HYPERLINK(\"http://x\")")
    ReferralFactory(patient=town.patient, link_worker=town.link_worker, resource=resource)
    response = _client(town.manager).get(reverse("community:report") + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["resource", "'=HYPERLINK(\"http://x\")", "1", "0", "0", "0"] in rows
