"""The rota: weekly session templates become dated sessions cut into slots.

Times in templates are Europe/London wall-clock times. Each day's session start and end are
made aware in that zone (so 08:00 stays 08:00 local across the clock changes) and slots are
cut in real elapsed minutes from the session start.

``rota_generate`` is idempotent: a session is identified by (template, start) and its slots
are created with it in one transaction, so a re-run creates nothing new. Leave
(``RotaException``) does not stop sessions being created; it *withdraws* the free slots it
overlaps, and the withdrawal is recomputed on every run (deleting the leave brings the slots
back). Booked slots inside new leave are left alone and counted so that reception can move
the patients.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from appointments.models import (
    AppointmentType,
    RotaException,
    Session,
    SessionTemplate,
    Slot,
)
from appointments.services._db import violated_constraint
from common.errors import Conflict, ServiceError
from practices.models import Practice, Site
from staff.models import StaffMember

logger = logging.getLogger(__name__)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """``day`` at wall-clock ``time`` in the practice's zone (Europe/London), as aware."""
    return datetime.datetime.combine(day, time, tzinfo=local_zone())


def release_at_for(
    day: datetime.date, days_before: int | None, time: datetime.time | None
) -> datetime.datetime | None:
    """When a slot on ``day`` is released: ``days_before`` days earlier at ``time`` local."""
    if days_before is None or time is None:
        return None
    return local_datetime(day - datetime.timedelta(days=days_before), time)


def cut_slots(
    *,
    session: Session,
    slot_minutes: int,
    appointment_type: AppointmentType,
    practice_id: int,
    role: str,
    online: bool,
    federation: bool,
    release_at: datetime.datetime | None,
    leave: Iterable[tuple[datetime.datetime, datetime.datetime]] = (),
) -> list[Slot]:
    """Unsaved slots filling ``session`` end to end; a trailing part-slot is dropped."""
    length = datetime.timedelta(minutes=slot_minutes)
    leave = list(leave)
    slots = []
    start = session.start
    while start + length <= session.end:
        end = start + length
        slots.append(
            Slot(
                session=session,
                practice_id=practice_id,
                site_id=session.site_id,
                clinician_id=session.clinician_id,
                role=role,
                appointment_type=appointment_type,
                mode=appointment_type.mode,
                start=start,
                end=end,
                online=online,
                federation=federation,
                release_at=release_at,
                withdrawn=any(a < end and start < b for a, b in leave),
            )
        )
        start = end
    return slots


@dataclass
class RotaResult:
    sessions_created: int = 0
    slots_created: int = 0
    slots_withdrawn: int = 0
    slots_restored: int = 0
    booked_in_leave: int = 0
    conflicts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.sessions_created} sessions and {self.slots_created} slots created; "
            f"{self.slots_withdrawn} slots withdrawn for leave, {self.slots_restored} restored; "
            f"{self.booked_in_leave} booked appointments fall in leave; "
            f"{len(self.conflicts)} template days refused as overlapping."
        )


def _days(start: datetime.date, days: int) -> list[datetime.date]:
    return [start + datetime.timedelta(days=i) for i in range(days)]


