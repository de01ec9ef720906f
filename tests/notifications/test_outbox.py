from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from appointments.models import Mode
from notifications.models import Kind, OutboxMessage, ReminderPolicy, Status
from notifications.outbox import record_appointment_change
from notifications.quiet_hours import LONDON
from tests.expect import violates
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    book,
    cancel,
    reschedule,
    soon,
)

pytestmark = pytest.mark.django_db


def keys(appointment: Any, **filters: Any) -> set[tuple[str, str, int]]:
    return set(
        OutboxMessage.objects.filter(appointment=appointment, **filters).values_list(
            "kind", "channel", "hours_before"
        )
    )


def test_booking_writes_confirmation_and_two_reminders_per_consented_channel() -> None:
    appointment = book()

    assert keys(appointment) == {
        (Kind.CONFIRMATION, "sms", 0),
        (Kind.CONFIRMATION, "email", 0),
        (Kind.REMINDER, "sms", 48),
        (Kind.REMINDER, "sms", 2),
        (Kind.REMINDER, "email", 48),
        (Kind.REMINDER, "email", 2),
    }


def test_reminders_are_due_their_hours_before_the_appointment() -> None:
    appointment = book()

    due = dict(
        OutboxMessage.objects.filter(
            appointment=appointment, kind=Kind.REMINDER, channel="email"
        ).values_list("hours_before", "due_at")
    )
    assert due == {
        48: appointment.start - datetime.timedelta(hours=48),
        2: appointment.start - datetime.timedelta(hours=2),
    }


def test_patient_without_email_consent_gets_sms_only() -> None:
    appointment = book(patient__email_consent=False)

    assert {channel for _, channel, _ in keys(appointment)} == {"sms"}


def test_patient_without_any_consent_gets_nothing() -> None:
    appointment = book(patient__email_consent=False, patient__sms_consent=False)

    assert keys(appointment) == set()


def test_deceased_patient_gets_nothing() -> None:
    appointment = book(
        patient__date_of_birth=datetime.date(1940, 5, 1),
        patient__date_of_death=datetime.date(2024, 1, 1),
    )

    assert keys(appointment) == set()


def test_rows_vanish_with_a_booking_transaction_that_rolls_back() -> None:
    class Abort(Exception):
        pass

    patient: Any = PatientFactory()
    with pytest.raises(Abort), transaction.atomic():
        appointment: Any = AppointmentFactory(patient=patient)
        record_appointment_change(appointment=appointment, change="booked")
        raise Abort

    assert not OutboxMessage.objects.filter(patient=patient).exists()


def test_recording_the_same_booking_twice_writes_nothing_more() -> None:
    appointment = book()
    with transaction.atomic():
        record_appointment_change(appointment=appointment, change="booked")

    assert OutboxMessage.objects.filter(appointment=appointment).count() == 6


def test_the_database_refuses_a_second_row_with_the_same_key() -> None:
    appointment = book()
    row = OutboxMessage.objects.filter(appointment=appointment, kind=Kind.CONFIRMATION).first()
    assert row is not None
    row.pk = None
    row.reference = uuid.uuid4()

    with violates("outbox_message_unique_key"):
        row.save()


def test_recording_outside_a_transaction_is_refused() -> None:
    appointment: Any = AppointmentFactory()
    # pytest-django wraps each test in a transaction; leave it to check the guard.
    with pytest.raises(RuntimeError):
        transaction.get_connection().in_atomic_block = False
        try:
            record_appointment_change(appointment=appointment, change="booked")
        finally:
            transaction.get_connection().in_atomic_block = True


def test_cancelling_voids_pending_reminders_and_writes_a_cancellation_notice() -> None:
    appointment = book()

    cancel(appointment)

    assert keys(appointment, kind=Kind.REMINDER, status=Status.PENDING) == set()
    assert keys(appointment, kind=Kind.REMINDER, status=Status.VOID) == {
        (Kind.REMINDER, "sms", 48),
        (Kind.REMINDER, "sms", 2),
        (Kind.REMINDER, "email", 48),
        (Kind.REMINDER, "email", 2),
    }
    assert keys(appointment, kind=Kind.CANCELLATION, status=Status.PENDING) == {
        (Kind.CANCELLATION, "sms", 0),
        (Kind.CANCELLATION, "email", 0),
    }


def test_cancelling_leaves_a_message_already_sent_alone() -> None:
    appointment = book()
    OutboxMessage.objects.filter(appointment=appointment, kind=Kind.CONFIRMATION).update(
        status=Status.SENT, sent_at=timezone.now()
    )

    cancel(appointment)

    assert (
        OutboxMessage.objects.filter(
            appointment=appointment, kind=Kind.CONFIRMATION, status=Status.SENT
        ).count()
        == 2
    )


