"""Demo data for the appointment book: types, a weekly rota, six weeks of slots, bookings.

``seed(ctx)`` is one step of the ``seed_demo`` command. It relies only on the demo's natural
keys (practice ODS K84016, the two sites by name, staff by username) and on the models, and
it is idempotent: running it again changes nothing that is already there.
"""

from __future__ import annotations

import datetime
import logging
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from appointments.models import (
    Appointment,
    AppointmentType,
    AppointmentTypeRole,
    Mode,
    SessionTemplate,
    Slot,
)
from appointments.services.booking import appointment_book
from appointments.services.rota import rota_generate
from common.errors import ServiceError
from patients.models import Patient
from policy.actor import Actor
from practices.models import Practice, Site
from staff.models import StaffMember
from staff.roles import Role

logger = logging.getLogger(__name__)

ODS_CODE = "K84016"
BOTLEY = "Botley Medical Centre"
KENNINGTON = "Kennington Health Centre"

# name: (minutes, mode, roles, online bookable)
TYPES: dict[str, tuple[int, str, list[str], bool]] = {
    "GP routine": (10, Mode.FACE_TO_FACE, [Role.GP], False),
    "GP telephone": (10, Mode.TELEPHONE, [Role.GP], False),
    "ANP minor illness": (15, Mode.FACE_TO_FACE, [Role.ANP], False),
    "Physio first contact": (20, Mode.FACE_TO_FACE, [Role.PHYSIO], True),
    "HCA bloods": (10, Mode.FACE_TO_FACE, [Role.HCA], True),
    "Nurse long-term condition review": (20, Mode.FACE_TO_FACE, [Role.NURSE], False),
    "Pharmacist medication review": (20, Mode.FACE_TO_FACE, [Role.PHARMACIST], False),
    "Link worker": (30, Mode.FACE_TO_FACE, [Role.LINK_WORKER], False),
}

SAME_DAY = {"release_days_before": 0, "release_time": datetime.time(8)}
MON, TUE, WED, THU, FRI = range(5)


@dataclass(frozen=True)
class Line:
    """One weekly rota line of the demo."""

    login: str
    site: str
    weekdays: tuple[int, ...]
    start: tuple[int, int]
    end: tuple[int, int]
    kind: str
    online: bool = False
    federation: bool = False
    same_day: bool = False


ROTA = [
    Line("gp", BOTLEY, (MON, WED, FRI), (8, 0), (12, 0), "GP routine", same_day=True),
    Line("gp", KENNINGTON, (TUE, THU), (8, 0), (12, 0), "GP routine", same_day=True),
    Line("gp", BOTLEY, (MON, TUE, WED, THU), (14, 0), (16, 0), "GP telephone"),
    Line("gp", KENNINGTON, (FRI,), (14, 0), (17, 0), "GP routine", online=True, federation=True),
    Line("anp", KENNINGTON, (MON, WED, FRI), (8, 0), (12, 30), "ANP minor illness", same_day=True),
    Line("anp", BOTLEY, (TUE, THU), (8, 0), (12, 30), "ANP minor illness", same_day=True),
    Line("anp", BOTLEY, (MON,), (17, 0), (20, 0), "ANP minor illness", federation=True),
    Line("nurse", BOTLEY, (TUE, THU), (9, 0), (12, 20), "Nurse long-term condition review"),
    Line("nurse", KENNINGTON, (WED,), (13, 0), (16, 20), "Nurse long-term condition review"),
    Line("physio", KENNINGTON, (WED,), (9, 0), (13, 0), "Physio first contact", online=True),
    Line("physio", BOTLEY, (FRI,), (9, 0), (13, 0), "Physio first contact", online=True),
    Line("hca", BOTLEY, (MON, TUE, WED, THU), (8, 0), (11, 0), "HCA bloods", online=True),
    Line("hca", KENNINGTON, (FRI,), (8, 0), (11, 0), "HCA bloods", online=True, federation=True),
    Line("pharmacist", KENNINGTON, (THU,), (13, 0), (16, 0), "Pharmacist medication review"),
    Line("linkworker", BOTLEY, (WED,), (10, 0), (13, 0), "Link worker"),
]

BOOKING_DAYS = 6
BOOKED_SHARE = 0.55


def _get(ctx: Any, name: str, default: Any = None) -> Any:
    if isinstance(ctx, dict):
        return ctx.get(name, default)
    return getattr(ctx, name, default)


def _practice(ctx: Any) -> Practice | None:
    practice = _get(ctx, "practice")
    if isinstance(practice, Practice):
        return practice
    return Practice.objects.filter(ods_code=ODS_CODE).first()


def _sites(ctx: Any, practice: Practice) -> dict[str, Site]:
    sites = {s.name: s for s in Site.objects.filter(practice=practice)}
    for value in (_get(ctx, "sites") or {}).values():
        if isinstance(value, Site):
            sites.setdefault(value.name, value)
    return sites


