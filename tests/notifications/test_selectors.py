from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from notifications import dispatch
from notifications.models import Kind, OutboxMessage, SentMessage, Status
from notifications.selectors import failed_messages, message_counts, reconcile
from tests.factories import AppointmentFactory, book, cancel

pytestmark = pytest.mark.django_db


def since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=1)


def send_all_due() -> None:
    for message_id in dispatch.due_ids():
        dispatch.deliver(message_id)


def test_reconcile_finds_nothing_wrong_after_booking_sending_and_cancelling() -> None:
    book()
    cancelled = book()
    send_all_due()
    cancel(cancelled)
    send_all_due()

    report = reconcile(since=since())

    assert report.ok, report.problems
    assert report.appointments == 2
    assert report.counts[Status.SENT] == 6  # 2 confirmations x 2 + 2 cancellation notices
    assert report.counts[Status.VOID] == 4  # the cancelled appointment's reminders


def test_reconcile_reports_an_appointment_booked_without_its_messages() -> None:
    silent: Any = AppointmentFactory()

    report = reconcile(since=since())

    assert [(p.code, p.appointment_id) for p in report.problems] == [("no_messages", silent.pk)]


def test_reconcile_reports_a_reminder_left_pending_on_a_cancelled_appointment() -> None:
    appointment = book()
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.CANCELLED_BY_PRACTICE, cancel_reason="clinic closed"
    )

    report = reconcile(since=since())

    assert report.problem_counts() == {"pending_for_cancelled": 6}


def test_reconcile_reports_a_message_delivered_but_not_recorded() -> None:
    appointment = book()
    message = OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.CONFIRMATION, channel="sms"
    )
    SentMessage.objects.create(
        reference=message.reference, channel="sms", recipient="+447400123456", body="x"
    )

    report = reconcile(since=since(), check_local_backend=True)

    assert [(p.code, p.message_id) for p in report.problems] == [
        ("delivered_not_recorded", message.pk)
    ]


def test_reconcile_reports_a_message_sent_twice() -> None:
    appointment = book()
    send_all_due()
    twin = OutboxMessage.objects.get(appointment=appointment, kind=Kind.CONFIRMATION, channel="sms")
    twin.pk = None
    twin.reference = uuid.uuid4()
    twin.appointment_version = 2  # a key the constraint allows, planting a real double
    twin.save()
    SentMessage.objects.create(reference=twin.reference, channel="sms", recipient="x", body="x")

    report = reconcile(since=since())

    assert report.problem_counts() == {"sent_twice": 1}


def test_reconcile_reports_a_message_stuck_pending_when_nothing_dispatches() -> None:
    book()

    report = reconcile(since=since(), now=timezone.now() + datetime.timedelta(minutes=20))

    assert report.problem_counts() == {"stuck_pending": 2}


def test_failed_messages_lists_only_that_practices_failures() -> None:
    mine = book()
    theirs = book()
    OutboxMessage.objects.filter(appointment__in=[mine, theirs], kind=Kind.CONFIRMATION).update(
        status=Status.FAILED, last_error="invalid_sms_recipient"
    )

    listed = failed_messages(practice=mine.site.practice)

    assert {m.appointment_id for m in listed} == {mine.pk}
    assert message_counts(practice=mine.site.practice)[Status.FAILED] == 2
