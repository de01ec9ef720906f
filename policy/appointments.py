"""Who may search, book, move, cancel and progress appointments, and through which channel.

The rules (the only place in the code base that compares roles and practices for bookings):

- **Reception / phone**: any active staff member of the slot's practice (receptionist,
  manager or clinician, at any of the practice's sites) books the practice's own patients.
- **Federation**: active staff of *another* practice in the same federation may book
  ``federation=True`` slots for patients registered in the federation.
- **Online**: a patient user books ``online=True`` slots of online-bookable types for the
  patient they are acting for (``Actor.acting_for_id``: themselves, or a proxied patient), at
  that patient's practice, holding at most ``PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS`` future
  appointments at a time. Staff are never treated as patients, even with a patient account.
- **Embargo**: a slot whose ``release_at`` is in the future is hidden from every channel.
  Staff of the slot's own practice may book it with a stated reason; patients and other
  organisations never can.

Functions return a channel, a queryset filter or raise ``PermissionRefused`` with a message
meant for the person at the desk.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from common.errors import PermissionRefused
from common.prepared import PreparedQuery
from policy.actor import Actor
from policy.records import Decision

if TYPE_CHECKING:
    from appointments.models import Appointment, Slot
    from patients.models import Patient

NO_STAFF_MESSAGE = (
    "Your account is not linked to an active staff member of a practice, "
    "so it cannot use the appointment book."
)


def actor_patient_id(actor: Actor) -> int | None:
    """The patient an online actor is acting for (own record or a proxy grant), else None.

    Staff members are answered first without a query, so staff requests pay nothing."""
    if actor.is_staff_member:
        return None
    return actor.acting_for_id


def is_patient(actor: Actor) -> bool:
    return actor_patient_id(actor) is not None


def require_staff(actor: Actor) -> None:
    """Refuse anyone who is not an active staff member (the API is for staff for now)."""
    if not actor.is_staff_member:
        raise PermissionRefused(NO_STAFF_MESSAGE)


def visible_practice_ids(actor: Actor) -> list[int]:
    """Practices whose sites, staff and appointment types the actor may list."""
    if not actor.is_staff_member or actor.practice_id is None:
        return []
    if actor.federation_id is None:
        return [actor.practice_id]
    from practices.models import Practice

    ids = list(
        Practice.objects.filter(federation_id=actor.federation_id).values_list("pk", flat=True)
    )
    return ids


def search_channel(actor: Actor, *, practice_id: int, federation_id: int | None) -> str:
    """The channel through which ``actor`` sees practice ``practice_id``'s book, or refuse."""
    from appointments.models import Channel

    if is_patient(actor):
        return Channel.ONLINE
    require_staff(actor)
    if actor.practice_id == practice_id:
        return Channel.RECEPTION
    if federation_id is not None and actor.federation_id == federation_id:
        return Channel.FEDERATION
    raise PermissionRefused(
        "You can only see the appointment book of your own practice, "
        "or of practices in your federation."
    )


def booking_channel(actor: Actor, *, slot: Slot, requested: str | None = None) -> str:
    """The channel a booking of ``slot`` by ``actor`` goes through.

    Staff of the slot's practice book as reception unless they say ``phone``.
    """
    from appointments.models import Channel

    channel = search_channel(
        actor, practice_id=slot.practice_id, federation_id=slot.practice.federation_id
    )
    if channel == Channel.RECEPTION and requested == Channel.PHONE:
        return Channel.PHONE
    if requested and requested != channel:
        raise PermissionRefused(f"You cannot book through the {requested} channel.")
    return channel


def slot_offered_to(slot: Slot, channel: str) -> bool:
    """Whether a slot's availability rule lets ``channel`` book it (embargo aside)."""
    from appointments.models import Channel

    if channel == Channel.ONLINE:
        return slot.online and slot.appointment_type.online_bookable
    if channel == Channel.FEDERATION:
        return slot.federation
    return True


def channel_slot_filter(channel: str) -> dict[str, Any]:
    """The queryset filter matching ``slot_offered_to`` for search."""
    from appointments.models import Channel

    if channel == Channel.ONLINE:
        return {"online": True, "appointment_type__online_bookable": True}
    if channel == Channel.FEDERATION:
        return {"federation": True}
    return {}


def online_future_limit() -> int:
    from django.conf import settings

    return int(getattr(settings, "PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS", 2))


def _future_booked(*, patient: int, now: datetime.datetime) -> Any:
    from appointments.models import Appointment, AppointmentStatus

    return Appointment.objects.filter(
        patient_id=patient, status=AppointmentStatus.BOOKED, start__gt=now
    ).values_list("pk")


