"""Reads of the appointment book, shared by the API and (later) the reception and patient pages.

``slots_available`` is *the* free-slot search: free (not booked, not withdrawn), released
(no embargo in the future), in the future, offered to the caller's channel, earliest first.
It reads one practice's book through the partial indexes ``slot_open_*`` on
(practice, start), so "next available" is an index range scan stopping at the page size.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Q, QuerySet
from django.utils import timezone

from appointments.models import Appointment, AppointmentType, Channel, Slot
from common.prepared import PreparedQuery
from patients.models import Patient
from policy import appointments as policy
from policy.actor import Actor
from practices.models import Practice, Site
from staff.models import StaffMember

if TYPE_CHECKING:
    from typing_extensions import Unpack


def slots_offered(
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
    """Released, future, not withdrawn slots of ``practice`` that ``channel`` may book, free
    or already taken, earliest first: ``slots_available`` without the "free" condition.

    ``after`` is inclusive (a slot starting exactly then is listed); whatever it says, only
    slots starting after ``now`` are offered: past slots never are.
    """
    now = now or timezone.now()
    qs = Slot.objects.filter(
        Q(release_at__isnull=True) | Q(release_at__lte=now),
        practice=practice,
        withdrawn=False,
        start__gt=now,
        **policy.channel_slot_filter(channel),
    )
    if after is not None:  # with start > now above, an ``after`` in the past changes nothing
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


class SlotFilters(TypedDict, total=False):
    """The optional filters of ``slots_offered`` / ``slots_available``."""

    site: Site | int | None
    role: str | None
    clinician: StaffMember | int | None
    appointment_type: AppointmentType | int | None
    mode: str | None
    after: datetime.datetime | None
    before: datetime.datetime | None
    now: datetime.datetime | None


def slots_available(
    *, practice: Practice | int, channel: str, **filters: Unpack[SlotFilters]
) -> QuerySet[Slot]:
    """Free, released slots of ``practice`` that ``channel`` may book, earliest first."""
    return slots_offered(practice=practice, channel=channel, **filters).filter(booked=False)


def _slot_with_context(*, pk: int) -> QuerySet[Slot]:
    return Slot.objects.select_related(
        "practice", "appointment_type", "site", "clinician__user"
    ).filter(pk=pk)


def _patient_with_practice(*, pk: int) -> QuerySet[Patient]:
    return Patient.objects.select_related("registered_practice").filter(pk=pk)


_SLOT_WITH_CONTEXT = PreparedQuery(_slot_with_context)
_PATIENT_WITH_PRACTICE = PreparedQuery(_patient_with_practice)


def _offered_online(*, practice: int, pk: int, now: datetime.datetime) -> QuerySet[Slot]:
    return (
        slots_offered(practice=practice, channel=Channel.ONLINE, now=now)
        .filter(pk=pk)
        .select_related("practice")
    )


_OFFERED_ONLINE = PreparedQuery(_offered_online)


def online_slot_for_booking(
    *, patient: Patient, pk: int, now: datetime.datetime | None = None
) -> Slot | None:
    """The slot if it is offered online at the patient's practice, free or just taken (the
    booking then answers that it was taken), with what booking needs; else None."""
    return _OFFERED_ONLINE.first(
        practice=patient.registered_practice_id, pk=pk, now=now or timezone.now()
    )


def slot_for_booking(*, pk: int) -> Slot | None:
    """One slot with what booking it needs and shows: practice, type, site, clinician."""
    return _SLOT_WITH_CONTEXT.first(pk=pk)


def patient_for_booking(*, pk: int) -> Patient | None:
    """One patient with their registered practice (the booking policy compares them)."""
    return _PATIENT_WITH_PRACTICE.first(pk=pk)


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


# The reception day book ---------------------------------------------------------------------


@dataclass
class BookRow:
    """One slot of the day book and what has happened to it."""

    slot: Slot
    appointment: Appointment | None  # the live one, or None when free
    cancelled: bool  # free again after a cancellation
    now: datetime.datetime

    @property
    def state(self) -> str:
        if self.appointment is not None:
            return str(self.appointment.status)
        if self.slot.withdrawn:
            return "withdrawn"
        return "cancelled_free" if self.cancelled else "free"

    @property
    def state_label(self) -> str:
        if self.appointment is not None:
            return self.appointment.get_status_display()
        if self.slot.withdrawn:
            return "Withdrawn (clinician away)"
        return "Free (cancelled)" if self.cancelled else "Free"

    @property
    def embargoed(self) -> bool:
        return self.slot.release_at is not None and self.slot.release_at > self.now

    @property
    def rule(self) -> str:
        """The availability rule in words: the key colour is never the only signal."""
        if self.embargoed:
            released = timezone.localtime(self.slot.release_at)
            if released.date() == timezone.localtime(self.slot.start).date():
                return f"Embargoed until {released:%H:%M}"
            return f"Embargoed until {released:%H:%M %d/%m}"
        if self.slot.online:
            return "Online"
        if self.slot.federation:
            return "Federation"
        return "Reception only"

    @property
    def rule_key(self) -> str:
        if self.embargoed:
            return "embargoed"
        if self.slot.online:
            return "online"
        if self.slot.federation:
            return "federation"
        return "reception"

    @property
    def bookable(self) -> bool:
        return self.appointment is None and not self.slot.withdrawn and self.slot.start > self.now


@dataclass
class BookColumn:
    clinician: StaffMember
    rows: list[BookRow] = field(default_factory=list)


@dataclass
class BookSite:
    site: Site
    columns: list[BookColumn] = field(default_factory=list)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
    return start, end


def book_sites(*, actor: Actor) -> list[Site]:
    """The sites whose day book the actor may open: those of their own practice."""
    if not actor.is_staff_member or actor.practice_id is None:
        return []
    return list(Site.objects.filter(practice_id=actor.practice_id).order_by("name", "pk"))


def day_book(
    *, sites: list[Site], day: datetime.date, now: datetime.datetime | None = None
) -> list[BookSite]:
    """Every slot of ``day`` at ``sites``, a column per clinician, grouped by site.

    Two queries whatever the number of clinicians and slots: the slots (with clinician, type)
    and the appointments made in them (with patient). The caller checks ``sites`` against
    ``book_sites`` first.
    """
    now = now or timezone.now()
    start, end = day_bounds(day)
    site_ids = [s.pk for s in sites]
    slots = list(
        Slot.objects.filter(site_id__in=site_ids, start__gte=start, start__lt=end)
        .select_related("clinician__user", "appointment_type")
        .order_by("site_id", "clinician__user__last_name", "clinician_id", "start", "pk")
    )
    live: dict[int, Appointment] = {}
    cancelled: set[int] = set()
    for appointment in (
        # Appointments carry their slot's site and start: the (site, start) index answers this.
        Appointment.objects.filter(site_id__in=site_ids, start__gte=start, start__lt=end)
        .select_related("patient")
        .order_by("pk")
    ):
        if appointment.is_live:
            live[appointment.slot_id] = appointment
        else:
            cancelled.add(appointment.slot_id)
    by_site = {s.pk: BookSite(site=s) for s in sites}
    columns: dict[tuple[int, int], BookColumn] = {}
    for slot in slots:
        key = (slot.site_id, slot.clinician_id)
        if key not in columns:
            columns[key] = BookColumn(clinician=slot.clinician)
            by_site[slot.site_id].columns.append(columns[key])
        columns[key].rows.append(
            BookRow(slot=slot, appointment=live.get(slot.pk), cancelled=slot.pk in cancelled,
                    now=now)
        )
    return [by_site[s.pk] for s in sites]


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
