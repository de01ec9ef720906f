from __future__ import annotations

import datetime
import itertools
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments.models import Session, Slot
from appointments.services.booking import appointment_book
from appointments.services.rota import release_at_for, rota_generate, session_add
from common.errors import Conflict
from tests.factories import AppointmentTypeFactory, RotaExceptionFactory, SessionTemplateFactory

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime.date(2027, 3, 1)  # a Monday, four weeks before the clocks go forward


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def template(world, **kwargs):
    kwargs.setdefault("clinician", world.gp)
    kwargs.setdefault("site", world.botley)
    kwargs.setdefault("valid_from", MONDAY)
    kwargs.setdefault("appointment_type", AppointmentTypeFactory(practice=world.practice))
    return SessionTemplateFactory(**kwargs)


def test_generates_one_session_per_matching_weekday_cut_into_slots(world):
    template(world, weekday=0, start_time=datetime.time(9), end_time=datetime.time(12))
    result = rota_generate(start=MONDAY, days=14)
    assert result.sessions_created == 2
    assert result.slots_created == 36
    first = Slot.objects.order_by("start").first()
    assert first.start == at(MONDAY, 9)
    assert first.end == at(MONDAY, 9, 10)
    assert (first.practice, first.site, first.role) == (world.practice, world.botley, "gp")


def test_a_trailing_part_slot_is_not_created(world):
    template(world, start_time=datetime.time(9), end_time=datetime.time(9, 25), slot_minutes=10)
    assert rota_generate(start=MONDAY, days=1).slots_created == 2


def test_second_run_creates_nothing(world):
    template(world)
    rota_generate(start=MONDAY, days=28)
    again = rota_generate(start=MONDAY, days=28)
    assert (again.sessions_created, again.slots_created, again.conflicts) == (0, 0, [])


def test_valid_from_and_valid_until_are_respected(world):
    template(
        world,
        valid_from=MONDAY + datetime.timedelta(days=7),
        valid_until=MONDAY + datetime.timedelta(days=14),
    )
    rota_generate(start=MONDAY, days=28)
    days = sorted(s.start.astimezone(LONDON).date() for s in Session.objects.all())
    assert days == [MONDAY + datetime.timedelta(days=7), MONDAY + datetime.timedelta(days=14)]


def test_local_times_stay_local_across_the_spring_clock_change(world):
    template(world, start_time=datetime.time(8), end_time=datetime.time(9))
    rota_generate(start=MONDAY + datetime.timedelta(days=21), days=14)  # 22 and 29 March 2027
    starts = [s.start for s in Session.objects.order_by("start")]
    assert [s.astimezone(LONDON).time() for s in starts] == [datetime.time(8)] * 2
    assert [s.astimezone(datetime.UTC).hour for s in starts] == [8, 7]  # GMT, then BST


def test_release_time_is_local_across_the_autumn_clock_change():
    # Slot on Monday 1 Nov 2027 (GMT), released 3 days before at 08:00: Friday 29 Oct (BST).
    release = release_at_for(datetime.date(2027, 11, 1), 3, datetime.time(8))
    assert release == datetime.datetime(2027, 10, 29, 7, 0, tzinfo=datetime.UTC)


def test_same_day_embargo_is_copied_to_every_slot(world):
    template(world, release_days_before=0, release_time=datetime.time(8))
    rota_generate(start=MONDAY, days=1)
    assert set(Slot.objects.values_list("release_at", flat=True)) == {at(MONDAY, 8)}


def test_availability_rule_is_copied_to_slots(world):
    template(world, online=True, federation=True)
    rota_generate(start=MONDAY, days=1)
    assert set(Slot.objects.values_list("online", "federation")) == {(True, True)}


def test_leave_withdraws_the_slots_it_covers(world):
    template(world, start_time=datetime.time(9), end_time=datetime.time(12))
    RotaExceptionFactory(clinician=world.gp, start=at(MONDAY, 10), end=at(MONDAY, 11))
    rota_generate(start=MONDAY, days=1)
    withdrawn = Slot.objects.filter(withdrawn=True)
    assert withdrawn.count() == 6
    assert all(at(MONDAY, 10) <= s.start < at(MONDAY, 11) for s in withdrawn)


