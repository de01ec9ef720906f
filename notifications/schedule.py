"""Who gets what, on which channel, and when: consent, reminder policy and quiet hours."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from appointments.models import Appointment
from common.prepared import PreparedQuery
from notifications.defaults import REMINDER_HOURS_BY_MODE
from notifications.models import MessageChannel, ReminderPolicy
from notifications.quiet_hours import sms_allowed_from
from patients.models import Patient

REMINDER_MIN_GAP = datetime.timedelta(hours=1)
"""A reminder due within this long of the booking is not written: the confirmation covers it."""

REMINDER_LATEST = datetime.timedelta(minutes=30)
"""A reminder that quiet hours would push to less than this before the start is not written."""


def channels_for(patient: Patient) -> list[str]:
    """Channels the patient agreed to and can be reached on. A deceased patient gets nothing."""
    if patient.date_of_death is not None:
        return []
    channels = []
    if patient.sms_consent and patient.mobile:
        channels.append(MessageChannel.SMS.value)
    if patient.email_consent and patient.email:
        channels.append(MessageChannel.EMAIL.value)
    return channels


def _policies(*, practice: int, appointment_type: int) -> QuerySet[ReminderPolicy, Any]:
    return (
        ReminderPolicy.objects.filter(practice_id=practice)
        .filter(Q(appointment_type_id=appointment_type) | Q(appointment_type__isnull=True))
        .values_list("appointment_type_id", "hours_before")
    )


_POLICIES = PreparedQuery(_policies)  # every booking asks: compiled once


def reminder_hours(appointment: Appointment) -> tuple[int, ...]:
    """Per-type policy, else the practice policy, else the default for the slot's mode."""
    slot = appointment.slot
    policies: dict[int | None, list[int]] = dict(
        _POLICIES.rows(practice=slot.practice_id, appointment_type=slot.appointment_type_id)
    )
    hours: Iterable[int]
    if slot.appointment_type_id in policies:
        hours = policies[slot.appointment_type_id]
    elif None in policies:
        hours = policies[None]
    else:
        hours = REMINDER_HOURS_BY_MODE.get(slot.mode, ())
    return tuple(sorted({int(h) for h in hours}, reverse=True))


def send_from(channel: str, due: datetime.datetime) -> datetime.datetime:
    """When a message due at ``due`` may go: SMS waits out the quiet hours, email does not."""
    return sms_allowed_from(due) if channel == MessageChannel.SMS else due


def reminder_times(
    *, start: datetime.datetime, hours: tuple[int, ...], channel: str, now: datetime.datetime
) -> list[tuple[int, datetime.datetime, datetime.datetime]]:
    """``(hours_before, due_at, not_before)`` for each reminder still worth writing."""
    planned = []
    for before in hours:
        due = start - datetime.timedelta(hours=before)
        if due < now + REMINDER_MIN_GAP:
            continue
        not_before = send_from(channel, due)
        if not_before > start - REMINDER_LATEST:
            continue
        planned.append((before, due, not_before))
    return planned
