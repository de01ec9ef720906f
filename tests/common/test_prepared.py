"""common.prepared: a queryset compiled once per shape gives what the ORM gives, its
statements are prepared on PostgreSQL and still counted, and what cannot be prepared is
refused at once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from appointments.models import Slot
from common import prepared
from common.prepared import PreparedQuery, insert_many
from notifications.models import OutboxMessage
from tests.factories import AppointmentFactory, SlotFactory, future

pytestmark = pytest.mark.django_db


def _slots(*, practice: int, site: int | None, after: datetime.datetime) -> QuerySet[Slot]:
    qs = Slot.objects.filter(practice_id=practice, start__gte=after)
    if site is not None:
        qs = qs.filter(site_id=site)
    return qs.select_related("site", "clinician__user", "appointment_type").order_by("start")


def test_instances_are_what_the_queryset_gives_with_their_related_objects() -> None:
    first = SlotFactory(start=future(2))
    SlotFactory(start=future(3), site_obj=first.site, clinician=first.clinician)
    query = PreparedQuery(_slots)
    values = {"practice": first.practice_id, "site": first.site_id, "after": timezone.now()}

    got = query.instances(**values)
    expected = list(_slots(**values))

    assert [s.pk for s in got] == [s.pk for s in expected]
    assert [s.start for s in got] == [s.start for s in expected]
    loaded = got[0]
    for relation in ("site", "clinician", "appointment_type"):
        assert type(loaded)._meta.get_field(relation).is_cached(loaded)
    assert loaded.clinician.user.username == expected[0].clinician.user.username


def test_each_shape_is_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    slot = SlotFactory(start=future(2))
    built: list[dict[str, Any]] = []

    def build(**values: Any) -> QuerySet[Slot]:
        built.append(values)
        return _slots(**values)

    query = PreparedQuery(build)
    for _ in range(3):
        assert [s.pk for s in query.instances(
            practice=slot.practice_id, site=slot.site_id, after=timezone.now()
        )] == [slot.pk]
    assert len(built) == 1
    # No site: another shape (one filter fewer), compiled once more.
    query.instances(practice=slot.practice_id, site=None, after=timezone.now())
    query.instances(practice=slot.practice_id, site=None, after=timezone.now())
    assert len(built) == 2


def test_new_values_go_into_the_cached_statement() -> None:
    early = SlotFactory(start=future(2))
    late: Any = SlotFactory(start=future(9), site_obj=early.site, clinician=early.clinician)
    query = PreparedQuery(_slots)
    both = query.instances(practice=early.practice_id, site=early.site_id, after=timezone.now())
    only_late = query.instances(
        practice=early.practice_id, site=early.site_id, after=late.start - datetime.timedelta(1)
    )
    elsewhere = query.instances(practice=early.practice_id + 999, site=None, after=timezone.now())
    assert [s.pk for s in both] == [early.pk, late.pk]
    assert [s.pk for s in only_late] == [late.pk]
    assert elsewhere == []


def test_a_number_beyond_bigint_matches_nothing_as_in_the_orm() -> None:
    from django.core.exceptions import EmptyResultSet

    slot = SlotFactory(start=future(2))
    query = PreparedQuery(_slots)
    huge = 2**63
    assert list(_slots(practice=huge, site=None, after=timezone.now())) == []
    assert query.instances(practice=huge, site=None, after=timezone.now()) == []
    assert query.instances(practice=slot.practice_id, site=-huge - 1, after=timezone.now()) == []
    with pytest.raises(EmptyResultSet):
        query.sql(practice=huge, site=None, after=timezone.now())


def test_a_bool_value_is_refused_it_would_change_the_structure() -> None:
    query = PreparedQuery(lambda **v: Slot.objects.filter(booked=v["booked"]))
    with pytest.raises(TypeError, match="shape"):
        query.instances(booked=True)


def test_a_value_the_orm_writes_into_the_sql_text_is_refused() -> None:
    from django.db.models.expressions import RawSQL

    def build(*, label: str) -> Any:
        return Slot.objects.annotate(label=RawSQL(f"'{label}'", [])).values("label")

    query: PreparedQuery[Any] = PreparedQuery(build)
    with pytest.raises(ValueError, match="PreparedQuery"):
        query.rows(label="Botley")


def test_a_value_that_the_build_ignores_is_refused() -> None:
    query = PreparedQuery(lambda *, practice: Slot.objects.all())
    with pytest.raises(ValueError, match="did not become SQL parameters"):
        query.instances(practice=1)


def test_statements_through_fast_cursor_are_counted(django_assert_num_queries: Any) -> None:
    slot = SlotFactory(start=future(2))
    query = PreparedQuery(_slots)
    with django_assert_num_queries(1):
        query.instances(practice=slot.practice_id, site=None, after=timezone.now())


def _executions() -> dict[str, int]:
    with connection.cursor() as cursor:  # an ordinary cursor: this query is not prepared
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
        )
        return dict(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_on_postgresql_the_statement_is_prepared_once_and_reused() -> None:
    slot = SlotFactory(start=future(2))
    query = PreparedQuery(_slots)
    query.instances(practice=slot.practice_id, site=slot.site_id, after=timezone.now())
    before = _executions()
    for _ in range(4):
        query.instances(practice=slot.practice_id, site=slot.site_id, after=timezone.now())
    after = _executions()

    grown = {text: n - before.get(text, 0) for text, n in after.items() if n != before.get(text)}
    assert list(grown.values()) == [4]  # one prepared statement, run four more times
    assert '"appointments_slot"."practice_id" = $' in next(iter(grown))


def test_insert_many_writes_what_bulk_create_would() -> None:
    appointment: Any = AppointmentFactory()
    now = timezone.now()
    rows = [
        OutboxMessage(
            appointment_id=appointment.pk,
            patient_id=appointment.patient_id,
            practice_id=appointment.slot.practice_id,
            kind="confirmation",
            channel=channel,
            appointment_version=1,
            appointment_start=appointment.start,
            due_at=now,
            not_before=now,
            next_attempt_at=now,
        )
        for channel in ("sms", "email")
    ]
    insert_many(rows, ignore_conflicts=True)
    insert_many(rows, ignore_conflicts=True)  # the same keys again: nothing more

    saved = OutboxMessage.objects.filter(appointment=appointment).order_by("channel")
    assert [(m.channel, m.status, m.attempts) for m in saved] == [
        ("email", "pending", 0),
        ("sms", "pending", 0),
    ]
    assert all(m.created_at is not None and m.reference for m in saved)


def test_insert_many_takes_the_orm_way_off_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepared, "on_postgres", lambda using="default": False)
    appointment: Any = AppointmentFactory()
    now = timezone.now()
    insert_many([
        OutboxMessage(
            appointment_id=appointment.pk, patient_id=appointment.patient_id,
            practice_id=appointment.slot.practice_id, kind="confirmation", channel="sms",
            appointment_version=1, appointment_start=appointment.start, due_at=now,
            not_before=now, next_attempt_at=now,
        )
    ])
    assert OutboxMessage.objects.filter(appointment=appointment).count() == 1


def test_off_postgresql_it_compiles_the_real_values_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite turns datetimes into text before they become parameters, so no stand-in can
    be traced there: the demo's way builds the queryset with the real values each call."""
    slot = SlotFactory(start=future(2))
    built: list[dict[str, Any]] = []

    def build(**values: Any) -> QuerySet[Slot]:
        built.append(values)
        return _slots(**values)

    monkeypatch.setattr(prepared, "on_postgres", lambda using="default": False)
    query = PreparedQuery(build)
    after = timezone.now()
    for _ in range(2):
        found = query.instances(practice=slot.practice_id, site=slot.site_id, after=after)
        assert [s.pk for s in found] == [slot.pk]
    assert built == [{"practice": slot.practice_id, "site": slot.site_id, "after": after}] * 2
