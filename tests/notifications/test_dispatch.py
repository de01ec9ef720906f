from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from appointments.models import AppointmentStatus
from notifications import dispatch
from notifications.backends.base import Backend, OutgoingMessage, RetryableFailure
from notifications.backends.local import LocalBackend
from notifications.models import Kind, MessageTemplate, OutboxMessage, SentMessage, Status
from notifications.quiet_hours import LONDON
from patients.models import Patient
from tests.factories import book

pytestmark = pytest.mark.django_db


def confirmation(appointment: Any, channel: str = "sms") -> OutboxMessage:
    return OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.CONFIRMATION, channel=channel
    )


def plant_mobile(patient_id: int, mobile: str) -> None:
    """Store a number the model field would now refuse (it validates on every save)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_patient SET mobile = %s WHERE id = %s", [mobile, patient_id])


def fresh(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


class FlakyBackend(Backend):
    """Times out ``failures`` times, then delivers through the local backend."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> str:
        self.calls.append(message)
        if len(self.calls) <= self.failures:
            raise RetryableFailure("provider timed out", code="timeout")
        return LocalBackend().send(message)


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(failures: int) -> FlakyBackend:
        backend = FlakyBackend(failures)
        monkeypatch.setattr(dispatch, "get_backend", lambda: backend)
        return backend

    return install


def test_delivering_sends_the_message_and_marks_it_sent() -> None:
    message = confirmation(book())

    assert dispatch.deliver(message.pk) == dispatch.SENT

    row = fresh(message)
    sent = SentMessage.objects.get(reference=row.reference)
    assert row.status == Status.SENT
    assert row.sent_at is not None
    assert row.provider_id == f"local-{sent.pk}"
    assert sent.recipient == message.patient.mobile
    assert message.appointment.site.name in sent.body


def test_delivering_the_same_id_again_sends_nothing_more() -> None:
    message = confirmation(book())
    dispatch.deliver(message.pk)

    assert dispatch.deliver(message.pk) == dispatch.NOT_CLAIMED
    assert SentMessage.objects.filter(reference=message.reference).count() == 1


def test_a_reminder_is_not_claimed_before_it_is_due() -> None:
    appointment = book()
    reminder = OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.REMINDER, channel="sms", hours_before=48
    )

    assert dispatch.deliver(reminder.pk) == dispatch.NOT_CLAIMED
    assert fresh(reminder).status == Status.PENDING


def test_a_reminder_goes_once_it_is_due() -> None:
    appointment = book()
    reminder = OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.REMINDER, channel="email", hours_before=48
    )

    assert dispatch.deliver(reminder.pk, now=reminder.due_at) == dispatch.SENT
    assert "missed appointment costs another patient a slot" in (
        SentMessage.objects.get(reference=reminder.reference).body
    )


def test_an_invalid_number_fails_that_message_and_not_the_others() -> None:
    bad = book()
    good = book()
    plant_mobile(bad.patient_id, "+44770012")  # too short: no provider could deliver it

    assert dispatch.deliver(confirmation(bad).pk) == dispatch.FAILED
    assert dispatch.deliver(confirmation(good).pk) == dispatch.SENT
    assert dispatch.deliver(confirmation(bad, "email").pk) == dispatch.SENT

    failed = fresh(confirmation(bad))
    assert failed.status == Status.FAILED
    assert failed.last_error.startswith("invalid_sms_recipient")


def test_an_invalid_email_address_fails_permanently() -> None:
    appointment = book()
    Patient.objects.filter(pk=appointment.patient_id).update(email="not-an-address")

    assert dispatch.deliver(confirmation(appointment, "email").pk) == dispatch.FAILED
    assert fresh(confirmation(appointment, "email")).attempts == 1


def test_a_timeout_puts_the_message_back_with_a_backoff(flaky: Any) -> None:
    flaky(failures=1)
    message = confirmation(book())
    now = timezone.now()

    assert dispatch.deliver(message.pk, now=now) == dispatch.RETRY

    row = fresh(message)
    assert row.status == Status.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at == now + datetime.timedelta(seconds=60)
    assert row.last_error.startswith("timeout")


