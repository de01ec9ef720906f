"""Appointment actions are audit events: who, role, site, patient, what, when, basis."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from appointments.services.attendance import (
    appointment_arrive,
    appointment_finish,
    appointment_mark_dna,
    appointment_start,
)
from appointments.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_note_set,
    appointment_reschedule,
)
from audit.models import AuditEvent
from common.errors import PermissionRefused


def _trail(patient) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(patient=patient, object_type="appointment")
        .order_by("pk")
        .values_list("action", "username", "basis")
    )


def test_every_appointment_action_is_in_the_audit(world) -> None:
    reception, gp = world.actor(), world.actor(world.gp)
    booked = appointment_book(slot=world.slot(), patient=world.patient, actor=reception)
    appointment_note_set(appointment=booked, actor=reception, note="Wheelchair")
    moved = appointment_reschedule(appointment=booked, slot=world.slot(), actor=reception)
    appointment_arrive(appointment=moved, actor=reception)
    appointment_start(appointment=moved, actor=gp)
    appointment_finish(appointment=moved, actor=gp)
    other = appointment_book(slot=world.slot(), patient=world.patient, actor=reception)
    appointment_cancel(appointment=other, actor=reception, by="patient", reason="Feels better")
    r, g = world.receptionist.user.username, world.gp.user.username
    assert _trail(world.patient) == [
        ("booked", r, "own_practice"),
        ("note_changed", r, "own_practice"),
        ("rescheduled", r, "own_practice"),
        ("arrived", r, "own_practice"),
        ("started", g, "own_practice"),
        ("finished", g, "own_practice"),
        ("booked", r, "own_practice"),
        ("cancelled", r, "own_practice"),
    ]
    event = AuditEvent.objects.filter(action="booked").order_by("pk").first()
    assert event is not None
    assert (event.role, event.site_id, event.object_id) == (
        "reception", world.receptionist.sites.first().pk, str(booked.pk)
    )


def test_a_did_not_attend_is_in_the_audit(world) -> None:
    slot = world.slot(start=timezone.now() + datetime.timedelta(minutes=5))
    booked = appointment_book(slot=slot, patient=world.patient, actor=world.actor())
    later = timezone.now() + datetime.timedelta(hours=1)
    appointment_mark_dna(appointment=booked, actor=world.actor(), now=later)
    assert _trail(world.patient)[-1][0] == "dna"


def test_a_refused_change_writes_no_action_event(world) -> None:
    booked = appointment_book(slot=world.slot(), patient=world.patient, actor=world.actor())
    with pytest.raises(PermissionRefused):
        appointment_cancel(
            appointment=booked, actor=world.actor(world.stranger_receptionist), by="practice",
            reason="Not ours",
        )
    assert [a for a, _, _ in _trail(world.patient)] == ["booked"]
