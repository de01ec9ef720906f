from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from common.errors import Conflict, PermissionRefused, ServiceError
from records.clinical import Change, Observation, Problem
from records.selectors.history import entry_history
from records.services.entries import entry_amend, entry_create, entry_mark_entered_in_error
from records.services.observations import observations_record
from staff.roles import Role
from tests.expect import invalid
from tests.factories import ProblemFactory


def test_created_entry_shows_author_role_site_and_time(world, gp):
    entry = entry_create(
        actor=gp,
        patient=world.patient,
        entry_type="problem",
        data={"title": "Asthma", "snomed_concept_id": "195967001", "snomed_term": "Asthma"},
    )
    entry.refresh_from_db()
    assert entry.author == gp.staff
    assert entry.author_role == Role.GP
    assert entry.site in gp.staff.sites.all()
    assert timezone.now() - entry.recorded_at < datetime.timedelta(minutes=1)


def test_create_is_audited_with_basis(world, gp):
    entry = entry_create(
        actor=gp,
        patient=world.patient,
        entry_type="allergy",
        data={"substance": "Latex", "severity": "mild"},
    )
    event = AuditEvent.objects.get(action="create")
    assert (event.patient, event.object_type, event.object_id) == (
        world.patient,
        "allergy",
        str(entry.pk),
    )
    assert event.basis == "own_practice"
    assert event.user == gp.user and event.role == Role.GP


def test_amendment_is_a_new_version_and_keeps_the_previous(world, gp):
    first = ProblemFactory.create(patient=world.patient, title="Hypertension")
    second: Any = entry_amend(
        actor=gp,
        patient=world.patient,
        entry_type="problem",
        entry_id=first.pk,
        changes={"title": "Essential hypertension"},
        reason="More specific",
    )
    first.refresh_from_db()
    assert first.title == "Hypertension"
    assert (second.version, second.previous_id, second.lineage) == (2, first.pk, first.lineage)
    assert second.change == Change.AMENDED and second.author == gp.staff
    history: list[Any] = entry_history(
        actor=gp, patient=world.patient, entry_type="problem", entry_id=second.pk
    )
    assert [v.title for v in history] == ["Hypertension", "Essential hypertension"]


def test_amending_a_superseded_version_is_a_conflict(world, gp):
    first = ProblemFactory.create(patient=world.patient)
    entry_amend(
        actor=gp,
        patient=world.patient,
        entry_type="problem",
        entry_id=first.pk,
        changes={"title": "Hypertension (resolved?)"},
    )
    with pytest.raises(Conflict, match="version 2 exists"):
        entry_amend(
            actor=gp,
            patient=world.patient,
            entry_type="problem",
            entry_id=first.pk,
            changes={"title": "Other"},
        )


def test_amendment_with_no_change_is_refused(world, gp):
    first = ProblemFactory.create(patient=world.patient, title="Asthma")
    with pytest.raises(ServiceError, match="Nothing to amend"):
        entry_amend(
            actor=gp,
            patient=world.patient,
            entry_type="problem",
            entry_id=first.pk,
            changes={"title": "Asthma"},
        )


def test_entered_in_error_needs_a_reason(world, gp):
    first = ProblemFactory.create(patient=world.patient)
    with pytest.raises(ServiceError, match="Say why"):
        entry_mark_entered_in_error(
            actor=gp, patient=world.patient, entry_type="problem", entry_id=first.pk, reason="  "
        )


def test_entered_in_error_records_who_when_why_and_keeps_content(world, gp):
    first = ProblemFactory.create(patient=world.patient, title="Diabetes")
    mark: Any = entry_mark_entered_in_error(
        actor=gp,
        patient=world.patient,
        entry_type="problem",
        entry_id=first.pk,
        reason="Wrong patient's record",
    )
    assert mark.change == Change.ENTERED_IN_ERROR
    assert (mark.author, mark.change_reason, mark.title) == (
        gp.staff,
        "Wrong patient's record",
        "Diabetes",
    )
    assert Problem.objects.filter(lineage=first.lineage).count() == 2


def test_entry_entered_in_error_cannot_be_amended(world, gp):
    first = ProblemFactory.create(patient=world.patient)
    mark = entry_mark_entered_in_error(
        actor=gp,
        patient=world.patient,
        entry_type="problem",
        entry_id=first.pk,
        reason="Duplicate entry",
    )
    with pytest.raises(Conflict, match="entered in error"):
        entry_amend(
            actor=gp,
            patient=world.patient,
            entry_type="problem",
            entry_id=mark.pk,
            changes={"title": "x"},
        )


def test_entry_of_another_patient_is_not_found(world, gp):
    other = ProblemFactory.create(patient__registered_practice=world.home)
    from common.errors import NotFound

    with pytest.raises(NotFound):
        entry_amend(
            actor=gp,
            patient=world.patient,
            entry_type="problem",
            entry_id=other.pk,
            changes={"title": "x"},
        )


def test_hca_may_not_mark_an_entry_sensitive_they_could_not_see(world):
    hca = world.actor(Role.HCA)
    observations_record(actor=hca, patient=world.patient, pulse=Decimal("70"))  # allowed
    with pytest.raises(PermissionRefused, match="sensitive"):
        entry_create(
            actor=hca,
            patient=world.patient,
            entry_type="observation",
            data={"kind": "pulse", "value": Decimal(70), "sensitive": True},
        )