def test_leave_added_later_withdraws_free_slots_and_reports_booked_ones(world):
    template(world, start_time=datetime.time(9), end_time=datetime.time(10))
    rota_generate(start=MONDAY, days=1)
    booked = Slot.objects.order_by("start").first()
    Slot.objects.filter(pk=booked.pk).update(booked=True)
    RotaExceptionFactory(clinician=world.gp, start=at(MONDAY, 0), end=at(MONDAY, 23))
    result = rota_generate(start=MONDAY, days=1)
    assert result.slots_withdrawn == 5
    assert result.booked_in_leave == 1
    assert not Slot.objects.get(pk=booked.pk).withdrawn


def test_deleting_leave_restores_the_slots(world):
    template(world)
    leave = RotaExceptionFactory(clinician=world.gp, start=at(MONDAY, 0), end=at(MONDAY, 23))
    rota_generate(start=MONDAY, days=1)
    leave.delete()
    result = rota_generate(start=MONDAY, days=1)
    assert result.slots_restored == 18
    assert not Slot.objects.filter(withdrawn=True).exists()


def test_overlapping_templates_are_refused_with_a_clear_message(world):
    template(world, start_time=datetime.time(9), end_time=datetime.time(12))
    template(world, site=world.kennington, start_time=datetime.time(11), end_time=datetime.time(13))
    result = rota_generate(start=MONDAY, days=1)
    assert result.sessions_created == 1
    assert len(result.conflicts) == 1
    assert "cannot be in two places at once" in result.conflicts[0]


def test_extra_session_overlapping_another_is_a_conflict(world):
    template(world, start_time=datetime.time(9), end_time=datetime.time(12))
    rota_generate(start=MONDAY, days=1)
    with pytest.raises(Conflict, match="two places at once"):
        session_add(
            clinician=world.gp,
            site=world.kennington,
            start=at(MONDAY, 11, 30),
            end=at(MONDAY, 13),
            slot_minutes=10,
            appointment_type=AppointmentTypeFactory(practice=world.practice),
        )


def test_extra_session_creates_its_slots(world):
    session = session_add(
        clinician=world.gp,
        site=world.kennington,
        start=at(MONDAY, 18),
        end=at(MONDAY, 20),
        slot_minutes=15,
        appointment_type=AppointmentTypeFactory(practice=world.practice),
    )
    assert session.slots.count() == 8


def test_generate_slots_command_prints_a_summary(world):
    template(world)
    out = StringIO()
    call_command("generate_slots", "--start", MONDAY.isoformat(), "--days", "7", stdout=out)
    assert "1 sessions and 18 slots created" in out.getvalue()


def test_horizon_defaults_to_the_setting(world, settings):
    settings.SLOT_HORIZON_DAYS = 7
    template(world, weekday=0)
    assert rota_generate(start=MONDAY).sessions_created == 1


def test_booked_slots_survive_a_rerun(world):
    template(world)
    rota_generate(start=MONDAY, days=1)
    slot = Slot.objects.first()
    # a clock-independent booking: "now" is the week before
    appointment_book(
        slot=slot,
        patient=world.patient,
        actor=world.actor(),
        now=at(MONDAY, 0) - datetime.timedelta(days=7),
    )
    rota_generate(start=MONDAY, days=1)
    assert Slot.objects.get(pk=slot.pk).booked


# ---- properties -----------------------------------------------------------------------------

template_lines = st.lists(
    st.tuples(
        st.integers(0, 6),  # weekday
        st.integers(7 * 4, 19 * 4),  # start, in quarter hours
        st.integers(2, 16),  # length, in quarter hours
        st.sampled_from([5, 10, 15, 20, 30]),  # slot minutes
        st.integers(0, 20),  # valid_from offset
        st.one_of(st.none(), st.integers(0, 30)),  # valid_until offset from valid_from
    ),
    min_size=1,
    max_size=5,
)
leave_spans = st.lists(
    st.tuples(st.integers(0, 27 * 24), st.integers(1, 72)), max_size=3
)  # start hour offset, length in hours