def test_a_message_put_back_for_retry_is_handed_out_again_once_due(flaky: Any) -> None:
    flaky(failures=1)
    message = confirmation(book())
    now = timezone.now()
    assert message.pk in dispatch.due_ids(now=now)
    dispatch.deliver(message.pk, now=now)

    assert message.pk not in dispatch.due_ids(now=now + datetime.timedelta(seconds=30))
    assert message.pk in dispatch.due_ids(now=now + datetime.timedelta(seconds=61))


def test_a_message_retried_early_is_not_claimed(flaky: Any) -> None:
    flaky(failures=1)
    message = confirmation(book())
    now = timezone.now()
    dispatch.deliver(message.pk, now=now)

    assert dispatch.deliver(message.pk, now=now + datetime.timedelta(seconds=30)) == (
        dispatch.NOT_CLAIMED
    )


def test_the_backoff_doubles_with_each_attempt(flaky: Any) -> None:
    flaky(failures=2)
    message = confirmation(book())
    now = timezone.now()
    dispatch.deliver(message.pk, now=now)
    second = now + datetime.timedelta(seconds=60)

    dispatch.deliver(message.pk, now=second)

    assert fresh(message).next_attempt_at == second + datetime.timedelta(seconds=120)


def test_a_message_that_times_out_then_succeeds_is_delivered_once_with_one_reference(
    flaky: Any,
) -> None:
    backend = flaky(failures=2)
    message = confirmation(book())
    now = timezone.now()
    for minutes in (0, 1, 3):
        dispatch.deliver(message.pk, now=now + datetime.timedelta(minutes=minutes))

    assert fresh(message).status == Status.SENT
    assert {call.reference for call in backend.calls} == {str(message.reference)}
    assert [call.attempt for call in backend.calls] == [1, 2, 3]
    assert SentMessage.objects.filter(reference=message.reference).count() == 1


def test_after_the_last_attempt_the_message_is_failed_for_staff_to_see(flaky: Any) -> None:
    flaky(failures=10)
    message = confirmation(book())
    now = timezone.now()
    for hour in range(4):
        dispatch.deliver(message.pk, now=now + datetime.timedelta(hours=hour))

    row = fresh(message)
    assert row.status == Status.FAILED
    assert row.attempts == 4
    assert row.last_error.startswith("gave up after retries")
    assert dispatch.deliver(message.pk, now=now + datetime.timedelta(days=1)) == (
        dispatch.NOT_CLAIMED
    )


def test_a_row_whose_worker_died_mid_send_is_resent_with_the_same_reference() -> None:
    message = confirmation(book())
    start = timezone.now()
    # The first worker claims, the provider accepts, and the worker dies before recording it.
    claimed = dispatch.claim(message.pk, now=start)
    assert claimed is not None
    LocalBackend().send(
        OutgoingMessage(str(claimed.reference), "sms", claimed.patient.mobile, "", "hi", 1)
    )

    after_lease = start + datetime.timedelta(seconds=301)
    assert dispatch.deliver(message.pk, now=after_lease) == dispatch.SENT

    assert SentMessage.objects.filter(reference=message.reference).count() == 1
    assert fresh(message).attempts == 2


def test_a_sending_row_inside_its_lease_is_not_taken_over() -> None:
    message = confirmation(book())
    start = timezone.now()
    dispatch.claim(message.pk, now=start)

    assert dispatch.deliver(message.pk, now=start + datetime.timedelta(seconds=299)) == (
        dispatch.NOT_CLAIMED
    )


def test_a_worker_that_lost_its_lease_cannot_record_an_outcome() -> None:
    message = confirmation(book())
    start = timezone.now()
    slow = dispatch.claim(message.pk, now=start)
    assert slow is not None
    dispatch.deliver(message.pk, now=start + datetime.timedelta(seconds=301))

    assert not dispatch._finish(slow, status=Status.FAILED, last_error="late")
    assert fresh(message).status == Status.SENT


