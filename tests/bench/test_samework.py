"""The same-work ceiling writes what a booking writes, once per slot."""

from __future__ import annotations

import io
import json
import threading

import pytest

from appointments.models import Appointment, AppointmentEvent, Slot
from notifications.models import OutboxMessage
from patients.models import Patient
from tests.bench.conftest import TZ
from tools.bench import rushday, samework

pytestmark = pytest.mark.slow


def _in_thread(fn, *args):
    """Each server thread has its own connection: run as a new one would."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(fn(*args)))
    thread.start()
    thread.join()
    return out[0]


def _post(body: bytes) -> tuple[str, dict]:
    seen: list[str] = []
    environ = {
        "PATH_INFO": samework.PATH,
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    app = samework.wrap(lambda environ, start: [b"the app"])
    answer = b"".join(app(environ, lambda status, headers: seen.append(status)))
    return seen[0], json.loads(answer)


def test_the_same_work_books_a_free_slot_once_with_its_event_and_outbox_rows(
    tiny_dataset, test_db_url, rush_day, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", test_db_url)
    rush = rushday.prepare(test_db_url, rush_day, TZ, [])
    slot = Slot.objects.get(pk=rush.day_slot_ids[0])
    patient = Patient.objects.filter(registered_practice_id=slot.practice_id).last()
    body = json.dumps({"slot": slot.pk, "patient": patient.pk}).encode()

    status, answer = _in_thread(_post, body)

    assert status == "201 Created"
    appointment = Appointment.objects.get(pk=answer["id"])
    assert (appointment.slot_id, appointment.patient_id, appointment.status) == (
        slot.pk, patient.pk, "booked"
    )
    assert Slot.objects.get(pk=slot.pk).booked
    assert AppointmentEvent.objects.filter(appointment=appointment, action="booked").count() == 1
    assert sorted(
        OutboxMessage.objects.filter(appointment=appointment).values_list("kind", flat=True)
    ) == ["confirmation", "reminder"]
    # The slot is taken now: the claim matches nothing and nothing more is written.
    assert _in_thread(_post, body) == ("409 Conflict", {"error": "conflict"})
    assert Appointment.objects.filter(slot=slot).count() == 1


def test_the_same_work_answers_bad_input_400_and_leaves_other_paths_to_the_app():
    assert _post(b"{not json")[0] == "400 Bad Request"
    app = samework.wrap(lambda environ, start: [b"the app"])
    assert app({"PATH_INFO": "/api/v1/slots/", "REQUEST_METHOD": "GET"}, None) == [b"the app"]