def quarter(q: int) -> datetime.time:
    return datetime.time(q // 4, (q % 4) * 15)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=template_lines, leaves=leave_spans, start_offset=st.integers(0, 6))
def test_rota_properties(world, lines, leaves, start_offset):
    with transaction.atomic():
        kind = AppointmentTypeFactory(practice=world.practice)
        templates = []
        for weekday, start_q, length_q, slot_minutes, from_offset, until_offset in lines:
            end_q = min(start_q + length_q, 23 * 4)
            valid_from = MONDAY + datetime.timedelta(days=from_offset)
            templates.append(
                template(
                    world,
                    appointment_type=kind,
                    weekday=weekday,
                    start_time=quarter(start_q),
                    end_time=quarter(end_q),
                    slot_minutes=slot_minutes,
                    valid_from=valid_from,
                    valid_until=None
                    if until_offset is None
                    else valid_from + datetime.timedelta(days=until_offset),
                )
            )
        spans = []
        for start_hour, hours in leaves:
            start = at(MONDAY, 0) + datetime.timedelta(hours=start_hour)
            spans.append((start, start + datetime.timedelta(hours=hours)))
            RotaExceptionFactory(clinician=world.gp, start=spans[-1][0], end=spans[-1][1])

        first = MONDAY + datetime.timedelta(days=start_offset)
        result = rota_generate(start=first, days=21)
        slots = list(Slot.objects.filter(clinician=world.gp).order_by("start"))

        # nobody in two places at once: no two slots of the clinician overlap
        for earlier, later in itertools.pairwise(slots):
            assert earlier.end <= later.start
        # every slot lies inside its template's validity and its local weekday and hours
        by_pk = {t.pk: t for t in templates}
        for slot in slots:
            line = by_pk[slot.session.template_id]
            local_day = slot.start.astimezone(LONDON).date()
            assert local_day.weekday() == line.weekday
            assert line.valid_from <= local_day
            assert line.valid_until is None or local_day <= line.valid_until
            assert first <= local_day < first + datetime.timedelta(days=21)
            assert slot.session.start <= slot.start and slot.end <= slot.session.end
        # leave: a slot is withdrawn exactly when it overlaps leave
        for slot in slots:
            in_leave = any(a < slot.end and slot.start < b for a, b in spans)
            assert slot.withdrawn == in_leave
        # idempotent
        again = rota_generate(start=first, days=21)
        assert (again.sessions_created, again.slots_created) == (0, 0)
        assert len(again.conflicts) == len(result.conflicts)  # only the truly overlapping days
        assert Slot.objects.filter(clinician=world.gp).count() == len(slots)
        transaction.set_rollback(True)


def test_generate_slots_task_extends_the_rota(world, settings):
    from appointments import tasks

    settings.SLOT_HORIZON_DAYS = 7
    template(world, valid_from=datetime.date(2020, 1, 6), weekday=2)
    assert "1 sessions" in tasks.generate_slots()
    assert "0 sessions" in tasks.generate_slots(practice_id=world.practice.pk)


def test_template_refuses_a_type_the_clinicians_role_does_not_deliver(world):
    from django.core.exceptions import ValidationError

    bloods = AppointmentTypeFactory(practice=world.practice, name="Bloods", roles=["hca"])
    line = template(world, appointment_type=bloods)
    with pytest.raises(ValidationError, match="does not deliver Bloods"):
        line.full_clean()


def test_template_refuses_a_site_the_clinician_does_not_work_at(world):
    from django.core.exceptions import ValidationError

    line = template(world, site=world.partner_site)
    with pytest.raises(ValidationError, match="another practice"):
        line.full_clean()


def test_a_well_formed_template_passes_validation(world):
    template(world).full_clean()
