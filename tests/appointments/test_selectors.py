"""The free-slot search and its availability rules, per channel."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from appointments.models import Channel, Mode
from appointments.selectors import appointments_for, slot_next_available, slots_available
from appointments.services.booking import appointment_book, appointment_cancel
from common.errors import PermissionRefused, ServiceError
from policy.appointments import search_channel
from tests.factories import AppointmentTypeFactory, PatientFactory, future

NOW = timezone.now()


def search(world, channel=Channel.RECEPTION, **kwargs):
    return list(slots_available(practice=world.practice, channel=channel, **kwargs))


def test_free_slots_are_listed_earliest_first(world):
    later = world.slot(start=future(3))
    earlier = world.slot(start=future(2))
    assert search(world) == [earlier, later]


def test_next_available_is_the_earliest_free_slot(world):
    world.slot(start=future(3))
    earliest = world.slot(start=future(2))
    assert slot_next_available(practice=world.practice, channel=Channel.RECEPTION) == earliest


def test_booked_slots_are_not_listed_and_cancelled_ones_come_back(world):
    slot = world.slot()
    appointment = appointment_book(slot=slot, patient=world.patient, actor=world.actor())
    assert search(world) == []
    appointment_cancel(appointment=appointment, actor=world.actor(), by="patient", reason="x")
    assert search(world) == [slot]


def test_past_and_withdrawn_slots_are_not_listed(world):
    world.slot(start=timezone.now() - datetime.timedelta(minutes=5))
    world.slot(withdrawn=True)
    assert search(world) == []


def test_other_practices_slots_are_not_listed(world):
    world.slot(site_obj=world.partner_site)
    assert search(world) == []


def test_filters_by_site_role_clinician_type_mode_and_dates(world):
    video = AppointmentTypeFactory(practice=world.practice, mode=Mode.VIDEO)
    a = world.slot(start=future(2))
    b = world.slot(start=future(4), site_obj=world.kennington, appointment_type=video)
    assert search(world, site=world.kennington) == [b]
    assert search(world, role="gp") == [a, b]
    assert search(world, role="nurse") == []
    assert search(world, clinician=world.gp) == [a, b]
    assert search(world, appointment_type=video) == [b]
    assert search(world, mode=Mode.VIDEO) == [b]
    assert search(world, after=future(3)) == [b]
    assert search(world, before=future(3)) == [a]


# ---- channels ---------------------------------------------------------------------------------


def test_reception_sees_reception_only_slots(world):
    slot = world.slot(online=False, federation=False)
    assert search(world, channel=Channel.RECEPTION) == [slot]


def test_online_sees_only_online_slots_of_online_bookable_types(world):
    bookable = AppointmentTypeFactory(practice=world.practice, online_bookable=True)
    not_bookable = AppointmentTypeFactory(practice=world.practice, online_bookable=False)
    visible = world.slot(online=True, appointment_type=bookable)
    world.slot(online=True, appointment_type=not_bookable)
    world.slot(online=False, appointment_type=bookable)
    assert search(world, channel=Channel.ONLINE) == [visible]


def test_federation_sees_only_federation_slots(world):
    shared = world.slot(federation=True)
    world.slot(federation=False, online=True)
    assert search(world, channel=Channel.FEDERATION) == [shared]


def test_search_channel_is_reception_for_own_practice(world):
    channel = search_channel(
        world.actor(), practice_id=world.practice.pk, federation_id=world.practice.federation_id
    )
    assert channel == Channel.RECEPTION


def test_search_channel_is_federation_for_a_partner_practice(world):
    channel = search_channel(
        world.actor(world.partner_receptionist),
        practice_id=world.practice.pk,
        federation_id=world.practice.federation_id,
    )
    assert channel == Channel.FEDERATION


def test_search_is_refused_to_an_unrelated_practice(world):
    with pytest.raises(PermissionRefused):
        search_channel(
            world.actor(world.stranger_receptionist),
            practice_id=world.practice.pk,
            federation_id=world.practice.federation_id,
        )


# ---- embargo ----------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", [Channel.RECEPTION, Channel.ONLINE, Channel.FEDERATION])
def test_embargoed_slots_are_hidden_from_every_channel(world, channel):
    kind = AppointmentTypeFactory(practice=world.practice, online_bookable=True)
    world.slot(
        online=True,
        federation=True,
        appointment_type=kind,
        release_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert search(world, channel=channel) == []


def test_slot_appears_at_the_exact_release_second(world):
    release = future(1, 8)
    slot = world.slot(start=future(1, 9), release_at=release)
    before = release - datetime.timedelta(seconds=1)
    assert list(slots_available(practice=world.practice, channel="reception", now=before)) == []
    assert list(slots_available(practice=world.practice, channel="reception", now=release)) == [
        slot
    ]


def test_embargoed_slot_cannot_be_booked_without_a_reason(world):
    slot = world.slot(release_at=timezone.now() + datetime.timedelta(hours=1))
    with pytest.raises(ServiceError, match="not released until") as excinfo:
        appointment_book(slot=slot, patient=world.patient, actor=world.actor())
    assert excinfo.value.code == "embargoed"


def test_staff_override_an_embargo_with_a_reason_which_is_recorded(world):
    slot = world.slot(release_at=timezone.now() + datetime.timedelta(hours=1))
    appointment = appointment_book(
        slot=slot,
        patient=world.patient,
        actor=world.actor(),
        embargo_override_reason="Urgent: GP asked for today",
    )
    assert appointment.embargo_override_reason == "Urgent: GP asked for today"
    assert appointment.events.get().detail["embargo_override_reason"] == (
        "Urgent: GP asked for today"
    )


def test_reason_is_not_recorded_as_an_override_for_a_released_slot(world):
    slot = world.slot(release_at=timezone.now() - datetime.timedelta(hours=1))
    appointment = appointment_book(
        slot=slot, patient=world.patient, actor=world.actor(), embargo_override_reason="why"
    )
    assert appointment.embargo_override_reason == ""


def test_released_slot_books_at_the_exact_release_second(world):
    release = future(1, 8)
    slot = world.slot(start=future(1, 9), release_at=release)
    with pytest.raises(ServiceError, match="not released"):
        appointment_book(
            slot=slot,
            patient=world.patient,
            actor=world.actor(),
            now=release - datetime.timedelta(seconds=1),
        )
    assert appointment_book(slot=slot, patient=world.patient, actor=world.actor(), now=release)


def test_federation_staff_can_never_override_an_embargo(world):
    slot = world.slot(federation=True, release_at=timezone.now() + datetime.timedelta(hours=1))
    with pytest.raises(PermissionRefused, match="Only the practice's own staff"):
        appointment_book(
            slot=slot,
            patient=world.partner_patient,
            actor=world.actor(world.partner_receptionist),
            embargo_override_reason="Hub is busy",
        )


def test_federation_staff_book_federation_slots_for_their_patients(world):
    slot = world.slot(federation=True)
    appointment = appointment_book(
        slot=slot, patient=world.partner_patient, actor=world.actor(world.partner_receptionist)
    )
    assert appointment.channel == Channel.FEDERATION


def test_federation_staff_cannot_book_reception_only_slots(world):
    slot = world.slot(federation=False)
    with pytest.raises(PermissionRefused, match="not offered to other organisations"):
        appointment_book(
            slot=slot,
            patient=world.partner_patient,
            actor=world.actor(world.partner_receptionist),
        )


def test_federation_staff_cannot_book_patients_outside_the_federation(world):
    slot = world.slot(federation=True)
    with pytest.raises(PermissionRefused, match="same federation"):
        appointment_book(
            slot=slot,
            patient=world.stranger_patient,
            actor=world.actor(world.partner_receptionist),
        )


def test_nobody_can_book_through_the_online_channel_until_patient_accounts_exist(world):
    kind = AppointmentTypeFactory(practice=world.practice, online_bookable=True)
    slot = world.slot(online=True, appointment_type=kind)
    with pytest.raises(PermissionRefused):
        appointment_book(
            slot=slot, patient=world.patient, actor=world.actor(), channel=Channel.ONLINE
        )


# ---- performance ------------------------------------------------------------------------------


def test_search_is_one_query(world, django_assert_num_queries):
    for day in range(2, 8):
        world.slot(start=future(day))
    with django_assert_num_queries(1):
        rows = search(world, site=world.botley, role="gp")
        [(r.site.name, r.clinician.display_name, r.appointment_type.name) for r in rows]


def test_booking_query_count_is_bounded(world, django_assert_max_num_queries):
    slot = world.slot()
    patient = PatientFactory(registered_practice=world.practice)
    actor = world.actor()
    slot = type(slot).objects.select_related("practice", "appointment_type").get(pk=slot.pk)
    # 7 for the booking itself + the reminder policy and the outbox insert.
    with django_assert_max_num_queries(9):
        appointment_book(slot=slot, patient=patient, actor=actor)


@pytest.mark.parametrize(
    "filters,index",
    [
        ({}, "slot_open_practice_start"),
        ({"site": "botley"}, "slot_open_site_start"),
        ({"channel": Channel.ONLINE}, "slot_open_online_start"),
        ({"channel": Channel.FEDERATION}, "slot_open_federation_start"),
    ],
)
def test_search_uses_an_open_slot_index(world, filters, index):
    world.slot()
    filters = {"channel": Channel.RECEPTION, **filters}
    if "site" in filters:
        filters["site"] = world.botley
    qs = slots_available(practice=world.practice, **filters)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = qs.explain()
    assert index in plan


def test_appointments_for_lists_by_patient_site_and_day(world):
    slot = world.slot(start=future(2))
    other_day = world.slot(start=future(3), site_obj=world.kennington)
    mine = appointment_book(slot=slot, patient=world.patient, actor=world.actor())
    appointment_book(slot=other_day, patient=world.patient, actor=world.actor())
    practice_ids = [world.practice.pk]
    assert list(appointments_for(practice_ids=practice_ids, date=future(2).date())) == [mine]
    assert len(appointments_for(practice_ids=practice_ids, patient=world.patient)) == 2
    assert len(appointments_for(practice_ids=practice_ids, site=world.kennington)) == 1
    assert list(appointments_for(practice_ids=[world.stranger.pk])) == []
