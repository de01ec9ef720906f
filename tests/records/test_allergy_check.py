"""The allergy check when a medication is added (issue 16 item 2, ADR 0034)."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from common.errors import Conflict, PermissionRefused, ServiceError
from records.clinical import Allergy, Medication
from records.services.allergies import AllergyConflictError
from records.services.entries import entry_create, entry_mark_entered_in_error
from staff.roles import Role
from tests.factories import AllergyFactory

AMOXICILLIN = {"name": "Amoxicillin 500mg capsules", "dose": "One capsule three times a day"}
AMOXICILLIN_CODED = {
    **AMOXICILLIN, "snomed_concept_id": "27658006", "snomed_term": "Product containing amoxicillin"
}
PENICILLIN_ALLERGY = {
    "substance": "Penicillin", "severity": "severe", "reaction": "Anaphylaxis",
    "snomed_concept_id": "91936005", "snomed_term": "Allergy to penicillin",
}


def _add(actor, patient, data, **kw):
    return entry_create(actor=actor, patient=patient, entry_type="medication", data=data, **kw)


def _allergy(actor, patient, data):
    return entry_create(actor=actor, patient=patient, entry_type="allergy", data=data)


def test_a_drug_in_the_class_of_a_coded_allergy_is_stopped_naming_the_allergy(world, gp, snomed):
    _allergy(gp, world.patient, PENICILLIN_ALLERGY)
    with pytest.raises(AllergyConflictError) as caught:
        _add(gp, world.patient, AMOXICILLIN_CODED)
    assert caught.value.status == 409
    assert "recorded allergy to Penicillin (severe, Anaphylaxis)" in caught.value.message
    assert "contains Amoxicillin, which is in the class Penicillin" in caught.value.message
    assert caught.value.detail["conflicts"][0]["allergen"].startswith("Penicillin")
    assert not Medication.objects.exists()


def test_uncoded_names_are_matched_through_the_terms(world, gp, snomed):
    AllergyFactory.create(patient=world.patient, substance="penicillin")
    with pytest.raises(AllergyConflictError, match="recorded allergy to penicillin"):
        _add(gp, world.patient, AMOXICILLIN)


def test_an_exact_match_is_stopped(world, gp, snomed):
    AllergyFactory.create(patient=world.patient, substance="Amoxicillin",
                          snomed_concept_id="372687004", snomed_term="Amoxicillin")
    with pytest.raises(AllergyConflictError, match="it contains Amoxicillin\\."):
        _add(gp, world.patient, AMOXICILLIN_CODED)


def test_the_hierarchy_is_followed_upwards_only(world, gp, snomed):
    # Allergic to amoxicillin: other penicillins are not inferred; aspirin allergy does not
    # stop ibuprofen (both NSAIDs, but neither is a kind of the other).
    AllergyFactory.create(patient=world.patient, substance="Aspirin", severity="mild")
    AllergyFactory.create(patient=world.patient, substance="Peanut", severity="severe")
    entry = _add(gp, world.patient, {"name": "Ibuprofen 400mg tablets", "dose": "One tablet"})
    assert entry.allergy_warning == ""
    entry = _add(gp, world.patient, AMOXICILLIN)
    assert entry.allergy_warning == ""


def test_an_unknown_allergen_still_warns_when_the_drug_names_it(world, gp, snomed):
    AllergyFactory.create(patient=world.patient, substance="Elastoplast")
    with pytest.raises(AllergyConflictError):
        _add(gp, world.patient, {"name": "Elastoplast dressing", "dose": "Apply daily"})


def test_acknowledged_with_a_reason_is_saved_and_audited(world, gp, snomed):
    _allergy(gp, world.patient, PENICILLIN_ALLERGY)
    entry = _add(gp, world.patient, AMOXICILLIN_CODED, acknowledge=True,
                 acknowledge_reason="Allergy disproved by challenge test in clinic, 2023")
    entry.refresh_from_db()
    assert entry.allergy_override_reason == "Allergy disproved by challenge test in clinic, 2023"
    assert "recorded allergy to Penicillin" in entry.allergy_warning
    event = AuditEvent.objects.get(action="create", object_type="medication")
    assert "Allergy warning overridden" in event.detail
    assert "challenge test" in event.detail


def test_acknowledging_without_a_reason_is_refused(world, gp, snomed):
    _allergy(gp, world.patient, PENICILLIN_ALLERGY)
    with pytest.raises(ServiceError) as caught:
        _add(gp, world.patient, AMOXICILLIN, acknowledge=True, acknowledge_reason=" ok ")
    assert caught.value.code == "acknowledge_reason"
    assert not Medication.objects.exists()


def test_an_allergy_entered_in_error_no_longer_warns(world, gp, snomed):
    allergy = _allergy(gp, world.patient, PENICILLIN_ALLERGY)
    entry_mark_entered_in_error(actor=gp, patient=world.patient, entry_type="allergy",
                                entry_id=allergy.pk, reason="Wrong patient")
    assert _add(gp, world.patient, AMOXICILLIN).allergy_warning == ""


def test_no_known_allergies_is_its_own_coded_state(world, gp, snomed):
    entry = _allergy(gp, world.patient, {"status": "none_known"})
    assert (entry.status, entry.substance, entry.snomed_concept_id) == (
        Allergy.Status.NONE_KNOWN, "No known allergies", "716186003"
    )
    assert entry.severity == ""
    assert _add(gp, world.patient, AMOXICILLIN).allergy_warning == ""


def test_no_known_allergies_is_refused_while_an_allergy_is_recorded(world, gp, snomed):
    _allergy(gp, world.patient, PENICILLIN_ALLERGY)
    with pytest.raises(Conflict) as caught:
        _allergy(gp, world.patient, {"status": "none_known"})
    assert caught.value.code == "allergies_recorded"
    assert "Penicillin" in caught.value.message


def test_an_allergy_after_no_known_allergies_is_checked(world, gp, snomed):
    _allergy(gp, world.patient, {"status": "none_known"})
    _allergy(gp, world.patient, PENICILLIN_ALLERGY)
    with pytest.raises(AllergyConflictError):
        _add(gp, world.patient, AMOXICILLIN)


def test_a_real_allergy_needs_a_severity(world, gp, snomed):
    with pytest.raises(Exception, match="Give the severity"):
        _allergy(gp, world.patient, {"substance": "Latex"})


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.HCA])
def test_a_user_who_may_not_prescribe_is_refused_before_any_allergy_is_shown(world, snomed, role):
    _allergy(world.actor(Role.GP), world.patient, PENICILLIN_ALLERGY)
    with pytest.raises(PermissionRefused):
        _add(world.actor(role), world.patient, AMOXICILLIN)
    assert AuditEvent.objects.filter(action="refused").exists()


def test_someone_outside_the_practice_is_refused(world, snomed):
    outsider = world.actor(Role.GP, practice=world.outsider)
    with pytest.raises(PermissionRefused):
        _add(outsider, world.patient, AMOXICILLIN)


def test_the_summary_tells_none_known_from_not_recorded(world, gp, snomed):
    from records.selectors.summary import patient_summary

    assert patient_summary(actor=gp, patient=world.patient).allergy_status == "not_recorded"
    _allergy(gp, world.patient, {"status": "none_known"})
    summary = patient_summary(actor=gp, patient=world.patient)
    assert (summary.allergy_status, summary.allergies) == ("none_known", [])
    assert not [a for a in summary.alerts if a.kind == "allergy"]
    _allergy(gp, world.patient, PENICILLIN_ALLERGY)
    summary = patient_summary(actor=gp, patient=world.patient)
    assert summary.allergy_status == "recorded"
    assert [a.substance for a in summary.allergies] == ["Penicillin"]
