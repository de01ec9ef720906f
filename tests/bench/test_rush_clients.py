"""The rush and ceiling clients, end to end over HTTP, against the real API on a live server
(patients online, reception desks, the booking phase's desks, the ceiling views), and the
database check after them."""

from __future__ import annotations

import datetime
import threading
from urllib.parse import urlparse

import pytest
from django.db import connection

from appointments.models import Appointment, Channel, Slot
from tests.bench.conftest import TINY, TZ
from tools.bench import rushday
from tools.bench.checks import database_check
from tools.bench.load import Http, run_clients
from tools.bench.run import RushOptions, assemble, render, summarise_ceiling, summarise_rush
from tools.bench.rush import (
    DeskClient,
    Pace,
    PatientClient,
    load_plan,
    make_booking_clients,
    make_ceiling_clients,
    make_clients,
    make_people,
    staff_tokens,
)

pytestmark = [pytest.mark.urls("tools.bench.urls"), pytest.mark.slow]

CLEAN = {
    "double_bookings": 0,
    "lost_bookings": 0,
    "booked_without_appointment": 0,
    "appointment_on_free_slot": 0,
    "unacknowledged_bookings": 0,
}


@pytest.fixture
def port(live_server) -> int:
    return int(urlparse(live_server.url).port or 80)


def _plan(test_db_url, rush):
    return load_plan(
        test_db_url,
        start_after=rush.window_start,
        start_before=rush.window_end,
        patients_per_practice=100,
        pick_from=3,
    )


def test_patients_and_desks_flat_out_book_each_slot_once(
    tiny_dataset, test_db_url, rush_day, port
):
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    plan = _plan(test_db_url, rush)
    released_at = rushday.release(test_db_url, rush.slot_ids)
    clients = make_clients(
        plan, port=port, count=6, hub_share=0, patient_share=0.5, rush_practices=1, seed=1
    )
    assert sorted(type(c).__name__ for c in clients) == ["DeskClient"] * 3 + ["PatientClient"] * 3

    elapsed = run_clients(clients, duration=240)  # an upper bound: it ends when sold out
    outcome = summarise_rush(clients, elapsed)

    created = outcome.pop("_created")
    assert outcome["counts"]["5xx"] == 0
    assert outcome["counts"]["transport_errors"] == 0
    assert outcome["counts"]["unreadable_search_bodies"] == 0
    assert len(created) == Appointment.objects.filter(slot_id__in=rush.slot_ids).count()
    # Every client stopped before the time was up: the morning is sold out.
    assert outcome["clients_finished_early"] == 6
    assert not Slot.objects.filter(pk__in=rush.slot_ids, booked=False).exists()
    # Patients booked online (their own record, the online channel), desks at reception.
    assert outcome["by_kind"]["patient"]["bookings"] > 0
    assert outcome["by_kind"]["reception"]["bookings"] > 0
    online = Appointment.objects.filter(pk__in=created, channel=Channel.ONLINE)
    assert online.count() == outcome["by_kind"]["patient"]["bookings"]
    assert all(a.slot.online for a in online.select_related("slot"))
    with connection.cursor() as cursor:
        check = database_check(
            cursor.cursor, slot_ids=rush.slot_ids, created_ids=created, since=released_at
        )
    assert check == CLEAN


def test_people_at_a_human_pace_start_spread_out_and_pause(
    tiny_dataset, test_db_url, rush_day, port
):
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    plan = _plan(test_db_url, rush)
    released_at = rushday.release(test_db_url, rush.slot_ids)
    pace = Pace(patient_think_s=0.2, desk_think_s=0.5)
    clients = make_people(plan, port=port, patients=4, pace=pace, seed=2)
    desks = sum(len(d) for d in plan.desks.values()) + len(plan.hub_desks)
    assert sum(isinstance(c, PatientClient) for c in clients) == 4
    assert sum(isinstance(c, DeskClient) for c in clients) == desks

    outcome = summarise_rush(clients, run_clients(clients, duration=3))

    created = outcome.pop("_created")
    assert created and outcome["counts"]["5xx"] == 0
    # At a pause of 0.2 s a patient books a few times a second at most, not hundreds.
    assert outcome["by_kind"]["patient"]["book"]["requests"] < 4 * 3 / 0.2 * 2
    with connection.cursor() as cursor:
        check = database_check(
            cursor.cursor, slot_ids=rush.slot_ids, created_ids=created, since=released_at
        )
    assert check == CLEAN


