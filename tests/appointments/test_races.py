"""Real threads, real PostgreSQL transactions: the 8am rush in miniature."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from appointments.models import Appointment, Slot
from appointments.services.booking import SLOT_TAKEN, appointment_book, appointment_reschedule
from common.errors import Conflict
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run every job in its own thread, released at the same moment; return results/errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = jobs[i]()
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def outcome(result: Any) -> str:
    if isinstance(result, Conflict):
        return "conflict"
    if isinstance(result, Exception):
        return f"error: {result!r}"
    return "ok"


def test_fifty_concurrent_bookings_of_one_slot_give_exactly_one(world):
    slot = world.slot()
    patients = [PatientFactory(registered_practice=world.practice) for _ in range(50)]
    actor = world.actor()

    def book(patient: Any) -> Callable[[], Any]:
        return lambda: appointment_book(
            slot=Slot.objects.get(pk=slot.pk), patient=patient, actor=actor
        )

    results = run_together([book(p) for p in patients])
    assert Counter(map(outcome, results)) == {"ok": 1, "conflict": 49}
    assert {r.message for r in results if isinstance(r, Conflict)} == {SLOT_TAKEN}
    assert Appointment.objects.filter(slot=slot).count() == 1
    assert Slot.objects.get(pk=slot.pk).booked


def test_concurrent_reschedules_into_one_slot_move_exactly_one(world):
    actor = world.actor()
    appointments = [
        appointment_book(
            slot=world.slot(),
            patient=PatientFactory(registered_practice=world.practice),
            actor=actor,
        )
        for _ in range(10)
    ]
    target = world.slot()

    def move(appointment: Appointment) -> Callable[[], Any]:
        return lambda: appointment_reschedule(
            appointment=Appointment.objects.get(pk=appointment.pk),
            slot=Slot.objects.get(pk=target.pk),
            actor=actor,
        )

    results = run_together([move(a) for a in appointments])
    assert Counter(map(outcome, results)) == {"ok": 1, "conflict": 9}
    assert Appointment.objects.filter(slot=target).count() == 1
    # both or neither: every appointment holds exactly one booked slot, and one slot was freed
    for appointment in Appointment.objects.filter(pk__in=[a.pk for a in appointments]):
        assert Slot.objects.get(pk=appointment.slot_id).booked
    original = [a.slot_id for a in appointments]
    assert Slot.objects.filter(pk__in=original, booked=False).count() == 1


def test_one_appointment_moved_concurrently_to_many_slots_holds_exactly_one(world):
    actor = world.actor()
    appointment = appointment_book(slot=world.slot(), patient=world.patient, actor=actor)
    original_slot = appointment.slot_id
    targets = [world.slot() for _ in range(8)]

    def move(slot: Slot) -> Callable[[], Any]:
        return lambda: appointment_reschedule(
            appointment=Appointment.objects.get(pk=appointment.pk), slot=slot, actor=actor
        )

    results = run_together([move(s) for s in targets])
    assert all(outcome(r) in ("ok", "conflict") for r in results), results
    appointment.refresh_from_db()
    assert appointment.slot_id != original_slot
    involved = [original_slot] + [s.pk for s in targets]
    booked = set(Slot.objects.filter(pk__in=involved, booked=True).values_list("pk", flat=True))
    assert booked == {appointment.slot_id}


def test_booking_and_rescheduling_into_one_slot_race_to_one_winner(world):
    actor = world.actor()
    moving = [
        appointment_book(
            slot=world.slot(),
            patient=PatientFactory(registered_practice=world.practice),
            actor=actor,
        )
        for _ in range(5)
    ]
    target = world.slot()
    newcomers = [PatientFactory(registered_practice=world.practice) for _ in range(5)]
    jobs: list[Callable[..., Any]] = [
        (
            lambda a=a: appointment_reschedule(
                appointment=Appointment.objects.get(pk=a.pk),
                slot=Slot.objects.get(pk=target.pk),
                actor=actor,
            )
        )
        for a in moving
    ] + [
        (lambda p=p: appointment_book(slot=Slot.objects.get(pk=target.pk), patient=p, actor=actor))
        for p in newcomers
    ]
    results = run_together(jobs)
    assert Counter(map(outcome, results)) == {"ok": 1, "conflict": 9}
    assert Appointment.objects.filter(slot=target).count() == 1


def test_concurrent_api_bookings_give_one_201_and_clear_409s(world):
    slot = world.slot()
    patients = [PatientFactory(registered_practice=world.practice) for _ in range(20)]

    def post(patient: Any) -> Callable[[], Any]:
        def call() -> Any:
            response = world.client().post(
                "/api/v1/appointments/", {"slot": slot.pk, "patient": patient.pk}, format="json"
            )
            return response.status_code, response.json()

        return call

    results = run_together([post(p) for p in patients])
    assert Counter(status for status, _ in results) == {201: 1, 409: 19}
    assert {body["message"] for status, body in results if status == 409} == {SLOT_TAKEN}
    winner = next(body for status, body in results if status == 201)
    assert list(Appointment.objects.filter(slot=slot).values_list("pk", flat=True)) == [
        winner["id"]
    ]
