"""The after-commit publish keeps one broker connection per thread (notifications/outbox.py)."""

from __future__ import annotations

import threading

from celery import current_app

from notifications import outbox


def test_the_connection_is_kept_between_publishes_and_dropped_after_a_failure() -> None:
    outbox._drop_broker_connection()
    first = outbox._broker_connection()
    assert outbox._broker_connection() is first
    outbox._drop_broker_connection()  # what a failed publish does
    second = outbox._broker_connection()
    assert second is not first
    outbox._drop_broker_connection()


def test_a_changed_broker_url_gets_a_new_connection() -> None:
    outbox._drop_broker_connection()
    first = outbox._broker_connection()
    old = current_app.conf.broker_url
    current_app.conf.broker_url = "memory://elsewhere"
    try:
        assert outbox._broker_connection() is not first
    finally:
        current_app.conf.broker_url = old
        outbox._drop_broker_connection()


def test_each_thread_has_its_own_connection() -> None:
    outbox._drop_broker_connection()
    mine = outbox._broker_connection()
    seen: list[object] = []

    def other() -> None:
        seen.append(outbox._broker_connection())
        outbox._drop_broker_connection()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen and seen[0] is not mine
    outbox._drop_broker_connection()
