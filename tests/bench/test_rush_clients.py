"""The rush and ceiling clients, end to end over HTTP, against a stand-in booking API.

The stand-in (tests/bench/standin.py) follows the contract of issue 3 so that the clients,
the statistics and the database check can be tested before the real API is merged.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.db import connection

from appointments.models import Appointment, Slot
from bench import rushday
from bench.checks import database_check
from bench.load import run_clients
from bench.run import summarise_ceiling, summarise_rush
from bench.rush import load_plan, make_ceiling_clients, make_clients
from tests.bench.conftest import TZ

pytestmark = [pytest.mark.urls("tests.bench.standin_urls"), pytest.mark.slow]


@pytest.fixture
def port(live_server) -> int:
    return int(urlparse(live_server.url).port or 80)


def test_contending_desks_book_each_slot_once(tiny_dataset, test_db_url, rush_day, port):
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    plan = load_plan(
        test_db_url,
        start_after=rush.window_start,
        start_before=rush.window_end,
        patients_per_practice=100,
        pick_from=3,
    )
    released_at = rushday.release(test_db_url, rush.slot_ids)
    clients = make_clients(plan, port=port, count=6, hub_share=0, rush_practices=1, seed=1)

    elapsed = run_clients(clients, duration=180)  # an upper bound: it ends when sold out
    outcome = summarise_rush(clients, elapsed)

    created = outcome.pop("_created")
    assert outcome["counts"]["5xx"] == 0
    assert outcome["counts"]["transport_errors"] == 0
    assert len(created) == Appointment.objects.filter(slot_id__in=rush.slot_ids).count()
    # Every desk ran out of practices before the time was up: the morning is sold out.
    assert outcome["clients_finished_early"] == 6
    assert not Slot.objects.filter(pk__in=rush.slot_ids, booked=False).exists()
    assert outcome["search"]["p95_ms"] is not None
    with connection.cursor() as cursor:
        check = database_check(
            cursor.cursor, slot_ids=rush.slot_ids, created_ids=created, since=released_at
        )
    assert check == {
        "double_bookings": 0,
        "lost_bookings": 0,
        "booked_without_appointment": 0,
        "appointment_on_free_slot": 0,
        "unacknowledged_bookings": 0,
    }


def test_ceiling_clients_claim_their_own_slots_once(tiny_dataset, test_db_url, rush_day, port):
    pool = rushday.ceiling_pool(test_db_url, rush_day, TZ, 200)
    clients = make_ceiling_clients(pool, port=port, count=4)

    result = summarise_ceiling(clients, run_clients(clients, duration=180))  # ends when done

    assert result["updates"] == len(pool) == result["requests"]
    assert result["clients_out_of_slots"] == 4
    assert rushday.free_ceiling_pool(test_db_url, pool) == len(pool)
    assert not Slot.objects.filter(pk__in=pool, booked=True).exists()
