"""After commit, bookings ask for one dispatcher run per window, not one publish each
(notifications/outbox.py: kick_dispatcher)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import transaction

from notifications import outbox
from notifications.models import Kind, OutboxMessage, Status
from tests.factories import book

pytestmark = pytest.mark.django_db


class Published:
    """Stands in for ``dispatch_due.apply_async``: records each call, or fails like a broker
    that is down."""

    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def __call__(self, *args: Any, **options: Any) -> None:
        self.calls.append(options)
        if self.fail:
            raise ConnectionRefusedError("broker down")


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Published:
    from notifications import tasks

    recorder = Published()
    monkeypatch.setattr(tasks.dispatch_due, "apply_async", recorder)
    return recorder


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(outbox.time, "monotonic", lambda: now[0])
    return now


def booked_and_committed(django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        return book()


def test_many_bookings_in_one_window_ask_for_one_run_at_its_end(
    published: Published, clock: list[float], django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(5):
        booked_and_committed(django_capture_on_commit_callbacks)
        clock[0] += 0.1

    assert len(published.calls) == 1
    # The run starts after the window, so every booking that relied on it had committed.
    assert published.calls[0]["countdown"] > outbox.KICK_SECONDS
    assert published.calls[0]["retry"] is False


def test_a_booking_after_the_window_asks_again(
    published: Published, clock: list[float], django_capture_on_commit_callbacks: Any
) -> None:
    booked_and_committed(django_capture_on_commit_callbacks)
    clock[0] += outbox.KICK_SECONDS + 0.01
    booked_and_committed(django_capture_on_commit_callbacks)

    assert len(published.calls) == 2


def test_a_booking_that_rolls_back_asks_for_nothing(
    published: Published, django_capture_on_commit_callbacks: Any
) -> None:
    class Rollback(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        book()
        raise Rollback

    assert published.calls == []


def test_with_the_broker_down_the_rows_wait_and_the_next_booking_tries_again(
    monkeypatch: pytest.MonkeyPatch,
    clock: list[float],
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from notifications import tasks

    down = Published(fail=True)
    monkeypatch.setattr(tasks.dispatch_due, "apply_async", down)
    caplog.set_level(logging.WARNING, logger="notifications.outbox")

    first = booked_and_committed(django_capture_on_commit_callbacks)
    booked_and_committed(django_capture_on_commit_callbacks)  # same window, but it failed

    assert len(down.calls) == 2
    assert "Could not enqueue" in caplog.text
    rows = OutboxMessage.objects.filter(appointment=first, kind=Kind.CONFIRMATION)
    assert {(row.status, row.enqueued_at) for row in rows} == {(Status.PENDING, None)}


def test_nothing_due_now_asks_for_no_run(
    published: Published, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from notifications.quiet_hours import LONDON

    # Quiet hours around now: the SMS confirmation waits, and there is no email consent.
    here = datetime.datetime.now(LONDON)
    settings.NOTIFICATIONS_SMS_QUIET_HOURS = (
        (here - datetime.timedelta(hours=1)).time(),
        (here + datetime.timedelta(hours=1)).time(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient__email_consent=False)

    assert OutboxMessage.objects.filter(appointment=appointment).exists()
    assert published.calls == []
