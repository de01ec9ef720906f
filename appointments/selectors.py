"""Reads of the appointment book, shared by the API and (later) the reception and patient pages.

``slots_available`` is *the* free-slot search: free (not booked, not withdrawn), released
(no embargo in the future), in the future, offered to the caller's channel, earliest first.
It reads one practice's book through the partial indexes ``slot_open_*`` on
(practice, start), so "next available" is an index range scan stopping at the page size.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from appointments.models import Appointment, AppointmentType, Channel, Slot
from policy import appointments as policy
from policy.actor import Actor
from practices.models import Practice, Site
from records.models import Patient
from staff.models import StaffMember


def slots_available(
    *,
    practice: Practice | int,
    channel: str,
    site: Site | int | None = None,
    role: str | None = None,
    clinician: StaffMember | int | None = None,
    appointment_type: AppointmentType | int | None = None,
    mode: str | None = None,
    after: datetime.datetime | None = None,
    before: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Slot]:
    """Free, released slots of ``practice`` that ``channel`` may book, earliest first.

    ``after`` is inclusive (a slot starting exactly then is listed); whatever it says, only
    slots starting after ``now`` are offered: past slots never are.
    """
    now = now or timezone.now()
    qs = Slot.objects.filter(
        Q(release_at__isnull=True) | Q(release_at__lte=now),
        practice=practice,
        booked=False,
        withdrawn=False,
        start__gt=now,
        **policy.channel_slot_filter(channel),
    )
    if after is not None and after > now:
        qs = qs.filter(start__gte=after)
    if before is not None:
        qs = qs.filter(start__lt=before)
    if site is not None:
        qs = qs.filter(site=site)
    if role:
        qs = qs.filter(role=role)
    if clinician is not None:
        qs = qs.filter(clinician=clinician)
    if appointment_type is not None:
        qs = qs.filter(appointment_type=appointment_type)
    if mode:
        qs = qs.filter(mode=mode)
    return qs.select_related("site", "clinician__user", "appointment_type").order_by("start", "pk")


def slot_next_available(**filters: object) -> Slot | None:
    """The earliest slot ``slots_available`` would offer, or None."""
    return slots_available(**filters).first()  # type: ignore[arg-type]


def appointments_for(
    *,
    practice_ids: list[int],
    patient: Patient | int | None = None,
    site: Site | int | None = None,
    date: datetime.date | None = None,
    clinician: StaffMember | int | None = None,
) -> QuerySet[Appointment]:
    """Appointments at the sites of ``practice_ids``, by patient, site, clinician or local day."""
    qs = Appointment.objects.filter(site__practice_id__in=practice_ids)
    if patient is not None:
        qs = qs.filter(patient=patient)
    if site is not None:
        qs = qs.filter(site=site)
    if clinician is not None:
        qs = qs.filter(clinician=clinician)
    if date is not None:
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(date, datetime.time(0), tzinfo=zone)
        end = datetime.datetime.combine(
            date + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
        )
        qs = qs.filter(start__gte=start, start__lt=end)
    return qs.select_related(
        "patient", "site", "clinician__user", "slot__appointment_type", "booked_by"
    ).order_by("start", "pk")


def appointment_visible(*, actor: Actor, pk: int) -> Appointment | None:
    """One appointment, if the actor may see it: their practice's, or one their practice
    booked at a federation partner."""
    if not actor.is_staff_member:
        return None
    return (
        Appointment.objects.filter(
            Q(site__practice_id__in=policy.appointment_practice_ids(actor))
            | Q(channel=Channel.FEDERATION, booked_by__staff__practice_id=actor.practice_id),
            pk=pk,
        )
        .select_related(
            "patient__registered_practice",
            "site__practice",
            "clinician__user",
            "slot__appointment_type",
            "booked_by__staff",
        )
        .first()
    )


# Patients online -----------------------------------------------------------------------------


def online_appointment_types(*, practice: Practice | int) -> QuerySet[AppointmentType]:
    """What a patient may choose from online: the practice's active online-bookable types."""
    return AppointmentType.objects.filter(
        practice=practice, online_bookable=True, active=True
    ).order_by("name")


def online_slots(
    *,
    patient: Patient,
    appointment_type: AppointmentType | int | None = None,
    site: Site | int | None = None,
    after: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Slot]:
    """Free online slots at the patient's practice (either site), earliest first."""
    return slots_available(
        practice=patient.registered_practice_id,
        channel=Channel.ONLINE,
        site=site,
        appointment_type=appointment_type,
        after=after,
        now=now,
    )


def patient_appointments(*, patient: Patient) -> QuerySet[Appointment]:
    """One patient's appointments (the caller has scoped ``patient`` to the user)."""
    return (
        Appointment.objects.filter(patient=patient)
        .select_related("site", "slot__appointment_type")
        .order_by("start", "pk")
    )


def patient_appointment(*, patient_ids: Iterable[int], pk: object) -> Appointment | None:
    """One appointment of any patient the user may act for, else None (a 404 for the caller)."""
    try:
        key = int(pk)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return (
        Appointment.objects.filter(pk=key, patient_id__in=patient_ids)
        .select_related("site__practice", "slot__appointment_type", "patient", "booked_by")
        .first()
    )


def patient_upcoming_and_past(
    *, patient: Patient, now: datetime.datetime | None = None
) -> tuple[list[Appointment], list[Appointment]]:
    """Upcoming (booked, in the future; earliest first) and the rest (newest first)."""
    now = now or timezone.now()
    items = list(patient_appointments(patient=patient))
    upcoming = [a for a in items if a.start > now and a.status == "booked"]
    chosen = {a.pk for a in upcoming}
    past = [a for a in reversed(items) if a.pk not in chosen]
    return upcoming, past