def test_a_patient_told_409_searches_again(tiny_dataset, test_db_url, rush_day, port):
    """Two patients of one practice go for the same single free morning slot: one books it,
    the other is told it was taken, looks again and finds the morning gone."""
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    plan = _plan(test_db_url, rush)
    first = (
        Slot.objects.filter(
            pk__in=rush.slot_ids, online=True, appointment_type__online_bookable=True
        )
        .order_by("start")
        .values_list("pk", "practice_id")
        .first()
    )
    assert first is not None
    keep, practice = first
    Slot.objects.filter(pk__in=rush.slot_ids).exclude(pk=keep).update(booked=True)
    rushday.release(test_db_url, rush.slot_ids)
    clients = [PatientClient(Http(port), plan, [practice], seed, Pace()) for seed in (1, 2)]
    gate = threading.Barrier(2)
    for client in clients:  # both search before either books
        original = client._book

        def book_after_both_searched(path, payload, headers, _original=original):
            gate.wait(timeout=10)
            return _original(path, payload, headers)

        client._book = book_after_both_searched  # type: ignore[method-assign]

    outcome = summarise_rush(clients, run_clients(clients, duration=60))

    assert outcome["bookings"] == 1
    assert outcome["counts"]["409"] == 1
    assert Appointment.objects.filter(slot_id=keep).count() == 1


def test_ceiling_clients_claim_their_own_slots_once(tiny_dataset, test_db_url, rush_day, port):
    pool = rushday.ceiling_pool(test_db_url, rush_day, TZ, 200)
    clients = make_ceiling_clients(pool, port=port, count=4)

    result = summarise_ceiling(clients, run_clients(clients, duration=180))  # ends when done

    assert result["updates"] == len(pool) == result["requests"]
    assert result["clients_out_of_slots"] == 4
    assert rushday.free_ceiling_pool(test_db_url, pool) == len(pool)
    assert not Slot.objects.filter(pk__in=pool, booked=True).exists()


def test_api_ceiling_clients_claim_with_a_token_and_a_bad_token_claims_nothing(
    tiny_dataset, test_db_url, rush_day, port
):
    pool = rushday.ceiling_pool(test_db_url, rush_day, TZ, 120)
    tokens = staff_tokens(test_db_url, 2)
    assert len(tokens) == 2
    refused = make_ceiling_clients(pool[:5], port=port, count=1, tokens=[("not-a-token", None)])
    clients = make_ceiling_clients(pool, port=port, count=3, tokens=tokens)

    turned_away = summarise_ceiling(refused, run_clients(refused, duration=60))
    result = summarise_ceiling(clients, run_clients(clients, duration=180))  # ends when done

    assert turned_away["updates"] == 0
    assert turned_away["latency"]["statuses"] == {"401": 5}
    assert result["updates"] == len(pool) == result["requests"]
    assert result["latency"]["statuses"] == {"200": len(pool)}
    assert rushday.free_ceiling_pool(test_db_url, pool) == len(pool)


def test_booking_phase_desks_each_book_their_own_site_in_order(
    tiny_dataset, test_db_url, rush_day, port
):
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    assert set(rush.slot_ids) < set(rush.day_slot_ids)
    plan = load_plan(
        test_db_url,
        start_after=rush.window_start,
        start_before=rush.day_end,
        patients_per_practice=100,
        pick_from=1,
    )
    released_at = rushday.release(test_db_url, rush.slot_ids)
    clients = make_booking_clients(plan, port=port, count=4, seed=3)
    sites = [c.only_site for c in clients if isinstance(c, DeskClient)]
    assert len(set(sites)) == 4  # one desk per site: nobody wants another desk's slot

    outcome = summarise_rush(clients, run_clients(clients, duration=4))

    created = outcome.pop("_created")
    assert outcome["bookings"] > 0
    assert outcome["counts"]["409"] == 0
    assert outcome["counts"]["other_4xx"] == outcome["counts"]["5xx"] == 0
    # Nearly every request is a booking: a desk searches once per page of 50.
    assert outcome["search"]["requests"] * 10 < outcome["book"]["requests"] + 10
    for client in clients:
        booked = Appointment.objects.filter(pk__in=client.tally.created)
        assert set(booked.values_list("site_id", flat=True)) <= {client.only_site}
        starts = list(booked.order_by("pk").values_list("start", flat=True))
        assert starts == sorted(starts)  # the first free slot on screen, each time
    with connection.cursor() as cursor:
        check = database_check(
            cursor.cursor,
            slot_ids=rush.day_slot_ids,
            created_ids=created,
            since=released_at,
        )
    assert check == CLEAN


