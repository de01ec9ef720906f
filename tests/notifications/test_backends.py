from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from notifications.backends import check_configuration
from notifications.backends.base import OutgoingMessage, PermanentFailure, RetryableFailure
from notifications.backends.email import EmailBackend
from notifications.backends.local import LocalBackend
from notifications.backends.notify import NotifyBackend
from notifications.models import SentMessage
from tests.notifications.fake_notify import API_KEY, FakeNotify, fake_notify


def outgoing(channel: str = "sms", attempt: int = 1, **kwargs: Any) -> OutgoingMessage:
    values: dict[str, Any] = {
        "reference": str(uuid.uuid4()),
        "channel": channel,
        "recipient": "+447400123456" if channel == "sms" else "pat@example.com",
        "subject": "Your appointment" if channel == "email" else "",
        "body": "Hello",
        "attempt": attempt,
    }
    values.update(kwargs)
    return OutgoingMessage(**values)


@pytest.fixture
def notify(settings: Any) -> Iterator[tuple[FakeNotify, NotifyBackend]]:
    settings.NOTIFY_SMS_TEMPLATE_ID = str(uuid.uuid4())
    settings.NOTIFY_EMAIL_TEMPLATE_ID = str(uuid.uuid4())
    settings.NOTIFY_TIMEOUT_SECONDS = 1
    with fake_notify() as server:
        settings.NOTIFY_API_KEY = API_KEY
        settings.NOTIFY_BASE_URL = server.url
        yield server, NotifyBackend()


def test_notify_sends_an_sms_with_our_reference_and_returns_its_id(notify: Any) -> None:
    server, backend = notify
    message = outgoing()

    provider_id = backend.send(message)

    assert server.created[0]["id"] == provider_id
    assert server.created[0]["reference"] == message.reference
    assert server.created[0]["personalisation"] == {"body": "Hello"}


def test_notify_sends_an_email_with_subject_and_body(notify: Any) -> None:
    server, backend = notify

    backend.send(outgoing("email"))

    assert server.created[0]["type"] == "email"
    assert server.created[0]["personalisation"] == {"subject": "Your appointment", "body": "Hello"}


def test_notify_validation_error_is_a_permanent_failure(notify: Any) -> None:
    server, backend = notify
    server.error_posts.append(
        (
            400,
            {
                "errors": [
                    {"error": "ValidationError", "message": "phone_number Not a UK mobile number"}
                ]
            },
        )
    )

    with pytest.raises(PermanentFailure) as raised:
        backend.send(outgoing())
    assert raised.value.code == "notify_400"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_notify_server_errors_and_rate_limits_are_retryable(notify: Any, status: int) -> None:
    server, backend = notify
    server.error_posts.append((status, {"errors": [{"error": "x", "message": "try later"}]}))

    with pytest.raises(RetryableFailure):
        backend.send(outgoing())


def test_notify_timeout_is_retryable(notify: Any) -> None:
    server, backend = notify
    server.slow_posts = 1

    with pytest.raises(RetryableFailure):
        backend.send(outgoing())


def test_a_retry_after_a_timeout_finds_the_first_notification_instead_of_sending_again(
    notify: Any,
) -> None:
    server, backend = notify
    server.slow_posts = 1
    first = outgoing()
    with pytest.raises(RetryableFailure):
        backend.send(first)

    provider_id = backend.send(outgoing(reference=first.reference, attempt=2))

    assert server.posts == 1
    assert len(server.created) == 1
    assert provider_id == server.created[0]["id"]


def test_a_retry_with_nothing_at_notify_sends(notify: Any) -> None:
    server, backend = notify

    backend.send(outgoing(attempt=3))

    assert server.posts == 1


@pytest.mark.django_db
def test_local_backend_records_a_reference_once() -> None:
    message = outgoing()

    first = LocalBackend().send(message)
    second = LocalBackend().send(message)

    assert first == second
    assert SentMessage.objects.filter(reference=message.reference).count() == 1


@pytest.mark.django_db
def test_local_backend_refuses_an_invalid_number() -> None:
    with pytest.raises(PermanentFailure):
        LocalBackend().send(outgoing(recipient="07700 900123"))


def test_email_backend_sends_with_a_message_id_from_the_reference(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = outgoing("email")

    EmailBackend().send(message)

    assert (
        mail.outbox[0].extra_headers["Message-ID"]
        == f"<{message.reference}@dovetail.notifications>"
    )
    assert mail.outbox[0].to == ["pat@example.com"]


def test_email_backend_cannot_send_sms() -> None:
    with pytest.raises(PermanentFailure):
        EmailBackend().send(outgoing("sms"))


def test_notify_backend_without_an_api_key_is_refused(settings: Any) -> None:
    settings.NOTIFICATIONS_BACKEND = "notify"
    settings.NOTIFY_API_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="NOTIFY_API_KEY"):
        check_configuration()


def test_an_unknown_backend_stops_start_up_naming_the_variable() -> None:
    env = {**os.environ, "NOTIFICATIONS_BACKEND": "carrier-pigeon"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "NOTIFICATIONS_BACKEND" in result.stderr