def _staff(ctx: Any, practice: Practice) -> dict[str, StaffMember]:
    staff: dict[str, StaffMember] = {}
    for login, member in (_get(ctx, "staff") or {}).items():
        if isinstance(member, StaffMember):
            staff[login] = member
    logins = {line.login for line in ROTA} | {"reception", "receptionist"}
    for member in StaffMember.objects.filter(
        practice=practice, active=True, user__username__in=logins
    ).select_related("user"):
        staff.setdefault(member.user.get_username(), member)
    return staff


def seed(ctx: Any) -> None:
    """Create the demo appointment book (see the module docstring)."""
    practice = _practice(ctx)
    if practice is None:
        logger.warning("appointments demo: no practice %s; nothing seeded", ODS_CODE)
        return
    sites = _sites(ctx, practice)
    staff = _staff(ctx, practice)
    types = _types(practice)
    _rota(practice, sites, staff, types)
    today = timezone.localdate()
    result = rota_generate(start=today, days=42, practice=practice)
    logger.info("appointments demo: %s", result.summary())
    _bookings(practice, staff)


def _types(practice: Practice) -> dict[str, AppointmentType]:
    types = {}
    for name, (minutes, mode, roles, online) in TYPES.items():
        kind, _ = AppointmentType.objects.get_or_create(
            practice=practice,
            name=name,
            defaults={"duration_minutes": minutes, "mode": mode, "online_bookable": online},
        )
        for role in roles:
            AppointmentTypeRole.objects.get_or_create(appointment_type=kind, role=role)
        types[name] = kind
    return types


def _rota(
    practice: Practice,
    sites: dict[str, Site],
    staff: dict[str, StaffMember],
    types: dict[str, AppointmentType],
) -> None:
    valid_from = timezone.localdate() - datetime.timedelta(days=7)
    for line in ROTA:
        clinician, site = staff.get(line.login), sites.get(line.site)
        if clinician is None or site is None:
            logger.info("appointments demo: skipping rota line for %s", line.login)
            continue
        kind = types[line.kind]
        for weekday in line.weekdays:
            SessionTemplate.objects.get_or_create(
                clinician=clinician,
                site=site,
                weekday=weekday,
                start_time=datetime.time(*line.start),
                defaults={
                    "end_time": datetime.time(*line.end),
                    "slot_minutes": kind.duration_minutes,
                    "appointment_type": kind,
                    "valid_from": valid_from,
                    "online": line.online,
                    "federation": line.federation,
                    **(SAME_DAY if line.same_day else {}),
                },
            )


def _booker(practice: Practice, staff: dict[str, StaffMember]) -> Actor | None:
    member = staff.get("reception") or staff.get("receptionist")
    if member is None:
        member = (
            StaffMember.objects.filter(
                practice=practice, active=True, role__in=[Role.RECEPTIONIST, Role.PRACTICE_MANAGER]
            )
            .select_related("user", "practice")
            .first()
        )
    if member is None:
        return None
    site = member.sites.order_by("pk").first()
    return Actor(user=member.user, staff=member, site_id=site.pk if site else None)


def _bookings(practice: Practice, staff: dict[str, StaffMember]) -> None:
    """Book about half of the released slots over the next days, once."""
    now = timezone.now()
    horizon = now + datetime.timedelta(days=BOOKING_DAYS)
    if Appointment.objects.filter(site__practice=practice, start__gte=now).exists():
        return  # already seeded
    actor = _booker(practice, staff)
    patients = list(
        Patient.objects.filter(registered_practice=practice, date_of_death__isnull=True)
        .select_related("registered_practice")
        .order_by("pk")[:2000]
    )
    if actor is None or not patients:
        logger.info("appointments demo: no receptionist or no patients; no bookings made")
        return
    slots = list(
        Slot.objects.filter(
            practice=practice, start__gt=now, start__lt=horizon, booked=False, withdrawn=False
        )
        .exclude(release_at__gt=now)
        .select_related("practice", "appointment_type")
        .order_by("start")
    )
    chooser = random.Random(84016)
    chosen = [slot for slot in slots if chooser.random() < BOOKED_SHARE]
    chooser.shuffle(patients)
    notes = ["", "", "", "Prefers a call back after 5pm", "Interpreter needed (Polish)", ""]
    made = 0
    with transaction.atomic():
        for index, slot in enumerate(chosen):
            patient = patients[index % len(patients)]
            try:
                appointment_book(
                    slot=slot,
                    patient=patient,
                    actor=actor,
                    channel="phone" if index % 4 == 0 else "reception",
                    note=notes[index % len(notes)],
                    now=now,
                )
            except ServiceError:
                continue  # e.g. the patient already has an appointment then
            made += 1
    logger.info("appointments demo: %s appointments booked", made)
