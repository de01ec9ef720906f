from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from common.errors import PermissionRefused, ServiceError
from patients.selectors import patient_demographics, patient_search
from records.selectors.history import entry_history
from records.selectors.summary import entries_current, patient_summary
from records.services.entries import entry_amend, entry_mark_entered_in_error
from staff.roles import Role
from tests.factories import (
    AdultPatientFactory,
    AllergyFactory,
    ConsultationFactory,
    MedicationFactory,
    ObservationFactory,
    ProblemFactory,
    make_appointment,
)

# The summary ---------------------------------------------------------------------------------


def test_summary_shows_only_active_problems_and_current_medications(world, gp):
    p = world.patient
    ProblemFactory.create(patient=p, title="Asthma")
    ProblemFactory.create(patient=p, title="Appendicitis", status="past")
    MedicationFactory.create(patient=p, name="Salbutamol inhaler")
    MedicationFactory.create(
        patient=p,
        name="Amoxicillin",
        start_date=datetime.date(2024, 1, 1),
        stop_date=datetime.date(2024, 1, 8),
    )
    summary = patient_summary(actor=gp, patient=p)
    assert [x.title for x in summary.active_problems] == ["Asthma"]
    assert [m.name for m in summary.current_medications] == ["Salbutamol inhaler"]


def test_summary_shows_the_latest_version_and_hides_entered_in_error(world, gp):
    p = world.patient
    keep = ProblemFactory.create(patient=p, title="Hypertension")
    wrong = ProblemFactory.create(patient=p, title="Diabetes")
    entry_amend(
        actor=gp,
        patient=p,
        entry_type="problem",
        entry_id=keep.pk,
        changes={"title": "Essential hypertension"},
    )
    entry_mark_entered_in_error(
        actor=gp, patient=p, entry_type="problem", entry_id=wrong.pk, reason="Wrong patient"
    )
    summary = patient_summary(actor=gp, patient=p)
    assert [x.title for x in summary.active_problems] == ["Essential hypertension"]


def test_summary_has_latest_observation_of_each_kind_and_bmi(world, gp):
    p = world.patient
    now = timezone.now()
    ObservationFactory.create(
        patient=p,
        kind="weight",
        value=Decimal(90),
        unit="kg",
        taken_at=now - datetime.timedelta(days=300),
    )
    ObservationFactory.create(
        patient=p,
        kind="weight",
        value=Decimal(80),
        unit="kg",
        taken_at=now - datetime.timedelta(days=3),
    )
    ObservationFactory.create(
        patient=p,
        kind="height",
        value=Decimal(180),
        unit="cm",
        taken_at=now - datetime.timedelta(days=400),
    )
    ObservationFactory.create(
        patient=p, kind="blood_pressure", value=Decimal(140), value2=Decimal(90), unit="mmHg"
    )
    summary = patient_summary(actor=gp, patient=p)
    latest = {o.kind: o.value for o in summary.latest_observations}
    assert latest == {"weight": Decimal(80), "height": Decimal(180), "blood_pressure": Decimal(140)}
    assert summary.bmi == Decimal("24.7")


def test_summary_alerts_show_allergies(world, gp):
    AllergyFactory.create(
        patient=world.patient, substance="Penicillin", severity="severe", reaction="Anaphylaxis"
    )
    summary = patient_summary(actor=gp, patient=world.patient)
    assert [a.text for a in summary.alerts] == ["Allergy: Penicillin (severe): Anaphylaxis"]


def test_sensitive_entries_are_hidden_from_hca_and_shown_to_gp(world, gp):
    ProblemFactory.create(patient=world.patient, title="Chlamydia", sensitive=True)
    ProblemFactory.create(patient=world.patient, title="Asthma")
    hca = world.actor(Role.HCA)
    assert [x.title for x in patient_summary(actor=hca, patient=world.patient).active_problems] == [
        "Asthma"
    ]
    gp_view = patient_summary(actor=gp, patient=world.patient)
    assert {x.title for x in gp_view.active_problems} == {"Chlamydia", "Asthma"}
    assert any(a.kind == "sensitive" for a in gp_view.alerts)


def test_recent_consultations_are_the_newest_five(world, gp):
    now = timezone.now()
    for days in range(8):
        ConsultationFactory.create(
            patient=world.patient,
            history=f"day {days}",
            consulted_at=now - datetime.timedelta(days=days + 1),
        )
    summary = patient_summary(actor=gp, patient=world.patient)
    assert [c.history for c in summary.recent_consultations] == [f"day {d}" for d in range(5)]


def _fill(patient, n):
    now = timezone.now()
    for i in range(n):
        ProblemFactory.create(patient=patient, title=f"Problem {i}")
        MedicationFactory.create(patient=patient, name=f"Drug {i}")
        AllergyFactory.create(patient=patient, substance=f"Substance {i}")
        ConsultationFactory.create(
            patient=patient, consulted_at=now - datetime.timedelta(hours=i + 1)
        )
        for kind, value in (("pulse", 70 + i % 20), ("weight", 70 + i % 10)):
            ObservationFactory.create(
                patient=patient,
                kind=kind,
                value=Decimal(value),
                taken_at=now - datetime.timedelta(hours=i + 1),
            )


