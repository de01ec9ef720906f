"""Seams where other parts of the product react to changes in the appointment book.

``on_appointment_changed`` is called by every booking, cancellation and reschedule *inside the
same database transaction* as the change. It deliberately does nothing yet: it is where the
reminders engineer's outbox row is written (so that a reminder is scheduled, moved or
withdrawn exactly when the change commits, and never when it rolls back). The lead wires it
at merge. Whatever goes here must only write to the database (no network calls, no
``.delay()``): side effects belong after commit, driven by the outbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appointments.models import Appointment, Slot


def on_appointment_changed(
    *, appointment: Appointment, change: str, previous_slot: Slot | None = None
) -> None:
    """``change`` is one of "booked", "cancelled", "rescheduled"."""
    return None
