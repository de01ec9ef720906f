"""Percentiles, status classes and the merging of per-client tallies."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from tools.bench.rush import parse_created_id, parse_slots
from tools.bench.stats import Timings, merged, per_second, percentile, status_classes


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4], 0, 1),
        ([1, 2, 3, 4], 100, 4),
        ([7], 99, 7),
        (list(range(1, 101)), 95, 95.05),
        (list(range(1, 101)), 99, 99.01),
        ([10, 0, 5], 50, 5),  # order of the input does not matter
    ],
)
def test_percentile_interpolates_between_closest_ranks(values, p, expected):
    assert percentile(values, p) == pytest.approx(expected)


def test_percentile_of_nothing_is_none():
    assert percentile([], 50) is None


def test_percentile_outside_0_to_100_is_refused():
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_status_classes_separate_taken_from_other_client_errors():
    counts = status_classes(Counter({201: 5, 409: 3, 400: 1, 403: 2, 500: 1, 503: 1, 302: 1}))
    assert counts == {"200": 0, "201": 5, "409": 3, "other_4xx": 3, "5xx": 2, "other": 1}


def test_merged_timings_add_up_every_client():
    first, second = Timings(), Timings()
    first.record(201, 10.0)
    first.record(409, 30.0)
    first.transport_errors = 1
    second.record(201, 20.0)
    second.bad_bodies = 2
    total = merged([first, second])
    assert total.count == 3
    assert total.statuses == Counter({201: 2, 409: 1})
    assert total.transport_errors == 1
    assert total.bad_bodies == 2
    summary = total.summary()
    assert summary["p50_ms"] == 20.0
    assert summary["max_ms"] == 30.0
    assert summary["mean_ms"] == 20.0
    assert summary["classes"]["201"] == 2


def test_summary_of_no_requests_has_no_percentiles():
    summary = Timings().summary()
    assert summary["requests"] == 0
    assert summary["p95_ms"] is None


def test_per_second_rounds_and_survives_zero_time():
    assert per_second(100, 3.0) == 33.33
    assert per_second(5, 0) == 0.0


def test_search_page_gives_slot_ids_and_starts_in_order():
    body = (
        b'{"next": null, "previous": null, "results": ['
        b'{"id": 7, "start": "2026-12-03T08:00:00+00:00"}, '
        b'{"id": 3, "start": "2026-12-03T08:10:00Z"}]}'
    )
    utc = datetime.UTC
    assert parse_slots(body) == [
        (7, datetime.datetime(2026, 12, 3, 8, 0, tzinfo=utc)),
        (3, datetime.datetime(2026, 12, 3, 8, 10, tzinfo=utc)),
    ]


@pytest.mark.parametrize(
    "body",
    [b"<html>", b'{"detail": "x"}', b'{"results": [{"pk": 1}]}', b'{"results": [{"id": 1}]}'],
)
def test_a_search_body_outside_the_contract_is_flagged(body):
    assert parse_slots(body) is None


def test_created_appointment_id_is_read_from_the_201_body():
    assert parse_created_id(b'{"id": 42, "slot": 7}') == 42
    assert parse_created_id(b"{}") is None