def rota_generate(
    *, start: datetime.date, days: int | None = None, practice: Practice | None = None
) -> RotaResult:
    """Create the sessions and slots of every template for ``days`` days from ``start``."""
    days = settings.SLOT_HORIZON_DAYS if days is None else days
    if days < 1:
        raise ServiceError("Generate at least one day of slots.")
    last = start + datetime.timedelta(days=days - 1)
    window_start = local_datetime(start, datetime.time(0))
    window_end = local_datetime(last + datetime.timedelta(days=1), datetime.time(0))

    templates = list(
        SessionTemplate.objects.filter(valid_from__lte=last, clinician__active=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .filter(**({"site__practice": practice} if practice is not None else {}))
        .select_related("appointment_type", "site", "clinician")
    )
    result = RotaResult()
    if templates:
        existing = set(
            Session.objects.filter(
                template__in=templates, start__gte=window_start, start__lt=window_end
            ).values_list("template_id", "start")
        )
        leave = _leave_by_clinician({t.clinician_id for t in templates}, window_start, window_end)
        planned: list[tuple[Session, list[Slot]]] = []
        for day in _days(start, days):
            for template in templates:
                if template.weekday != day.weekday() or not _valid_on(template, day):
                    continue
                session = Session(
                    clinician_id=template.clinician_id,
                    site_id=template.site_id,
                    template=template,
                    start=local_datetime(day, template.start_time),
                    end=local_datetime(day, template.end_time),
                )
                if (template.pk, session.start) in existing:
                    continue
                slots = cut_slots(
                    session=session,
                    slot_minutes=template.slot_minutes,
                    appointment_type=template.appointment_type,
                    practice_id=template.site.practice_id,
                    role=template.clinician.role,
                    online=template.online,
                    federation=template.federation,
                    release_at=release_at_for(
                        day, template.release_days_before, template.release_time
                    ),
                    leave=leave.get(template.clinician_id, ()),
                )
                planned.append((session, slots))
        _create(planned, result)
    _apply_leave(result, window_start, window_end, practice)
    logger.info("rota_generate from %s for %s days: %s", start, days, result.summary())
    return result


def _valid_on(template: SessionTemplate, day: datetime.date) -> bool:
    return template.valid_from <= day and (
        template.valid_until is None or day <= template.valid_until
    )


def _leave_by_clinician(
    clinician_ids: set[int], start: datetime.datetime, end: datetime.datetime
) -> dict[int, list[tuple[datetime.datetime, datetime.datetime]]]:
    leave: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
    for clinician_id, a, b in RotaException.objects.filter(
        clinician_id__in=clinician_ids, start__lt=end, end__gt=start
    ).values_list("clinician_id", "start", "end"):
        leave.setdefault(clinician_id, []).append((a, b))
    return leave


def _insert(planned: list[tuple[Session, list[Slot]]]) -> None:
    sessions = Session.objects.bulk_create([s for s, _ in planned])
    slots: list[Slot] = []
    for session, session_slots in zip(sessions, (sl for _, sl in planned), strict=True):
        for slot in session_slots:
            slot.session = session
        slots.extend(session_slots)
    Slot.objects.bulk_create(slots, batch_size=2000)


def _create(planned: list[tuple[Session, list[Slot]]], result: RotaResult) -> None:
    """Insert everything in one go; if the database refuses, find the refused days one by one."""
    if not planned:
        return
    try:
        with transaction.atomic():
            _insert(planned)
    except IntegrityError:
        for session, slots in planned:
            session.pk = None
            try:
                with transaction.atomic():
                    _insert([(session, slots)])
            except IntegrityError as exc:
                message = _overlap_message(session, exc)
                result.conflicts.append(message)
                logger.warning("rota_generate skipped a session: %s", message)
            else:
                result.sessions_created += 1
                result.slots_created += len(slots)
        return
    result.sessions_created += len(planned)
    result.slots_created += sum(len(slots) for _, slots in planned)


def _overlap_message(session: Session, exc: IntegrityError) -> str:
    local = session.start.astimezone(local_zone())
    when = f"{local:%a %d %b %Y %H:%M}-{session.end.astimezone(local_zone()):%H:%M}"
    clinician = StaffMember.objects.select_related("user").get(pk=session.clinician_id)
    if violated_constraint(exc) in ("session_clinician_no_overlap", "slot_unique_clinician_start"):
        return (
            f"{clinician.display_name} already has a session overlapping {when}: "
            "a clinician cannot be in two places at once. Change one of the rota lines."
        )
    return f"The session for {clinician.display_name} on {when} could not be created: {exc}"


def _apply_leave(
    result: RotaResult,
    start: datetime.datetime,
    end: datetime.datetime,
    practice: Practice | None,
) -> None:
    """Withdraw free slots that overlap leave, and restore withdrawn ones that no longer do."""
    in_leave = Exists(
        RotaException.objects.filter(
            clinician_id=OuterRef("clinician_id"),
            start__lt=OuterRef("end"),
            end__gt=OuterRef("start"),
        )
    )
    slots = Slot.objects.filter(start__gte=start, start__lt=end)
    if practice is not None:
        slots = slots.filter(practice=practice)
    result.slots_withdrawn += slots.filter(in_leave, withdrawn=False, booked=False).update(
        withdrawn=True
    )
    result.slots_restored += slots.filter(~in_leave, withdrawn=True).update(withdrawn=False)
    result.booked_in_leave += slots.filter(in_leave, booked=True).count()


def session_add(
    *,
    clinician: StaffMember,
    site: Site,
    start: datetime.datetime,
    end: datetime.datetime,
    slot_minutes: int,
    appointment_type: AppointmentType,
    online: bool = False,
    federation: bool = False,
    release_at: datetime.datetime | None = None,
) -> Session:
    """An extra (one-off) session with its slots. Refused if it overlaps another session."""
    if site.practice_id != clinician.practice_id:
        raise ServiceError("The clinician does not work for the practice of that site.")
    if end <= start:
        raise ServiceError("The session must end after it starts.")
    session = Session(clinician=clinician, site=site, start=start, end=end)
    leave = _leave_by_clinician({clinician.pk}, start, end).get(clinician.pk, [])
    slots = cut_slots(
        session=session,
        slot_minutes=slot_minutes,
        appointment_type=appointment_type,
        practice_id=site.practice_id,
        role=clinician.role,
        online=online,
        federation=federation,
        release_at=release_at,
        leave=leave,
    )
    try:
        with transaction.atomic():
            _insert([(session, slots)])
    except IntegrityError as exc:
        raise Conflict(_overlap_message(session, exc)) from None
    return session
