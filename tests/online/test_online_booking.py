"""Online booking by patients and proxies: the same booking service as reception, the online
channel's limit and embargo, and the pages and API that call them."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from appointments.models import Appointment, AppointmentStatus, Channel
from appointments.selectors import online_slots
from appointments.services.booking import appointment_book, appointment_cancel
from common.errors import PermissionRefused, ServiceError
from online.models import ProxyAccess
from policy import appointments as policy
from policy.actor import actor_for_user
from staff.roles import Role
from tests.factories import (
    AppointmentTypeFactory,
    SiteFactory,
    SlotFactory,
    StaffMemberFactory,
    future,
)
from tests.online.conftest import PatientFactory, make_account, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def kennington(practice: Any) -> Any:
    return SiteFactory(practice=practice, name="Kennington Health Centre",
                       address_line1="200 Kennington Road", town="Oxford")


@pytest.fixture
def physio(practice: Any, kennington: Any) -> Any:
    member = StaffMemberFactory(practice=practice, role=Role.PHYSIO, sites=[kennington])
    member.user.first_name, member.user.last_name = "Priya", "Quennell"
    member.user.save()
    return member


@pytest.fixture
def physio_type(practice: Any) -> Any:
    return AppointmentTypeFactory(practice=practice, name="Physiotherapy assessment",
                                  online_bookable=True, roles=[Role.PHYSIO])


def online_slot(site: Any, clinician: Any, kind: Any, **kwargs: Any) -> Any:
    return SlotFactory(site_obj=site, clinician=clinician, appointment_type=kind, online=True,
                       **kwargs)


def patient_actor(account: Any, patient: Any = None) -> Any:
    actor = actor_for_user(account.user)
    if patient is not None:
        actor = dataclasses.replace(actor, requested_patient_id=patient.pk)
    return actor


# ---- policy and service --------------------------------------------------------------------


def test_a_patient_books_their_own_online_slot_through_the_booking_service(
    account, kennington, physio, physio_type
) -> None:
    slot = online_slot(kennington, physio, physio_type)
    actor = patient_actor(account)
    assert policy.actor_patient_id(actor) == account.patient_id
    appointment = appointment_book(slot=slot, patient=account.patient, actor=actor,
                                   channel=Channel.ONLINE)
    assert appointment.channel == Channel.ONLINE
    assert appointment.booked_by == account.user and appointment.booked_from_site_id is None


def test_a_patient_cannot_book_for_someone_else(account, other_account, kennington, physio,
                                                physio_type) -> None:
    slot = online_slot(kennington, physio, physio_type)
    with pytest.raises(PermissionRefused, match="only book for yourself"):
        appointment_book(slot=slot, patient=other_account.patient, actor=patient_actor(account))
    assert not Appointment.objects.exists()


def test_slots_not_offered_online_cannot_be_booked_online(account, kennington, physio,
                                                          physio_type) -> None:
    staff_only = SlotFactory(site_obj=kennington, clinician=physio, appointment_type=physio_type,
                             online=False)
    with pytest.raises(PermissionRefused, match="cannot be booked online"):
        appointment_book(slot=staff_only, patient=account.patient, actor=patient_actor(account))


def test_a_proxy_books_for_the_patient_they_act_for(practice, account, kennington, physio,
                                                    physio_type, receptionist) -> None:
    child: Any = PatientFactory(registered_practice=practice, given_name="Milo")
    ProxyAccess.objects.create(grantee=account.user, patient=child,
                               granted_by=receptionist.user, reason="Parent",
                               starts_at=timezone.now() - datetime.timedelta(days=1))
    slot = online_slot(kennington, physio, physio_type)
    actor = patient_actor(account, child)
    appointment = appointment_book(slot=slot, patient=child, actor=actor, channel="online")
    assert appointment.patient == child and appointment.channel == Channel.ONLINE
    # ...but not for their own record while acting for the child,
    with pytest.raises(PermissionRefused):
        appointment_book(slot=online_slot(kennington, physio, physio_type),
                         patient=account.patient, actor=actor)
    # and the grant revoked, the child is out of reach.
    ProxyAccess.objects.filter(patient=child).update(
        revoked_at=timezone.now(), revoked_by=receptionist.user, revoke_reason="Ended")
    with pytest.raises(PermissionRefused):
        appointment_book(slot=online_slot(kennington, physio, physio_type), patient=child,
                         actor=patient_actor(account, child))


def test_staff_with_a_patient_account_are_still_staff(account, practice) -> None:
    StaffMemberFactory(practice=practice, user=account.user, role=Role.RECEPTIONIST)
    assert policy.actor_patient_id(actor_for_user(account.user)) is None


def test_the_online_limit_on_future_appointments(settings, account, kennington, physio,
                                                 physio_type) -> None:
    settings.PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS = 2
    actor = patient_actor(account)
    first = appointment_book(slot=online_slot(kennington, physio, physio_type),
                             patient=account.patient, actor=actor)
    appointment_book(slot=online_slot(kennington, physio, physio_type), patient=account.patient,
                     actor=actor)
    third = online_slot(kennington, physio, physio_type)
    with pytest.raises(PermissionRefused, match="at most 2 future appointments"):
        appointment_book(slot=third, patient=account.patient, actor=actor)
    third.refresh_from_db()
    assert not third.booked
    # Cancelling one makes room again.
    appointment_cancel(appointment=first, actor=actor, by="patient", reason="Feeling better")
    appointment_book(slot=third, patient=account.patient, actor=actor)
    settings.PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS = 3
    appointment_book(slot=online_slot(kennington, physio, physio_type), patient=account.patient,
                     actor=actor)


def test_the_limit_does_not_bind_reception(settings, account, kennington, physio, physio_type,
                                           receptionist) -> None:
    settings.PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS = 1
    staff = actor_for_user(receptionist.user)
    for _ in range(2):
        appointment_book(slot=online_slot(kennington, physio, physio_type),
                         patient=account.patient, actor=staff)
    with pytest.raises(PermissionRefused, match="at most 1 future appointment booked"):
        appointment_book(slot=online_slot(kennington, physio, physio_type),
                         patient=account.patient, actor=patient_actor(account))


def test_an_embargo_is_respected_to_the_second(account, kennington, physio, physio_type) -> None:
    release = future(1, 8)
    slot = online_slot(kennington, physio, physio_type, start=future(3, 10),
                       end=future(3, 10) + datetime.timedelta(minutes=10), release_at=release)
    just_before = release - datetime.timedelta(seconds=1)
    assert slot not in online_slots(patient=account.patient, now=just_before)
    assert slot in online_slots(patient=account.patient, now=release)
    with pytest.raises(ServiceError, match="not released until"):
        appointment_book(slot=slot, patient=account.patient, actor=patient_actor(account),
                         now=just_before)
    with pytest.raises(PermissionRefused, match="Only the practice's own staff"):
        appointment_book(slot=slot, patient=account.patient, actor=patient_actor(account),
                         now=just_before, embargo_override_reason="I really need it")
    appointment = appointment_book(slot=slot, patient=account.patient,
                                   actor=patient_actor(account), now=release)
    assert appointment.status == AppointmentStatus.BOOKED


# ---- pages --------------------------------------------------------------------------------


def test_book_see_and_cancel_on_the_pages(account, kennington, physio, physio_type,
                                          django_assert_max_num_queries) -> None:
    slot = online_slot(kennington, physio, physio_type)
    for _ in range(5):  # more slots and appointments cost no more queries
        online_slot(kennington, physio, physio_type)
    client = signed_in(account)
    page = client.get("/patient/book/")
    assert page.status_code == 200 and "Physiotherapy assessment" in page.content.decode()
    with django_assert_max_num_queries(16):
        listed = client.get(f"/patient/book/?appointment_type={physio_type.pk}&site=")
    body = listed.content.decode()
    assert f"/patient/book/{slot.pk}/" in body
    assert "Kennington Health Centre" in body and "200 Kennington Road" in body
    assert "physiotherapist" in body
    assert "Quennell" not in body and "Priya" not in body  # the role, never the name

    confirm = client.get(f"/patient/book/{slot.pk}/")
    assert confirm.status_code == 200
    response = client.post(f"/patient/book/{slot.pk}/")
    assert response.status_code == 302 and response["Location"] == "/patient/appointments/"
    appointment = Appointment.objects.get(patient=account.patient)
    assert appointment.channel == Channel.ONLINE

    with django_assert_max_num_queries(16):
        mine = client.get("/patient/appointments/").content.decode()
    assert "Physiotherapy assessment" in mine and f"/appointments/{appointment.pk}/cancel/" in mine

    empty = client.post(f"/patient/appointments/{appointment.pk}/cancel/", {"reason": " "})
    assert empty.status_code == 400 and "Tell us why you are cancelling" in empty.content.decode()
    done = client.post(f"/patient/appointments/{appointment.pk}/cancel/",
                       {"reason": "Feeling better"})
    assert done.status_code == 302
    appointment.refresh_from_db()
    slot.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_PATIENT
    assert appointment.cancel_reason == "Feeling better" and not slot.booked
    again = client.get("/patient/appointments/").content.decode()
    assert "cancelled by patient" in again


def test_bad_search_input_is_a_400_not_a_500(account, physio_type) -> None:
    client = signed_in(account)
    response = client.get("/patient/book/?appointment_type=abc&after=31/02/2026")
    assert response.status_code == 400
    assert "nhsuk-error-summary" in response.content.decode()


def test_the_limit_message_is_shown_on_the_page(settings, account, kennington, physio,
                                                physio_type) -> None:
    settings.PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS = 1
    client = signed_in(account)
    client.post(f"/patient/book/{online_slot(kennington, physio, physio_type).pk}/")
    response = client.post(f"/patient/book/{online_slot(kennington, physio, physio_type).pk}/")
    assert response.status_code == 403
    assert "at most 1 future appointment booked online" in response.content.decode()


def test_a_slot_someone_else_took_is_gone_from_the_page(account, other_account, kennington,
                                                        physio, physio_type) -> None:
    slot = online_slot(kennington, physio, physio_type)
    appointment_book(slot=slot, patient=other_account.patient, actor=patient_actor(other_account))
    assert signed_in(account).post(f"/patient/book/{slot.pk}/").status_code == 404


# ---- API --------------------------------------------------------------------------------


def api(account: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(account.user)
    return client


def test_api_slots_book_list_cancel(account, kennington, physio, physio_type, practice) -> None:
    slot = online_slot(kennington, physio, physio_type)
    botley = practice.sites.get(name="Botley")
    client = api(account)
    slots = client.get(f"/api/v1/me/slots/?type={physio_type.pk}").json()["results"]
    assert [s["id"] for s in slots] == [slot.pk]
    assert slots[0]["role"] == "physio" and slots[0]["site"]["name"] == "Kennington Health Centre"
    assert "clinician" not in slots[0]
    assert client.get(f"/api/v1/me/slots/?site={botley.pk}").json()["results"] == []
    assert client.get("/api/v1/me/slots/?date=tomorrow").status_code == 400

    booked = client.post("/api/v1/me/appointments/", {"slot": slot.pk}, format="json")
    assert booked.status_code == 201, booked.json()
    listed = client.get("/api/v1/me/appointments/").json()
    assert [a["id"] for a in listed["upcoming"]] == [booked.json()["id"]]
    assert client.post(f"/api/v1/me/appointments/{booked.json()['id']}/cancel/", {},
                       format="json").status_code == 400
    cancelled = client.post(f"/api/v1/me/appointments/{booked.json()['id']}/cancel/",
                            {"reason": "Cannot make it"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled_patient"
    listed = client.get("/api/v1/me/appointments/").json()
    assert listed["upcoming"] == [] and listed["past"][0]["status"] == "cancelled_patient"


def test_api_limit_is_a_403_with_the_message(settings, account, kennington, physio,
                                             physio_type) -> None:
    settings.PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS = 1
    client = api(account)
    first = online_slot(kennington, physio, physio_type)
    second = online_slot(kennington, physio, physio_type)
    assert client.post("/api/v1/me/appointments/", {"slot": first.pk},
                       format="json").status_code == 201
    refused = client.post("/api/v1/me/appointments/", {"slot": second.pk}, format="json")
    assert refused.status_code == 403 and "at most 1" in refused.json()["message"]


def test_a_patient_of_another_practice_sees_no_slots_here(kennington, physio, physio_type) -> None:
    elsewhere = make_account(PatientFactory(), "elsewhere@example.com")
    slot = online_slot(kennington, physio, physio_type)
    client = api(elsewhere)
    assert client.get("/api/v1/me/slots/").json()["results"] == []
    assert client.post("/api/v1/me/appointments/", {"slot": slot.pk},
                       format="json").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_simultaneous_online_bookings_cannot_overrun_the_limit(settings, account, kennington,
                                                               physio, physio_type) -> None:
    """Real threads on PostgreSQL: with a limit of 1, five bookings of five different slots
    by one patient at the same moment give exactly one appointment."""
    import threading

    from django.db import connection

    settings.PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS = 1
    slots = [
        online_slot(kennington, physio, physio_type, start=future(days=2 + n, hour=9))
        for n in range(5)
    ]
    barrier = threading.Barrier(len(slots))
    outcomes: list[str] = []

    def attempt(slot: Any) -> None:
        try:
            actor = patient_actor(account)
            barrier.wait()
            appointment_book(slot=slot, patient=account.patient, actor=actor)
            outcomes.append("booked")
        except PermissionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(slot,)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked"] + ["refused"] * 4
    assert Appointment.objects.filter(patient=account.patient,
                                      status=AppointmentStatus.BOOKED).count() == 1


def test_api_a_slot_taken_meanwhile_is_a_409_not_a_404(
    account, other_account, kennington, physio, physio_type
) -> None:
    slot = online_slot(kennington, physio, physio_type)
    assert api(other_account).post("/api/v1/me/appointments/", {"slot": slot.pk},
                                   format="json").status_code == 201
    late = api(account).post("/api/v1/me/appointments/", {"slot": slot.pk}, format="json")
    assert late.status_code == 409
    assert "just been booked by someone else" in late.json()["message"]


def test_api_slots_not_offered_online_stay_hidden(account, kennington, physio, physio_type,
                                                  practice) -> None:
    """Reception-only, embargoed and past slots answer 404, as if they did not exist."""
    reception_only = SlotFactory(site_obj=kennington, clinician=physio,
                                 appointment_type=physio_type, online=False)
    embargoed = online_slot(kennington, physio, physio_type)
    embargoed.release_at = timezone.now() + datetime.timedelta(days=1)
    embargoed.save()
    client = api(account)
    for slot in (reception_only, embargoed):
        assert client.post("/api/v1/me/appointments/", {"slot": slot.pk},
                           format="json").status_code == 404
    assert not Appointment.objects.filter(patient=account.patient).exists()


def test_api_with_a_token_a_patient_search_and_booking_cost_few_queries(
    account, kennington, physio, physio_type, django_assert_max_num_queries
) -> None:
    """The token query also loads the patient account, so the actor needs no query of its own:
    search = token, patient, slots; booking = token, patient, slot, lock, limit, claim and
    insert, audit event, reminder policy, messages."""
    from rest_framework.authtoken.models import Token

    slot = online_slot(kennington, physio, physio_type)
    token, _ = Token.objects.get_or_create(user=account.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with django_assert_max_num_queries(3):
        listed = client.get("/api/v1/me/slots/")
    assert [s["id"] for s in listed.json()["results"]] == [slot.pk]
    # (Under the test's own transaction the booking's is a savepoint: two more statements.)
    with django_assert_max_num_queries(11):
        booked = client.post("/api/v1/me/appointments/", {"slot": slot.pk}, format="json")
    assert booked.status_code == 201, booked.json()


def test_api_absurd_ids_are_bad_input_not_server_errors(account) -> None:
    client = api(account)
    huge = 2**70
    assert client.post("/api/v1/me/appointments/", {"slot": huge}, format="json").status_code == 400
    assert client.get(f"/api/v1/me/slots/?site={huge}").status_code == 400
    assert client.get(f"/api/v1/me/slots/?type={huge}").status_code == 400
    assert client.get(f"/api/v1/me/slots/?patient={huge}").status_code == 404
