"""Issue 14, finding 10: reception, desk moves, cancellations and online bookings of the same
patients and slots at the same instant. Real threads, real PostgreSQL transactions; every
round's jobs are released together by a barrier (no sleeps).

Each job must end in success or a clean ``Conflict``; the book must stay consistent; and no
job may have been a deadlock victim at all (the retry in ``common.contention`` logs each one):
the services take their locks in one order (ADR 0020), so the retry is a safety net, not the
mechanism.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from appointments.models import CANCELLED_STATUSES, Appointment, Channel, Slot
from appointments.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from common.errors import Conflict, ServiceError
from online.models import PatientAccount
from policy.actor import Actor, actor_for_user
from tests.appointments.test_races import run_together
from tests.factories import AppointmentTypeFactory, PatientFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROUNDS = 12


@pytest.fixture
def online(world: Any) -> Callable[[Any], Actor]:
    kind = AppointmentTypeFactory(practice=world.practice, name="GP online", online_bookable=True)
    world.online_type = kind

    def actor_for(patient: Any) -> Actor:
        user: Any = UserFactory(username=f"p{patient.pk}@example.com")
        PatientAccount.objects.create(user=user, patient=patient)
        return dataclasses.replace(actor_for_user(user), requested_patient_id=patient.pk)

    return actor_for


def outcome(result: Any) -> str:
    """ok, conflict (409), refused (another clean 4xx, e.g. the online limit), or error."""
    if isinstance(result, Conflict):
        return "conflict"
    if isinstance(result, ServiceError):
        return "refused"
    return f"error: {result!r}" if isinstance(result, Exception) else "ok"


def fresh(model: Any, obj: Any) -> Any:
    return model.objects.get(pk=obj.pk)


def assert_book_consistent(slots: list[Slot]) -> None:
    for slot in Slot.objects.filter(pk__in=[s.pk for s in slots]):
        live = Appointment.objects.filter(slot=slot).exclude(status__in=CANCELLED_STATUSES).count()
        assert live == (1 if slot.booked else 0), (slot.pk, slot.booked, live)


@pytest.fixture
def contention_log(caplog: Any) -> Any:
    caplog.set_level(logging.WARNING, logger="common.contention")
    return caplog


def assert_no_lock_victims(caplog: Any) -> None:
    victims = [r.getMessage() for r in caplog.records if r.name == "common.contention"]
    assert not victims, victims


def same_slot_jobs(slot: Slot, patient: Any, desk: Actor, me: Actor) -> list[Callable[[], Any]]:
    return [
        lambda: appointment_book(slot=fresh(Slot, slot), patient=patient, actor=desk),
        lambda: appointment_book(
            slot=fresh(Slot, slot), patient=patient, actor=me, channel=Channel.ONLINE
        ),
    ]


def test_reception_and_the_patient_online_book_one_slot_at_once(
    world: Any, online: Any, contention_log: Any
) -> None:
    desk = world.actor()
    slots: list[Slot] = []
    for _ in range(ROUNDS):
        patient = _new_patient(world)
        slot = world.slot(online=True, appointment_type=world.online_type)
        slots.append(slot)
        results = run_together(same_slot_jobs(slot, patient, desk, online(patient)))
        assert sorted(map(outcome, results)) == ["conflict", "ok"], results
    assert_book_consistent(slots)
    assert_no_lock_victims(contention_log)


def _new_patient(world: Any) -> Any:
    return PatientFactory(registered_practice=world.practice)


def mixed_jobs(
    *, booked: Appointment, other: Appointment, freed: Slot, target: Slot, patient: Any,
    desk: Actor, me: Actor,
) -> list[Callable[[], Any]]:
    return [
        # reception moves the patient's appointment into the target slot...
        lambda: appointment_reschedule(
            appointment=fresh(Appointment, booked), slot=fresh(Slot, target), actor=desk
        ),
        # ...while the patient books, online, the target and the slot being freed...
        lambda: appointment_book(
            slot=fresh(Slot, target), patient=patient, actor=me, channel=Channel.ONLINE
        ),
        lambda: appointment_book(
            slot=fresh(Slot, freed), patient=patient, actor=me, channel=Channel.ONLINE
        ),
        # ...and another patient's appointment is cancelled and moved into the freed slot.
        lambda: appointment_cancel(
            appointment=fresh(Appointment, other), actor=desk, by="patient", reason="ill"
        ),
        lambda: appointment_reschedule(
            appointment=fresh(Appointment, other), slot=fresh(Slot, freed), actor=desk
        ),
    ]


def test_desk_moves_cancellations_and_online_bookings_of_the_same_patient_and_slots(
    world: Any, online: Any, contention_log: Any
) -> None:
    desk = world.actor()
    every_slot: list[Slot] = []
    tally: Counter[str] = Counter()
    for _ in range(ROUNDS):
        patient = _new_patient(world)
        first, second, third = (
            world.slot(online=True, appointment_type=world.online_type) for _ in range(3)
        )
        every_slot += [first, second, third]
        jobs = mixed_jobs(
            booked=appointment_book(slot=first, patient=patient, actor=desk),
            other=appointment_book(slot=second, patient=_new_patient(world), actor=desk),
            freed=first, target=third, patient=patient, desk=desk, me=online(patient),
        )
        outcomes = list(map(outcome, run_together(jobs)))
        assert all(o in ("ok", "conflict", "refused") for o in outcomes), outcomes
        tally.update(outcomes)
    assert_book_consistent(every_slot)
    assert_no_lock_victims(contention_log)
    assert tally["ok"] >= ROUNDS and tally["conflict"] >= ROUNDS, tally