def test_observation_set_records_one_entry_per_measurement_with_units(world):
    hca = world.actor(Role.HCA)
    made = observations_record(
        actor=hca,
        patient=world.patient,
        systolic=Decimal(128),
        diastolic=Decimal(82),
        pulse=Decimal(64),
        weight=Decimal("70.5"),
        height=Decimal(175),
        temperature=Decimal("36.8"),
        spo2=Decimal(98),
    )
    assert {(o.kind, o.unit) for o in made} == {
        ("blood_pressure", "mmHg"),
        ("pulse", "beats/min"),
        ("weight", "kg"),
        ("height", "cm"),
        ("temperature", "°C"),
        ("spo2", "%"),
    }


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"systolic": 400, "diastolic": 80},
            "systolic",
            "Systolic blood pressure of 400 mmHg is not plausible",
        ),
        ({"systolic": 120, "diastolic": 130}, "diastolic", "below the systolic"),
        ({"pulse": 5}, "pulse", "Pulse of 5 beats/min is not plausible"),
        ({"weight": 900}, "weight", "Weight of 900 kg is not plausible"),
        ({"height": 300}, "height", "Height of 300 cm is not plausible"),
        ({"temperature": Decimal("98.6")}, "temperature", "looks like °F"),
        ({"spo2": 101}, "spo2", "Oxygen saturation of 101 % is not plausible"),
    ],
)
def test_implausible_observation_is_refused_with_a_clear_message(world, gp, values, field, message):
    with pytest.raises(ValidationError) as caught:
        values = {k: Decimal(v) for k, v in values.items()}
        observations_record(actor=gp, patient=world.patient, **values)
    assert message in " ".join(caught.value.message_dict[field])


def test_one_implausible_value_records_none_of_the_set(world, gp):
    with invalid(spo2="Oxygen saturation"):
        observations_record(actor=gp, patient=world.patient, pulse=Decimal(70), spo2=Decimal(20))
    assert not Observation.objects.exists()


def test_observation_in_the_future_is_refused(world, gp):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        observations_record(
            actor=gp,
            patient=world.patient,
            pulse=Decimal(70),
            taken_at=timezone.now() + datetime.timedelta(days=1),
        )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("22298007", "check digit"),
        ("12345", "6 to 18 digits"),
        ("38341A03", "only digits"),
        ("12345202", "partition 20"),  # check digit right, partition 20 is not a concept
        ("100011", "description id"),
    ],
)
def test_bad_snomed_code_format_is_refused(world, gp, code, message):
    with pytest.raises(ValidationError) as caught:
        entry_create(
            actor=gp,
            patient=world.patient,
            entry_type="problem",
            data={"title": "X", "snomed_concept_id": code, "snomed_term": "X"},
        )
    assert message in caught.value.message_dict["snomed_concept_id"][0]


def test_snomed_code_needs_a_term(world, gp):
    with pytest.raises(ValidationError) as caught:
        entry_create(
            actor=gp,
            patient=world.patient,
            entry_type="problem",
            data={"title": "X", "snomed_concept_id": "38341003"},
        )
    assert "term" in caught.value.message_dict["snomed_term"][0]


def test_problem_onset_in_the_future_is_refused(world, gp):
    with pytest.raises(ValidationError, match="onset date cannot be in the future"):
        entry_create(
            actor=gp,
            patient=world.patient,
            entry_type="problem",
            data={"title": "X", "onset_date": timezone.localdate() + datetime.timedelta(days=3)},
        )


def test_medication_stopping_before_it_starts_is_refused(world, gp):
    with pytest.raises(ValidationError, match="stop date cannot be before"):
        entry_create(
            actor=gp,
            patient=world.patient,
            entry_type="medication",
            data={
                "name": "Ramipril 5mg",
                "dose": "od",
                "start_date": datetime.date(2024, 3, 1),
                "stop_date": datetime.date(2024, 2, 1),
            },
        )


def test_consultation_needs_some_content(world, gp):
    with pytest.raises(ValidationError, match="at least one of history"):
        entry_create(
            actor=gp, patient=world.patient, entry_type="consultation", data={"history": " "}
        )


def test_unknown_field_is_refused(world, gp):
    with pytest.raises(ServiceError, match="no field colour"):
        entry_create(
            actor=gp,
            patient=world.patient,
            entry_type="allergy",
            data={"substance": "Nuts", "severity": "mild", "colour": "red"},
        )


def test_an_appointment_has_one_consultation_and_a_repeat_is_a_clear_409(world, gp):
    from tests.factories import make_appointment

    started = timezone.now() - datetime.timedelta(hours=1)
    appointment = make_appointment(patient=world.patient, clinician=gp.staff, start=started)
    notes = {"appointment": appointment, "history": "Sore throat", "plan": "Fluids"}
    first = entry_create(actor=gp, patient=world.patient, entry_type="consultation", data=notes)
    with pytest.raises(Conflict, match="already been saved: amend them instead"):
        entry_create(actor=gp, patient=world.patient, entry_type="consultation", data=notes)
    # Amending the notes is still possible: a new version of the same consultation.
    amended: Any = entry_amend(
        actor=gp,
        patient=world.patient,
        entry_type="consultation",
        entry_id=first.pk,
        changes={"plan": "Fluids; review in 48 hours"},
        reason="Added review",
    )
    assert amended.version == 2 and amended.appointment_id == appointment.pk
