"""The database itself refuses to change or delete clinical and audit rows (PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError, AuditEvent, BreakGlassReview
from audit.services import audit_write
from tests.factories import (
    AllergyFactory,
    ConsultationFactory,
    MedicationFactory,
    ObservationFactory,
    ProblemFactory,
    make_grant,
)

ENTRY_FACTORIES: dict[str, tuple[Any, str]] = {
    "records_consultation": (ConsultationFactory, "history = 'rewritten'"),
    "records_problem": (ProblemFactory, "title = 'rewritten'"),
    "records_medication": (MedicationFactory, "dose = 'rewritten'"),
    "records_allergy": (AllergyFactory, "substance = 'rewritten'"),
    "records_observation": (ObservationFactory, "value = 99"),
}


def _refused(sql: str, params: list | None = None) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(caught.value)


@pytest.mark.parametrize("table", list(ENTRY_FACTORIES))
def test_record_rows_refuse_update(world, table):
    factory, assignment = ENTRY_FACTORIES[table]
    entry = factory(patient=world.patient)
    message = _refused(f"UPDATE {table} SET {assignment} WHERE id = %s", [entry.pk])
    assert "never changed or deleted" in message


@pytest.mark.parametrize("table", list(ENTRY_FACTORIES))
def test_record_rows_refuse_delete(world, table):
    factory, _ = ENTRY_FACTORIES[table]
    entry = factory(patient=world.patient)
    assert "refused" in _refused(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    assert type(entry).objects.filter(pk=entry.pk).exists()


def test_record_rows_refuse_truncate_outside_test_databases(world):
    ProblemFactory.create(patient=world.patient)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL dovetail.allow_truncate = 'off'")
        c.execute("TRUNCATE records_problem CASCADE")


def test_break_glass_grants_refuse_update(world):
    grant = make_grant(staff=world.staff(), patient=world.patient)
    _refused(
        "UPDATE records_breakglassgrant SET expires_at = expires_at + interval '1 day' "
        "WHERE id = %s",
        [grant.pk],
    )


def _event(world):
    return audit_write(
        actor=world.actor(), action="view_summary", basis="own_practice", patient=world.patient
    )


def test_audit_rows_refuse_update_in_the_database(world):
    event = _event(world)
    assert "append-only" in _refused(
        "UPDATE audit_auditevent SET basis = 'nothing to see' WHERE id = %s", [event.pk]
    )


def test_audit_rows_refuse_delete_in_the_database(world):
    event = _event(world)
    _refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_table_refuses_truncate_outside_test_databases(world):
    _event(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL dovetail.allow_truncate = 'off'")
        c.execute("TRUNCATE audit_auditevent CASCADE")


def test_break_glass_reviews_refuse_update(world):
    event = _event(world)
    review = BreakGlassReview.objects.create(event=event, reviewed_by=world.staff().user)
    _refused("UPDATE audit_breakglassreview SET note = 'x' WHERE id = %s", [review.pk])


def test_application_cannot_save_an_audit_event_twice(world):
    event = _event(world)
    event.basis = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_application_cannot_delete_an_audit_event(world):
    event = _event(world)
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_application_cannot_bulk_update_or_delete_audit_events(world):
    _event(world)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(basis="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_test_databases_can_still_be_flushed_between_transactional_tests():
    """Django empties tables with TRUNCATE after a transactional test; the test database turns
    the escape on (tests/conftest.py), so this test's teardown must succeed."""
    from tests.factories import (
        AdultPatientFactory,
        PracticeFactory,
        SiteFactory,
        StaffMemberFactory,
    )

    practice = PracticeFactory.create()
    SiteFactory.create(practice=practice)
    patient = AdultPatientFactory.create(registered_practice=practice)
    staff = StaffMemberFactory.create(practice=practice)
    ProblemFactory.create(patient=patient, author=staff)
    from policy.actor import actor_for_user

    audit_write(
        actor=actor_for_user(staff.user),
        action="view_summary",
        basis="own_practice",
        patient=patient,
    )
    assert AuditEvent.objects.count() == 1