_FUTURE_BOOKED = PreparedQuery(_future_booked)  # every online booking asks


def check_online_limit(patient: Patient, *, now: datetime.datetime | None = None) -> None:
    """Refuse an online booking when the patient already holds the limit of future
    appointments (however they were booked; cancelled ones do not count)."""
    from django.utils import timezone

    limit = online_future_limit()
    # Counted up to the limit: a patient with many appointments booked at the desk costs
    # no more than one at the limit.
    held = len(_FUTURE_BOOKED.rows(patient=patient.pk, now=now or timezone.now(), limit=limit))
    if held >= limit:
        plural = "appointment" if limit == 1 else "appointments"
        raise PermissionRefused(
            f"You can hold at most {limit} future {plural} booked online. "
            "Cancel one first, or call the practice."
        )


def check_may_book(
    actor: Actor,
    *,
    slot: Slot,
    patient: Patient,
    channel: str,
    overriding_embargo: bool,
    now: datetime.datetime | None = None,
) -> None:
    """Refuse a booking the policy does not allow (availability, patient, embargo override)."""
    from appointments.models import Channel

    if not slot_offered_to(slot, channel):
        if channel == Channel.ONLINE:
            raise PermissionRefused("That appointment cannot be booked online.")
        raise PermissionRefused(
            "That slot is not offered to other organisations: ask the practice to book it."
        )
    if channel == Channel.ONLINE:
        if actor_patient_id(actor) != patient.pk:
            raise PermissionRefused(
                "You can only book for yourself or someone you have proxy access for."
            )
        if patient.registered_practice_id != slot.practice_id:
            raise PermissionRefused(
                "You can only book online at the practice you are registered with."
            )
        # The future-appointment limit is checked by the booking itself, under a lock on the
        # patient (check_online_limit): checked here too, it would only be read twice.
    elif channel == Channel.FEDERATION:
        if patient.registered_practice.federation_id != slot.practice.federation_id:
            raise PermissionRefused(
                "This patient is not registered with a practice in the same federation."
            )
    elif patient.registered_practice_id != slot.practice_id:
        raise PermissionRefused("This patient is not registered with the practice of that slot.")
    if overriding_embargo and channel not in (Channel.RECEPTION, Channel.PHONE):
        raise PermissionRefused(
            "That slot is not released yet. Only the practice's own staff can book it early."
        )


def check_may_change(actor: Actor, *, appointment: Appointment) -> None:
    """Cancel, move or annotate: the practice's staff, or the federation practice that booked it."""
    if is_patient(actor) and actor_patient_id(actor) == appointment.patient_id:
        return
    require_staff(actor)
    if actor.practice_id == appointment.site.practice_id:
        return
    booked_by_staff = getattr(appointment.booked_by, "staff", None)
    if (
        appointment.channel == "federation"
        and booked_by_staff is not None
        and booked_by_staff.practice_id == actor.practice_id
    ):
        return
    raise PermissionRefused("That appointment belongs to another practice: ask them to change it.")


def check_may_record_attendance(actor: Actor, *, appointment: Appointment) -> None:
    """Arrived, in consultation, finished, DNA: staff of the practice where it happens."""
    require_staff(actor)
    if actor.practice_id != appointment.site.practice_id:
        raise PermissionRefused(
            "Only staff of the practice holding the appointment can record attendance."
        )


def staff_visible_q(actor: Actor) -> Q:
    """Staff the actor may list for booking: everyone at their own practice, and only the
    clinicians (the people with sessions) of other practices."""
    from staff.roles import CLINICAL_ROLES

    return Q(practice_id=actor.practice_id) | Q(role__in=CLINICAL_ROLES)


def appointment_basis(actor: Actor, *, practice_id: int | None) -> Decision:
    """The basis an allowed appointment action goes to the audit with (after the check):
    the patient online, the practice holding the appointment, or another in its federation."""
    from policy.online import PATIENT_ONLINE_BASIS

    if is_patient(actor):
        return Decision(True, PATIENT_ONLINE_BASIS)
    if actor.practice_id is not None and actor.practice_id == practice_id:
        return Decision(True, "own_practice")
    return Decision(True, "federation")


def appointment_practice_ids(actor: Actor) -> list[int]:
    """Practices whose appointments the actor may list: their own (staff only)."""
    if not actor.is_staff_member or actor.practice_id is None:
        return []
    return [actor.practice_id]


def _booking_roles() -> frozenset[str]:
    from staff.roles import Role

    return frozenset(Role.values)


BOOKING_ROLES = _booking_roles()
"""Roles that use the reception pages (menu only): every practice staff role, since any
active staff member of a practice may book its patients (see the rules above)."""
