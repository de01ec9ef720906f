"""Seams where other parts of the product react to changes in the appointment book.

``on_appointment_changed`` is called by every booking, cancellation and reschedule *inside the
same database transaction* as the change. It writes (or voids) the patient's messages in the
notifications outbox, so a confirmation or reminder exists exactly when the change commits and
never when it rolls back. Whatever goes here must only write to the database (no network
calls, no ``.delay()``): side effects happen after commit, driven by the outbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appointments.models import Appointment, Slot


def on_appointment_changed(
    *, appointment: Appointment, change: str, previous_slot: Slot | None = None
) -> None:
    """``change`` is one of "booked", "cancelled", "rescheduled"."""
    from notifications.outbox import record_appointment_change

    record_appointment_change(
        appointment=appointment,
        change=change,
        previous_start=previous_slot.start if previous_slot is not None else None,
    )
