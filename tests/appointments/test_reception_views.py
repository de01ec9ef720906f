"""Reception pages: the day book, booking, next available, changing appointments, patient
search and the patient page. Refusals, bad input and query counts included."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from appointments.models import Appointment, AppointmentStatus, Slot
from appointments.services.booking import appointment_book
from policy.actor import WORKING_SITE_SESSION_KEY
from staff.models import StaffMember
from staff.roles import Role
from tests.factories import PatientFactory, SlotFactory, StaffMemberFactory, future

pytestmark = pytest.mark.django_db


def signed_in(staff: StaffMember, site: Any = None) -> Client:
    client = Client()
    client.force_login(staff.user)
    session = client.session
    session[WORKING_SITE_SESSION_KEY] = (site or staff.sites.first()).pk
    session.save()
    return client


def book_url(**params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('reception-book')}?{query}"


# The day book --------------------------------------------------------------------------------


def test_day_book_shows_each_state_and_rule_in_words(world) -> None:
    day = future(1).date()
    free = world.slot(start=future(1, 9))
    online = world.slot(start=future(1, 10), online=True)
    federation = world.slot(start=future(1, 11), federation=True)
    embargoed = world.slot(
        start=future(1, 12), release_at=future(1, 8) + datetime.timedelta(minutes=30)
    )
    booked = world.slot(start=future(1, 13))
    cancelled = world.slot(start=future(1, 14))
    appointment_book(slot=booked, patient=world.patient, actor=world.actor())
    other = PatientFactory(registered_practice=world.practice)
    gone = appointment_book(slot=cancelled, patient=other, actor=world.actor())
    from appointments.services.booking import appointment_cancel

    appointment_cancel(appointment=gone, actor=world.actor(), by="patient", reason="Better")
    kennington_gp = StaffMemberFactory(practice=world.practice, role=Role.NURSE,
                                       sites=[world.kennington])
    world.slot(site_obj=world.kennington, clinician=kennington_gp, start=future(1, 9))

    response = signed_in(world.receptionist).get(book_url(date=day.isoformat()))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Botley Medical Centre" in html and "Kennington Health Centre" in html
    assert escape(kennington_gp.display_name) in html and escape(world.gp.display_name) in html
    assert escape(world.patient.full_name) in html  # booked, with the patient's name
    assert "Free (cancelled)" in html and escape(other.full_name) not in html
    assert "Reception only" in html and "Online" in html and "Federation" in html
    assert "Embargoed until 08:30" in html
    for slot in (free, online, federation, embargoed):
        assert reverse("reception-slot-book", args=[slot.pk]) in html
    assert reverse("reception-slot-book", args=[booked.pk]) not in html
    assert 'hx-trigger="every 10s' in html


def test_day_book_one_site_and_partial(world) -> None:
    day = future(1).date()
    world.slot(start=future(1, 9))
    nurse = StaffMemberFactory(  # a name the page must escape, as Faker sometimes gives
        practice=world.practice, role=Role.NURSE, sites=[world.kennington],
        user__last_name="O'Brien",
    )
    world.slot(site_obj=world.kennington, clinician=nurse, start=future(1, 9))
    client = signed_in(world.receptionist)
    response = client.get(book_url(date=day.isoformat(), site=world.kennington.pk, partial=1))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" not in html  # only the grid, for htmx to swap in
    assert escape(nurse.display_name) in html and escape(world.gp.display_name) not in html


def test_clinician_can_use_the_book(world) -> None:
    world.slot(start=future(1, 9))
    response = signed_in(world.gp).get(book_url(date=future(1).date().isoformat()))
    assert response.status_code == 200


def test_other_practice_cannot_open_our_sites(world) -> None:
    client = signed_in(world.stranger_receptionist)
    assert client.get(book_url(site=world.botley.pk)).status_code == 404
    # Without a site they see their own practice's book, never ours.
    world.slot(start=future(1, 9))
    html = client.get(book_url(date=future(1).date().isoformat())).content.decode()
    assert "Botley Medical Centre" not in html


def test_user_without_staff_membership_is_refused(world) -> None:
    client = Client()
    client.force_login(world.nobody)
    assert client.get(book_url()).status_code == 403


def test_bad_date_is_a_400_with_a_message(world) -> None:
    response = signed_in(world.receptionist).get(book_url(date="31-02-2026"))
    assert response.status_code == 400
    assert "is not a date" in response.content.decode()
    response = signed_in(world.receptionist).get(book_url(site="botley"))
    assert response.status_code == 400


def _clinicians_with_slots(world: Any, count: int) -> None:
    for i in range(count):
        site = world.botley if i % 2 else world.kennington
        clinician = StaffMemberFactory(practice=world.practice, role=Role.GP, sites=[site])
        for hour in (9, 10):
            SlotFactory(site_obj=site, clinician=clinician, start=future(1, hour))


def test_day_book_query_count_does_not_grow_with_clinicians(
    world, django_assert_num_queries
) -> None:
    client = signed_in(world.receptionist)
    url = book_url(date=future(1).date().isoformat())
    _clinicians_with_slots(world, 2)
    # One appointment shown in both: its patient's audit event is one insert either way.
    slot = Slot.objects.filter(site=world.botley).first()
    appointment_book(slot=slot, patient=world.patient, actor=world.actor())
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _clinicians_with_slots(world, 38)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("<caption") == 40


# Booking ------------------------------------------------------------------------------------


def test_book_a_free_slot_for_a_patient(world) -> None:
    slot = world.slot(site_obj=world.kennington, start=future(1, 9))
    client = signed_in(world.receptionist, world.botley)
    url = reverse("reception-slot-book", args=[slot.pk])
    page = client.get(f"{url}?patient={world.patient.pk}")
    assert page.status_code == 200 and escape(world.patient.full_name) in page.content.decode()
    response = client.post(url, {"patient": world.patient.pk, "note": "Wheelchair user"})
    assert response.status_code == 302
    appointment = Appointment.objects.get(slot=slot)
    assert appointment.patient == world.patient and appointment.note == "Wheelchair user"
    assert appointment.booked_from_site == world.botley


def test_taken_slot_says_so_and_offers_the_next_ones(world) -> None:
    slot = world.slot(start=future(1, 9))
    later = world.slot(start=future(1, 10), appointment_type=slot.appointment_type)
    appointment_book(slot=slot, patient=PatientFactory(registered_practice=world.practice),
                     actor=world.actor())
    response = signed_in(world.receptionist).post(
        reverse("reception-slot-book", args=[slot.pk]), {"patient": world.patient.pk}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "That slot has just been booked by someone else" in html
    assert reverse("reception-slot-book", args=[later.pk]) in html


def test_embargoed_slot_needs_a_reason(world) -> None:
    slot = world.slot(start=future(2, 9), release_at=future(2, 8))
    client = signed_in(world.receptionist)
    url = reverse("reception-slot-book", args=[slot.pk])
    response = client.post(url, {"patient": world.patient.pk})
    assert response.status_code == 400
    assert "give a reason for overriding the embargo" in response.content.decode()
    assert not Appointment.objects.filter(slot=slot).exists()
    response = client.post(url, {"patient": world.patient.pk,
                                 "embargo_override_reason": "GP asked for review"})
    assert response.status_code == 302
    assert Appointment.objects.get(slot=slot).embargo_override_reason == "GP asked for review"


def test_booking_without_patient_or_with_a_bad_one_is_400(world) -> None:
    slot = world.slot(start=future(1, 9))
    client = signed_in(world.receptionist)
    url = reverse("reception-slot-book", args=[slot.pk])
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"patient": "abc"}).status_code == 400


def test_other_practice_cannot_book_our_slots_or_our_patients(world) -> None:
    slot = world.slot(start=future(1, 9))
    client = signed_in(world.stranger_receptionist)
    assert client.get(reverse("reception-slot-book", args=[slot.pk])).status_code == 404
    own = SlotFactory(site_obj=world.stranger_site, start=future(1, 9))
    response = client.post(reverse("reception-slot-book", args=[own.pk]),
                           {"patient": world.patient.pk})
    assert response.status_code == 403


def test_next_available_across_both_sites(world) -> None:
    early = world.slot(site_obj=world.kennington, start=future(1, 9))
    late = world.slot(start=future(1, 11))
    client = signed_in(world.receptionist)
    url = reverse("reception-next-available")
    response = client.get(url, {"search": 1, "role": Role.GP, "patient": world.patient.pk})
    assert response.status_code == 200
    html = response.content.decode()
    first = html.index(reverse("reception-slot-book", args=[early.pk]))
    assert first < html.index(reverse("reception-slot-book", args=[late.pk]))
    only_botley = client.get(url, {"search": 1, "site": world.botley.pk}).content.decode()
    assert reverse("reception-slot-book", args=[early.pk]) not in only_botley
    assert client.get(url, {"search": 1, "role": "wizard"}).status_code == 400
    assert client.get(url, {"search": 1, "site": world.stranger_site.pk}).status_code == 400


# Changing an appointment --------------------------------------------------------------------


def test_cancel_needs_a_reason_then_frees_the_slot(world) -> None:
    slot = world.slot(start=future(1, 9))
    appointment = appointment_book(slot=slot, patient=world.patient, actor=world.actor())
    client = signed_in(world.receptionist)
    url = reverse("reception-appointment", args=[appointment.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "cancel", "by": "patient", "reason": ""})
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    assert client.post(url, {"action": "cancel", "by": "patient", "reason": "Feels better"}
                       ).status_code == 302
    appointment.refresh_from_db()
    slot.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_PATIENT and not slot.booked


def test_note_arrived_and_dna(world) -> None:
    now_slot = world.slot(start=timezone.now() + datetime.timedelta(minutes=5))
    appointment = appointment_book(slot=now_slot, patient=world.patient, actor=world.actor())
    client = signed_in(world.receptionist)
    url = reverse("reception-appointment", args=[appointment.pk])
    assert client.post(url, {"action": "note", "note": "Bring inhaler"}).status_code == 302
    response = client.post(url, {"action": "dna"})
    assert response.status_code == 409 and "has not started yet" in response.content.decode()
    assert client.post(url, {"action": "arrived"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.note == "Bring inhaler" and appointment.status == AppointmentStatus.ARRIVED
    assert client.post(url, {"action": "teleport"}).status_code == 400


def test_move_to_another_slot(world) -> None:
    slot = world.slot(start=future(1, 9))
    target = world.slot(site_obj=world.kennington, start=future(1, 15))
    appointment = appointment_book(slot=slot, patient=world.patient, actor=world.actor())
    client = signed_in(world.receptionist)
    finder = client.get(reverse("reception-next-available"),
                        {"search": 1, "reschedule": appointment.pk}).content.decode()
    move_url = reverse("reception-appointment-move", args=[appointment.pk, target.pk])
    assert move_url in finder
    assert client.post(move_url).status_code == 302
    appointment.refresh_from_db()
    assert appointment.slot == target and appointment.site == world.kennington


def test_other_practice_cannot_see_or_change_our_appointments(world) -> None:
    slot = world.slot(start=future(1, 9))
    appointment = appointment_book(slot=slot, patient=world.patient, actor=world.actor())
    client = signed_in(world.stranger_receptionist)
    url = reverse("reception-appointment", args=[appointment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "arrived"}).status_code == 404


# Patients -----------------------------------------------------------------------------------


def test_patient_search_full_page_and_partial(world) -> None:
    ada = PatientFactory(registered_practice=world.practice, given_name="Ada",
                         family_name="Lovelace")
    PatientFactory(registered_practice=world.stranger, given_name="Ada", family_name="Lovelock")
    client = signed_in(world.receptionist)
    url = reverse("reception-patient-search")
    response = client.get(url, {"q": "ada lov"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html and "Lovelock" not in html
    assert reverse("reception-patient", args=[ada.pk]) in html
    partial = client.get(url, {"q": ada.nhs_number, "partial": 1}).content.decode()
    assert "Ada Lovelace" in partial and "<h1" not in partial
    chooser = client.get(url, {"q": "lovelace", "partial": 1, "choose": 7}).content.decode()
    assert reverse("reception-slot-book", args=[7]) + f"?patient={ada.pk}" in chooser


def test_patient_search_bad_input(world) -> None:
    client = signed_in(world.receptionist)
    url = reverse("reception-patient-search")
    response = client.get(url, {"q": "a"})
    assert response.status_code == 400 and "at least 2 letters" in response.content.decode()
    partial = client.get(url, {"q": "a", "partial": 1})
    assert partial.status_code == 200 and "at least 2 letters" in partial.content.decode()


def test_patient_search_query_count(world, django_assert_max_num_queries) -> None:
    for i in range(30):
        PatientFactory(registered_practice=world.practice, family_name=f"Smithson{i}")
    client = signed_in(world.receptionist)
    client.get(reverse("reception-patient-search"))
    # session, user, staff, site check, search (savepoint, SET LOCAL jit, select, release),
    # header sites, session save, one insert of the results' audit events: fixed whatever
    # the number of results.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("reception-patient-search"), {"q": "smithson"})
    assert response.content.decode().count("Smithson") >= 30


def test_patient_page(world) -> None:
    slot = world.slot(start=future(1, 9))
    appointment_book(slot=slot, patient=world.patient, actor=world.actor())
    response = signed_in(world.receptionist).get(
        reverse("reception-patient", args=[world.patient.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert world.patient.nhs_number_display in html
    assert reverse("staff-patient-registration-letter", args=[world.patient.pk]) in html
    assert reverse("staff-patient-proxy-access", args=[world.patient.pk]) in html
    assert reverse("reception-appointment", args=[slot.appointments.get().pk]) in html


def test_patient_page_of_another_practice_is_refused(world) -> None:
    client = signed_in(world.receptionist)
    assert client.get(reverse("reception-patient", args=[world.stranger_patient.pk])
                      ).status_code == 403
    assert client.get(reverse("reception-patient", args=[999999])).status_code == 404


def test_a_bad_date_in_the_live_refresh_answers_with_the_message_alone(client, world) -> None:
    # htmx swaps a 400 into the grid (the page shows every refusal), so it must be a fragment.
    client.force_login(world.receptionist.user)
    response = client.get("/reception/book/?date=2026-02-30&partial=1")
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" not in body and "nhsuk-error-message" in body