@pytest.mark.parametrize("size", [1, 40])
def test_summary_query_count_does_not_grow_with_the_record(
    world, gp, size, django_assert_num_queries
):
    _fill(world.patient, size)
    with django_assert_num_queries(6):  # audit insert + 5 reads, whatever the size
        summary = patient_summary(actor=gp, patient=world.patient)
    assert len(summary.active_problems) == size


def test_summary_for_federation_clinician_costs_two_more_queries(world, django_assert_num_queries):
    staff = world.staff(Role.GP, world.partner)
    make_appointment(
        patient=world.patient, clinician=staff, start=timezone.now() + datetime.timedelta(days=1)
    )
    from policy.actor import actor_for_user

    actor = actor_for_user(staff.user)
    _fill(world.patient, 5)
    with django_assert_num_queries(7):  # appointment relationship + audit + 5 reads
        patient_summary(actor=actor, patient=world.patient)


# Every read is audited -------------------------------------------------------------------------


def test_summary_read_is_audited_with_basis(world, gp):
    patient_summary(actor=gp, patient=world.patient)
    event = AuditEvent.objects.get()
    assert (event.action, event.basis, event.patient, event.user) == (
        "view_summary",
        "own_practice",
        world.patient,
        gp.user,
    )


def test_demographics_read_is_audited_and_search_hit_distinguished(world):
    reception = world.actor(Role.RECEPTIONIST)
    patient_demographics(actor=reception, patient=world.patient)
    patient_demographics(actor=reception, patient=world.patient, via_search=True)
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "view_demographics",
        "search_hit_opened",
    ]


def test_entry_history_and_list_reads_are_audited(world, gp):
    entry = ProblemFactory.create(patient=world.patient)
    entry_history(actor=gp, patient=world.patient, entry_type="problem", entry_id=entry.pk)
    list(entries_current(actor=gp, patient=world.patient, entry_type="problem"))
    assert AuditEvent.objects.filter(action="view_record").count() == 2


def test_refused_read_is_audited(world):
    reception = world.actor(Role.RECEPTIONIST)
    with pytest.raises(PermissionRefused):
        patient_summary(actor=reception, patient=world.patient)
    event = AuditEvent.objects.get()
    assert event.action == "refused" and event.detail == "asked to view_record"


# Search --------------------------------------------------------------------------------------


@pytest.fixture
def josé(world):
    return AdultPatientFactory.create(
        registered_practice=world.home,
        given_name="José",
        family_name="Núñez-O'Brien",
        date_of_birth=datetime.date(1961, 2, 3),
        postcode="OX1 4AR",
    )


@pytest.mark.parametrize("q", ["jose", "JOSÉ", "nunez", "Núñ", "jose nunez", "o'brien"])
def test_search_by_partial_name_ignores_case_and_accents(world, gp, josé, q):
    assert patient_search(actor=gp, q=q) == [josé]


@pytest.mark.parametrize("q", ["03/02/1961", "3/2/1961", "1961-02-03", "03-02-1961"])
def test_search_by_date_of_birth(world, gp, josé, q):
    assert patient_search(actor=gp, q=q) == [josé]


def test_search_by_name_and_date_of_birth(world, gp, josé):
    AdultPatientFactory.create(
        registered_practice=world.home,
        given_name="Josephine",
        date_of_birth=datetime.date(1970, 1, 1),
    )
    assert patient_search(actor=gp, q="jose 03/02/1961") == [josé]


def test_search_by_nhs_number_spaced_or_hyphenated(world, gp, josé):
    n = josé.nhs_number
    for q in (n, f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"):
        assert patient_search(actor=gp, q=q) == [josé]


@pytest.mark.parametrize("q", ["OX1 4AR", "ox14ar", "OX1"])
def test_search_by_postcode_or_outward_code(world, gp, josé, q):
    assert josé in patient_search(actor=gp, q=q)


def test_search_does_not_find_other_practices_patients(world, josé):
    outsider_gp = world.actor(Role.GP, world.outsider)
    partner_gp = world.actor(Role.GP, world.partner)
    assert patient_search(actor=outsider_gp, q="jose") == []
    assert patient_search(actor=partner_gp, q="jose") == []


def test_search_finds_a_federation_patient_booked_with_me(world, josé):
    staff = world.staff(Role.GP, world.partner)
    make_appointment(patient=josé, clinician=staff, start=timezone.now() + datetime.timedelta(1))
    from policy.actor import actor_for_user

    assert patient_search(actor=actor_for_user(staff.user), q="jose") == [josé]


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Type a name"),
        ("j", "at least 2 letters"),
        ("31/02/1990", "not a real date"),
        ("999 123 4565", "not.*valid NHS number"),
        ("smith 12ab", "is not a date"),
    ],
)
def test_bad_search_is_refused_with_a_clear_message(world, gp, q, message):
    with pytest.raises(ServiceError, match=message):
        patient_search(actor=gp, q=q)


def test_user_without_staff_membership_cannot_search(world, nobody):
    with pytest.raises(PermissionRefused):
        patient_search(actor=nobody, q="smith")
    assert AuditEvent.objects.get().action == "refused"