def test_a_message_for_an_appointment_cancelled_behind_our_back_is_voided() -> None:
    appointment = book()
    type(appointment).objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.CANCELLED_BY_PATIENT, cancel_reason="x"
    )

    assert dispatch.deliver(confirmation(appointment).pk) == dispatch.VOID
    assert not SentMessage.objects.exists()


def test_withdrawn_consent_voids_the_message() -> None:
    appointment = book()
    Patient.objects.filter(pk=appointment.patient_id).update(sms_consent=False)

    assert dispatch.deliver(confirmation(appointment).pk) == dispatch.VOID
    assert not SentMessage.objects.exists()


def test_a_patient_who_died_after_booking_gets_nothing() -> None:
    appointment = book()
    Patient.objects.filter(pk=appointment.patient_id).update(date_of_death=timezone.localdate())

    assert dispatch.deliver(confirmation(appointment, "email").pk) == dispatch.VOID


def test_a_reminder_whose_appointment_has_started_is_voided() -> None:
    appointment = book()
    reminder = OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.REMINDER, channel="email", hours_before=2
    )

    assert dispatch.deliver(reminder.pk, now=appointment.start) == dispatch.VOID


def test_an_sms_retry_that_falls_in_quiet_hours_waits_for_morning(settings: Any) -> None:
    message = confirmation(book())
    settings.NOTIFICATIONS_SMS_QUIET_HOURS = (datetime.time(21), datetime.time(8))
    night = datetime.datetime.now(LONDON).replace(hour=23, minute=0) + datetime.timedelta(days=1)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=night)

    assert dispatch.deliver(message.pk, now=night) == dispatch.HELD

    row = fresh(message)
    assert row.status == Status.PENDING
    assert row.attempts == 0
    assert row.next_attempt_at.astimezone(LONDON).hour == 8


def test_a_broken_practice_template_falls_back_to_the_default_wording() -> None:
    message = confirmation(book())
    MessageTemplate.objects.create(
        practice=message.practice, kind=Kind.CONFIRMATION, channel="sms", body="{% debug %}"
    )

    assert dispatch.deliver(message.pk) == dispatch.SENT
    assert "is booked for" in SentMessage.objects.get(reference=message.reference).body


def test_due_ids_hands_out_due_rows_once_per_requeue_window() -> None:
    appointment = book()
    now = timezone.now()
    due = set(
        OutboxMessage.objects.filter(appointment=appointment, kind=Kind.CONFIRMATION).values_list(
            "pk", flat=True
        )
    )

    assert set(dispatch.due_ids(now=now)) == due
    assert dispatch.due_ids(now=now + datetime.timedelta(seconds=60)) == []
    assert set(dispatch.due_ids(now=now + datetime.timedelta(seconds=601))) == due


def test_due_ids_hands_out_a_sending_row_whose_lease_expired() -> None:
    message = confirmation(book())
    now = timezone.now()
    dispatch.due_ids(now=now)
    dispatch.claim(message.pk, now=now)

    assert message.pk not in dispatch.due_ids(now=now + datetime.timedelta(seconds=200))
    assert message.pk in dispatch.due_ids(now=now + datetime.timedelta(seconds=301))


def test_due_ids_hands_out_an_abandoned_row_that_was_never_enqueued() -> None:
    message = confirmation(book())
    now = timezone.now()
    dispatch.claim(message.pk, now=now)  # claimed by a direct call, not via the dispatcher

    assert message.pk in dispatch.due_ids(now=now + datetime.timedelta(seconds=301))


def test_a_row_abandoned_on_its_last_attempt_is_failed() -> None:
    message = confirmation(book())
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claimed_at=now, attempts=4
    )

    assert dispatch.fail_abandoned(now=now + datetime.timedelta(seconds=301)) == 1
    assert fresh(message).status == Status.FAILED


def test_sending_one_message_costs_five_queries(django_assert_num_queries: Any) -> None:
    message = confirmation(book())

    # claim (UPDATE ... RETURNING), appointment with joins, template, local send, record
    with django_assert_num_queries(5):
        dispatch.deliver(message.pk)