def test_the_booking_phase_needs_a_site_per_desk(tiny_dataset, test_db_url, rush_day, port):
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    plan = _plan(test_db_url, rush)
    with pytest.raises(ValueError, match="a site per client"):
        make_booking_clients(plan, port=port, count=5, seed=3)  # the tiny set has 4 sites


def test_the_report_gives_each_phase_its_ratio_to_the_ceiling(tiny_dataset, test_db_url):
    ceiling = {"updates_per_s": 800.0, "failed_anywhere": 0, "updates": 100}
    api = {"updates_per_s": 400.0, "failed_anywhere": 0, "updates": 50}

    def phase(rate: float) -> dict:
        timings = {"requests": 1, "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0}
        return {
            "bookings_per_s": rate, "bookings": 10, "elapsed_s": 30.0, "searches_per_s": 1.0,
            "counts": {"201": 10, "409": 0, "other_4xx": 0, "5xx": 0, "transport_errors": 0,
                       "201_without_id": 0},
            "database_check": dict(CLEAN), "by_kind": {"reception": {"clients": 1}},
            "search": timings, "book": timings,
        }

    result = assemble(
        scale=TINY,
        options=RushOptions(),
        dataset=tiny_dataset,
        day=datetime.date(2026, 12, 3),
        ceiling=ceiling,
        api_ceiling=api,
        phases={"booking": phase(200.0), "same_work": phase(400.0), "burst": phase(120.0)},
        machine_before={},
        machine_after={},
        started_at=datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC),
        filled=[],
    )

    assert result["ratio"] == 0.15  # issue 3's: the rush flat out against the ceiling
    assert result["ratios"] == {
        "api_ceiling": 0.5, "booking": 0.25, "same_work": 0.5, "burst": 0.15
    }
    # Issue 13's target: the booking alone against the same work with no framework.
    assert result["booking_over_same_work"] == 0.5
    assert result["targets"]["booking_at_least_half_of_same_work"] is True
    assert result["targets"]["book_p95_under_150ms"] is None  # no human-pace phase here
    assert result["ok"]
    assert "API ceiling" in render(result) and "ratio to the ceiling 0.25" in render(result)
    assert "booking / same-work ceiling 0.5" in render(result)

    bracketed = assemble(
        scale=TINY, options=RushOptions(), dataset=tiny_dataset, day=datetime.date(2026, 12, 3),
        ceiling=ceiling, api_ceiling=api, phases={"burst": phase(140.0)}, machine_before={},
        machine_after={}, started_at=datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC),
        filled=[], ceiling_after={"updates_per_s": 600.0, "failed_anywhere": 0, "updates": 80},
    )
    # The machine slowed down during the run: the ratios divide by the mean of both ceilings.
    assert (bracketed["ceiling_rate"], bracketed["ceiling_drift"]) == (700.0, 0.75)
    assert bracketed["ratio"] == 0.2 and bracketed["ratios"]["api_ceiling"] == 0.571
    assert "ceiling again" in render(bracketed)

    api["failed_anywhere"] = 1
    failed = assemble(
        scale=TINY, options=RushOptions(), dataset=tiny_dataset, day=datetime.date(2026, 12, 3),
        ceiling=ceiling, api_ceiling=api, phases={"burst": phase(120.0)}, machine_before={},
        machine_after={}, started_at=datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC),
        filled=[],
    )
    assert failed["failures"] == ["the API ceiling view failed"] and not failed["ok"]
