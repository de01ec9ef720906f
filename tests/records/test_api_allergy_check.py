"""The API gives the same answer as the pages: a 409 naming the allergy, then acknowledge."""

from __future__ import annotations

from rest_framework.test import APIClient

from audit.models import AuditEvent
from records.clinical import Medication
from staff.roles import Role
from tests.factories import AllergyFactory

AMOXICILLIN = {"name": "Amoxicillin 500mg capsules", "dose": "One capsule three times a day",
               "snomed_concept_id": "27658006", "snomed_term": "Product containing amoxicillin"}


def _client(actor):
    client = APIClient()
    client.force_authenticate(actor.user)
    return client


def _url(patient):
    return f"/api/v1/patients/{patient.pk}/medications/"


def test_a_conflict_is_a_409_naming_the_allergy(world, gp, snomed):
    allergy = AllergyFactory.create(patient=world.patient, substance="Penicillin",
                                    severity="severe", reaction="Anaphylaxis")
    response = _client(gp).post(_url(world.patient), AMOXICILLIN, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "allergy_conflict"
    assert body["message"].startswith(
        "Allergy warning: Amoxicillin 500mg capsules: recorded allergy to Penicillin "
        "(severe, Anaphylaxis); it contains Amoxicillin"
    )
    assert body["detail"]["conflicts"][0]["allergy_id"] == allergy.pk
    assert not Medication.objects.exists()


def test_acknowledge_with_a_reason_proceeds_and_is_recorded(world, gp, snomed):
    AllergyFactory.create(patient=world.patient, substance="Penicillin", severity="mild")
    response = _client(gp).post(
        _url(world.patient),
        {**AMOXICILLIN, "acknowledge": True, "acknowledge_reason": "Tolerated amoxicillin 2024"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["allergy_override_reason"] == "Tolerated amoxicillin 2024"
    assert "Tolerated amoxicillin 2024" in AuditEvent.objects.get(
        action="create", object_type="medication"
    ).detail


def test_acknowledge_without_a_reason_is_a_400(world, gp, snomed):
    AllergyFactory.create(patient=world.patient, substance="Penicillin")
    response = _client(gp).post(_url(world.patient), {**AMOXICILLIN, "acknowledge": True},
                                format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "acknowledge_reason"


def test_the_override_fields_cannot_be_sent(world, gp, snomed):
    response = _client(gp).post(
        _url(world.patient), {**AMOXICILLIN, "allergy_override_reason": "x"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["allergy_override_reason"] == ""


def test_no_known_allergies_through_the_api(world, gp, snomed):
    url = f"/api/v1/patients/{world.patient.pk}/allergies/"
    response = _client(gp).post(url, {"status": "none_known"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["substance"] == "No known allergies"
    response = _client(gp).post(url, {"substance": "Latex", "severity": "mild"}, format="json")
    assert response.status_code == 201


def test_a_receptionist_is_refused(world, snomed):
    AllergyFactory.create(patient=world.patient, substance="Penicillin")
    response = _client(world.actor(Role.RECEPTIONIST)).post(
        _url(world.patient), AMOXICILLIN, format="json"
    )
    assert response.status_code == 403
    assert "Penicillin" not in response.json()["message"]
