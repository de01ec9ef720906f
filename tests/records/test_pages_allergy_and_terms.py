"""The consultation page: the allergy warning where the GP is looking, coding by term."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from records.clinical import Allergy, Medication, Problem
from staff.roles import Role
from tests.factories import AllergyFactory, UserFactory, make_appointment
from tests.records.test_pages import signed_in, today_at


@pytest.fixture
def gp(world: Any) -> Any:
    return world.staff(Role.GP)


@pytest.fixture
def add(client, world, gp, snomed):
    appointment = make_appointment(patient=world.patient, clinician=gp, start=today_at(0, 10),
                                   status="in_consultation")
    signed_in(client, gp)

    def post(entry_type: str, data: dict[str, str]) -> Any:
        url = reverse("clinical:add-entry", args=[appointment.pk, entry_type])
        fields = {f"{entry_type}-{k}": v for k, v in data.items()}
        return client.post(url, fields, HTTP_HX_REQUEST="true")

    return post


AMOXICILLIN = {"name": "Amoxicillin 500mg capsules", "dose": "One three times a day",
               "course": "acute"}


def test_amoxicillin_for_a_penicillin_allergic_patient_is_stopped_until_acknowledged(
    world, add
):
    AllergyFactory.create(patient=world.patient, substance="Penicillin", severity="severe",
                          reaction="Anaphylaxis")
    warned = add("medication", AMOXICILLIN)
    body = warned.content.decode()
    assert warned.status_code == 422
    assert "Allergy warning: not saved" in body
    assert "recorded allergy to Penicillin (severe, Anaphylaxis)" in body
    assert 'name="medication-ack-acknowledge"' in body
    assert 'value="Amoxicillin 500mg capsules"' in body  # what was typed is kept
    assert not Medication.objects.exists()

    no_reason = add("medication", {**AMOXICILLIN, "ack-acknowledge": "on"})
    assert no_reason.status_code == 422
    assert "Say why you are prescribing despite the allergy warning" in no_reason.content.decode()
    assert not Medication.objects.exists()

    saved = add("medication", {**AMOXICILLIN, "ack-acknowledge": "on",
                               "ack-reason": "Tolerated a full course in 2024"})
    assert saved.status_code == 200
    assert "(allergy warning acknowledged)" in saved.content.decode()
    medication = Medication.objects.get()
    assert medication.allergy_override_reason == "Tolerated a full course in 2024"


def test_a_medication_without_conflict_is_added_at_once(world, add):
    AllergyFactory.create(patient=world.patient, substance="Peanut", severity="severe")
    response = add("medication", {"name": "Paracetamol 500mg tablets", "dose": "Two tablets",
                                  "course": "acute", "snomed_term": "Paracetamol"})
    assert response.status_code == 200, response.content.decode()
    assert Medication.objects.get().snomed_concept_id == "387517004"


def test_a_problem_is_coded_from_the_term_chosen(world, add):
    response = add("problem", {"title": "Raised BP", "status": "active",
                               "snomed_term": "essential hypertension"})
    assert response.status_code == 200, response.content.decode()
    problem = Problem.objects.get()
    assert (problem.snomed_concept_id, problem.snomed_term) == ("59621000",
                                                                 "essential hypertension")


def test_a_term_that_is_no_concepts_is_shown_and_nothing_saved(world, add):
    response = add("problem", {"title": "Raised BP", "status": "active",
                               "snomed_term": "hypertensionitis"})
    assert response.status_code == 400
    assert "No SNOMED CT concept has the term" in response.content.decode()
    assert not Problem.objects.exists()


def test_no_known_allergies_from_the_allergy_sub_form(world, add):
    response = add("allergy", {"status": "none_known"})
    assert response.status_code == 200, response.content.decode()
    assert "Added: No known allergies" in response.content.decode()
    assert Allergy.objects.get().status == Allergy.Status.NONE_KNOWN
    refused = add("allergy", {"status": "none_known", "substance": "Latex"})
    assert refused.status_code == 400


def test_the_coded_field_offers_terms_as_you_type(client, world, gp, snomed):
    signed_in(client, gp)
    response = client.get(reverse("terminology:options"),
                          {"scope": "problem", "problem-snomed_term": "hypert"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<option value="Essential hypertension">' in body
    assert body.index("Hypertensive disorder") < body.index("Essential hypertension")


def test_the_term_list_refuses_someone_who_is_not_staff(client, snomed):
    client.force_login(UserFactory.create())
    response = client.get(reverse("terminology:options"), {"q": "hypert"})
    assert response.status_code == 403
    assert b"Only practice staff" in response.content


def test_the_consultation_page_wires_the_term_search(client, world, gp, snomed):
    appointment = make_appointment(patient=world.patient, clinician=gp, start=today_at(0, 10),
                                   status="in_consultation")
    page = signed_in(client, gp).get(reverse("clinical:consultation", args=[appointment.pk]))
    body = page.content.decode()
    assert 'list="medication-snomed_term-options"' in body
    assert '<datalist id="medication-snomed_term-options">' in body
    assert f'hx-get="{reverse("terminology:options")}?scope=medication"' in body
