"""The one order in which the appointment book's services take row locks (ADR 0020).

    1. the patient            (``lock_patient``:  SELECT ... FOR NO KEY UPDATE)
    2. the appointment        (``booking.lock_for_change``: SELECT ... FOR UPDATE)
    3. slots, by ascending id (``lock_slots``:    SELECT ... FOR NO KEY UPDATE ORDER BY id)

A service may skip a step but never go back to an earlier one: a transaction that holds a slot
never waits for a patient, and one that holds an appointment never waits for its patient.
Every writer of a patient's appointments (booking at the desk or online, moving, cancelling)
therefore queues on the patient first, so two changes for one patient run one after the other
and PostgreSQL has no cycle to break. Before this order, reception booking a slot while the
patient booked the same slot online deadlocked: the online booking held the patient and waited
for the slot; the desk booking held the slot and its new appointment row waited for the
patient (the foreign key check takes KEY SHARE on the patient, which FOR UPDATE blocks).

``FOR NO KEY UPDATE`` (not ``FOR UPDATE``) on the patient: it serialises these services with
each other but does not block the foreign-key checks of unrelated inserts that reference the
patient (audit rows, record entries, messages).

Attendance (arrived, started, finished, DNA) and notes change the appointment row alone and
take only step 2. If PostgreSQL still picks a victim (a path outside this module), the
service's ``common.contention.retry_on_contention`` runs it once more, then answers 409.
"""

from __future__ import annotations

from collections.abc import Iterable

from appointments.models import Slot
from patients.models import Patient


def lock_patient(patient_id: int) -> None:
    """Step 1: hold the patient while their appointments change."""
    list(
        Patient.objects.select_for_update(no_key=True)
        .filter(pk=patient_id)
        .order_by()
        .values_list("pk")
    )


def lock_slots(slot_ids: Iterable[int]) -> None:
    """Step 3: hold the slots, lowest id first, so two moves between the same slots queue."""
    ids = sorted(set(slot_ids))
    list(
        Slot.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk")
    )
