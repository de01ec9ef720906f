"""The data set builder writes valid data fast, and reuses it when nothing changed."""

from __future__ import annotations

import dataclasses
import datetime

import psycopg
import pytest

from appointments.models import Appointment, Session, SessionTemplate, Slot
from patients.models import Patient
from practices.models import Practice, Site
from staff.models import StaffMember
from tests.bench.conftest import TINY, TZ
from tools.bench import rushday
from tools.bench.dataset import ensure_dataset


def test_the_tiny_data_set_has_what_was_asked(tiny_dataset):
    assert not tiny_dataset.reused
    counts = tiny_dataset.counts
    assert counts["practices"] == 3
    assert counts["sites"] == 4
    assert counts["patients"] == 300
    # clinicians + receptionists per practice + hub staff
    assert counts["staff"] == 9 + 3 * 2 + 2
    assert counts["slots"] > 0
    assert 0 < counts["appointments"] < counts["slots"]


@pytest.mark.parametrize("model", [Practice, Site, StaffMember, Patient, SessionTemplate])
def test_every_row_passes_the_models_own_validation(tiny_dataset, model):
    for row in model.objects.all():
        row.full_clean()


def test_existing_bookings_match_the_booked_flag(tiny_dataset):
    booked = set(Slot.objects.filter(booked=True).values_list("pk", flat=True))
    assert booked == set(Appointment.objects.values_list("slot_id", flat=True))


def test_the_rush_day_is_in_the_book_and_has_no_existing_bookings(tiny_dataset, rush_day):
    start, end = rushday.window(rush_day, TZ)
    morning = Slot.objects.filter(start__gte=start, start__lt=end)
    assert morning.count() > 0
    assert not morning.filter(booked=True).exists()


def test_a_second_run_with_the_same_scale_reuses_the_data(tiny_dataset, test_db_url, rush_day):
    again = ensure_dataset(
        test_db_url, TINY, today=datetime.date.today(), rush_day=rush_day, tz=TZ, log=print
    )
    assert again.reused
    assert again.counts == tiny_dataset.counts


def test_a_different_scale_rebuilds(tiny_dataset, test_db_url, rush_day):
    other = dataclasses.replace(TINY, patients=200)
    again = ensure_dataset(
        test_db_url, other, today=datetime.date.today(), rush_day=rush_day, tz=TZ, log=print
    )
    assert not again.reused
    assert Patient.objects.count() == 200


def test_a_weekend_rush_day_borrows_mondays_rota(tiny_dataset, test_db_url):
    day = datetime.date.today() + datetime.timedelta(days=60)
    while day.isoweekday() != 6:
        day += datetime.timedelta(days=1)
    rush = rushday.prepare(test_db_url, day, TZ, [])
    assert rush.slot_ids
    assert not Session.objects.filter(slots__pk__in=rush.slot_ids, template__isnull=False)


def test_preparing_the_rush_embargoes_the_morning_until_release(
    tiny_dataset, test_db_url, rush_day
):
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    morning = Slot.objects.filter(pk__in=rush.slot_ids)
    assert {s.release_at for s in morning} == {rush.window_start}
    released_at = rushday.release(test_db_url, rush.slot_ids)
    assert all(s.release_at == released_at for s in morning.all())


def test_preparing_again_cancels_the_last_runs_bookings(tiny_dataset, test_db_url, rush_day):
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    slot = Slot.objects.get(pk=rush.slot_ids[0])
    Appointment.objects.create(
        slot=slot,
        patient=Patient.objects.filter(registered_practice=slot.practice).latest("pk"),
        clinician=slot.clinician,
        site=slot.site,
        start=slot.start,
        end=slot.end,
        channel="reception",
        booked_by=StaffMember.objects.filter(role="reception").earliest("pk").user,
    )
    Slot.objects.filter(pk=slot.pk).update(booked=True)
    rushday.prepare(test_db_url, rush_day, TZ, [])
    slot.refresh_from_db()
    assert not slot.booked
    assert slot.appointments.get().status == "cancelled_practice"


def test_the_ceiling_never_takes_the_rushs_slots(tiny_dataset, test_db_url, rush_day):
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    pool = rushday.ceiling_pool(test_db_url, rush_day, TZ, 10_000)
    assert pool
    assert not set(pool) & set(rush.slot_ids)
    assert not Slot.objects.filter(pk__in=pool, booked=True).exists()


@pytest.fixture
def slot_column_added_later(test_db_url):
    """A NOT NULL column without a database default, as a later migration may add."""
    with psycopg.connect(test_db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE appointments_slot ADD COLUMN bench_later boolean")
        conn.execute("ALTER TABLE appointments_slot ALTER COLUMN bench_later SET NOT NULL")
    yield
    with psycopg.connect(test_db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE appointments_slot DROP COLUMN bench_later")


def test_required_columns_of_later_migrations_are_filled(
    slot_column_added_later, test_db_url, rush_day
):
    info = ensure_dataset(
        test_db_url, TINY, today=datetime.date.today(), rush_day=rush_day, tz=TZ, log=print
    )
    assert "appointments_slot.bench_later" in info.filled_columns
    with psycopg.connect(test_db_url) as conn:
        default = conn.execute(
            "SELECT column_default FROM information_schema.columns "
            "WHERE table_name = 'appointments_slot' AND column_name = 'bench_later'"
        ).fetchone()
    assert default == (None,)  # the temporary default is gone again