def test_rescheduling_gives_fresh_reminders_under_a_new_version() -> None:
    appointment = book()
    old_start = appointment.start

    reschedule(appointment, to=soon(days=8))

    old = OutboxMessage.objects.filter(appointment=appointment, appointment_version=1)
    new = OutboxMessage.objects.filter(appointment=appointment, appointment_version=2)
    assert set(old.filter(kind=Kind.REMINDER).values_list("status", flat=True)) == {Status.VOID}
    assert set(new.filter(kind=Kind.REMINDER).values_list("hours_before", flat=True)) == {48, 2}
    assert set(new.values_list("appointment_start", flat=True)) == {appointment.start}
    notice = new.get(kind=Kind.RESCHEDULE, channel="sms")
    assert notice.previous_start == old_start


def test_a_practice_policy_replaces_the_default_hours() -> None:
    slot_type: Any = AppointmentTypeFactory()
    ReminderPolicy.objects.create(practice=slot_type.practice, hours_before=[24])

    appointment = book(
        slot__appointment_type=slot_type, slot__session__clinician__practice=slot_type.practice
    )

    assert keys(appointment, kind=Kind.REMINDER, channel="sms") == {(Kind.REMINDER, "sms", 24)}


def test_an_appointment_type_policy_beats_the_practice_policy() -> None:
    slot_type: Any = AppointmentTypeFactory()
    ReminderPolicy.objects.create(practice=slot_type.practice, hours_before=[24])
    ReminderPolicy.objects.create(
        practice=slot_type.practice, appointment_type=slot_type, hours_before=[72, 4]
    )

    appointment = book(
        slot__appointment_type=slot_type, slot__session__clinician__practice=slot_type.practice
    )

    assert {h for _, _, h in keys(appointment, kind=Kind.REMINDER)} == {72, 4}


def test_an_empty_policy_means_no_reminders() -> None:
    slot_type: Any = AppointmentTypeFactory()
    ReminderPolicy.objects.create(practice=slot_type.practice, hours_before=[])

    appointment = book(
        slot__appointment_type=slot_type, slot__session__clinician__practice=slot_type.practice
    )

    assert keys(appointment, kind=Kind.REMINDER) == set()


def test_telephone_appointments_default_to_one_reminder_two_hours_before() -> None:
    appointment = book(slot__appointment_type__mode=Mode.TELEPHONE)

    assert {h for _, _, h in keys(appointment, kind=Kind.REMINDER)} == {2}


def test_a_reminder_already_overdue_at_booking_is_not_written() -> None:
    appointment = book(slot__session__start=timezone.now() + datetime.timedelta(hours=30))

    assert {h for _, _, h in keys(appointment, kind=Kind.REMINDER)} == {2}


def test_an_sms_confirmation_booked_at_night_waits_until_eight(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.NOTIFICATIONS_SMS_QUIET_HOURS = (datetime.time(21), datetime.time(8))
    night = datetime.datetime(2026, 12, 1, 22, 30, tzinfo=LONDON)
    monkeypatch.setattr(timezone, "now", lambda: night)

    appointment = book(slot__session__start=night + datetime.timedelta(days=3))

    sms = OutboxMessage.objects.get(appointment=appointment, kind=Kind.CONFIRMATION, channel="sms")
    email = OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.CONFIRMATION, channel="email"
    )
    assert sms.not_before == datetime.datetime(2026, 12, 2, 8, 0, tzinfo=LONDON)
    assert sms.next_attempt_at == sms.not_before
    assert email.not_before == night


def test_a_reminder_quiet_hours_would_deliver_after_the_start_is_not_written(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.NOTIFICATIONS_SMS_QUIET_HOURS = (datetime.time(21), datetime.time(8))
    now = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)
    monkeypatch.setattr(timezone, "now", lambda: now)

    # 2 h before 08:10 is 06:10, in quiet hours: it could only go at 08:00, too late.
    appointment = book(slot__session__start=datetime.datetime(2026, 12, 4, 8, 10, tzinfo=LONDON))

    assert keys(appointment, kind=Kind.REMINDER, channel="sms") == {(Kind.REMINDER, "sms", 48)}
    assert (Kind.REMINDER, "email", 2) in keys(appointment, kind=Kind.REMINDER)


def test_recording_a_booking_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    appointment: Any = AppointmentFactory()
    appointment = type(appointment).objects.get(pk=appointment.pk)  # nothing cached

    # lock, version, patient, slot, policy, insert
    with transaction.atomic(), django_assert_max_num_queries(6):
        record_appointment_change(appointment=appointment, change="booked")
