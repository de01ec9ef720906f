"""appointments.search: the slot pages PostgreSQL writes are the documented JSON, field by
field (the staff API's SlotOut, the patient API's slot_out), and the SQLite demo's Python
way writes the same."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from appointments import search
from appointments.models import Channel, Slot
from appointments.serializers import SlotOut
from online.api.me import slot_out
from staff.roles import Role
from tests.factories import AppointmentTypeFactory, StaffMemberFactory, UserFactory, future

pytestmark = pytest.mark.django_db

ORDER = ("start", "pk")


def staff_page(world: Any, **kwargs: Any) -> list[dict[str, Any]]:
    kwargs.setdefault("offset", 0)
    kwargs.setdefault("size", 50)
    page = search.staff_slot_page(practice=world.practice.pk, channel=Channel.RECEPTION, **kwargs)
    return list(json.loads(page.results_json))


@pytest.fixture
def varied(world: Any) -> list[Slot]:
    """Slots whose JSON is easy to get wrong: a GP (Dr), a nurse with no first name, a
    clinician with no name at all (username), a time with microseconds, summer and winter."""
    nurse = StaffMemberFactory(
        practice=world.practice, role=Role.NURSE, sites=[world.kennington], user__first_name=""
    )
    nameless = StaffMemberFactory(
        practice=world.practice,
        role=Role.PHYSIO,
        sites=[world.botley],
        user=UserFactory(first_name="", last_name="", username="physio-7"),
    )
    summer = timezone.localtime().replace(month=7, day=1, hour=9, minute=0, second=0)
    if summer <= timezone.now():
        summer = summer.replace(year=summer.year + 1)
    return [
        world.slot(start=future(2), online=True),
        world.slot(start=future(3), site_obj=world.kennington, clinician=nurse, federation=True),
        world.slot(start=future(4).replace(microsecond=500_000), clinician=nameless),
        world.slot(start=summer),
    ]


def test_staff_page_is_slot_out_field_by_field(world: Any, varied: list[Slot]) -> None:
    slots = Slot.objects.select_related("site", "clinician__user", "appointment_type")
    expected = SlotOut(slots.filter(pk__in=[s.pk for s in varied]).order_by(*ORDER), many=True)
    assert staff_page(world) == expected.data
    assert {row["clinician"]["name"] for row in staff_page(world)} >= {"physio-7"}


def test_the_python_way_writes_the_same_page(
    world: Any, varied: list[Slot], monkeypatch: pytest.MonkeyPatch
) -> None:
    by_postgres = staff_page(world)
    monkeypatch.setattr(search, "on_postgres", lambda: False)
    assert staff_page(world) == by_postgres


def test_pages_and_next(world: Any) -> None:
    slots = [world.slot(start=future(day)) for day in (2, 3, 4)]
    first = search.staff_slot_page(
        practice=world.practice.pk, channel=Channel.RECEPTION, offset=0, size=2
    )
    last = search.staff_slot_page(
        practice=world.practice.pk, channel=Channel.RECEPTION, offset=2, size=2
    )
    assert [s["id"] for s in json.loads(first.results_json)] == [slots[0].pk, slots[1].pk]
    assert first.has_next
    assert [s["id"] for s in json.loads(last.results_json)] == [slots[2].pk]
    assert not last.has_next


def test_an_empty_page_is_an_empty_list(world: Any) -> None:
    page = search.staff_slot_page(
        practice=world.practice.pk, channel=Channel.RECEPTION, offset=0, size=50
    )
    assert (page.results_json, page.has_next) == ("[]", False)


def test_the_page_follows_the_selectors_rules(world: Any) -> None:
    """Taken, embargoed, past and other practices' slots are not on the page."""
    free = world.slot(start=future(2))
    world.slot(start=future(3), booked=True)
    world.slot(start=future(4), release_at=timezone.now() + datetime.timedelta(days=1))
    world.slot(start=timezone.now() - datetime.timedelta(hours=1))
    world.slot(start=future(5), site_obj=world.stranger_site)
    assert [s["id"] for s in staff_page(world)] == [free.pk]


def online_page(practice: Any, **kwargs: Any) -> list[dict[str, Any]]:
    return list(json.loads(search.online_slot_page(practice=practice.pk, size=50, **kwargs)
                           .results_json))


def test_online_page_is_the_patient_apis_slot_out(world: Any, varied: list[Slot]) -> None:
    online = AppointmentTypeFactory(practice=world.practice, online_bookable=True)
    for slot in varied:
        Slot.objects.filter(pk=slot.pk).update(online=True, appointment_type=online)
    slots = Slot.objects.select_related("site", "appointment_type").order_by(*ORDER)
    from rest_framework.renderers import JSONRenderer

    expected = json.loads(JSONRenderer().render([slot_out(s) for s in slots]))
    assert online_page(world.practice) == expected


def test_online_python_way_writes_the_same(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    online = AppointmentTypeFactory(practice=world.practice, online_bookable=True)
    world.slot(start=future(2), online=True, appointment_type=online)
    world.slot(start=future(3).replace(microsecond=250), online=True, appointment_type=online)
    by_postgres = online_page(world.practice)
    monkeypatch.setattr(search, "on_postgres", lambda: False)
    assert online_page(world.practice) == by_postgres
    assert len(by_postgres) == 2


def test_online_page_shows_only_online_slots_of_online_types(world: Any) -> None:
    online = AppointmentTypeFactory(practice=world.practice, online_bookable=True)
    offline = AppointmentTypeFactory(practice=world.practice, online_bookable=False)
    shown = world.slot(start=future(2), online=True, appointment_type=online)
    world.slot(start=future(3), online=True, appointment_type=offline)
    world.slot(start=future(4), online=False, appointment_type=online)
    assert [s["id"] for s in online_page(world.practice)] == [shown.pk]


def test_the_browsable_api_still_renders_the_search(world: Any) -> None:
    world.slot(start=future(2))
    response = world.client().get("/api/v1/slots/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Botley Medical Centre" in response.content.decode()


@pytest.mark.parametrize("python_way", [False, True])
def test_an_id_no_row_can_have_gives_an_empty_page(
    world: Any, python_way: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site id beyond bigint matches nothing, as in the ORM: an empty page, not an error."""
    world.slot(start=future(2))
    if python_way:
        monkeypatch.setattr(search, "on_postgres", lambda: False)
    assert staff_page(world) != []
    assert staff_page(world, site=2**63) == []
    page = search.online_slot_page(practice=world.practice.pk, size=20, site=2**63)
    assert (json.loads(page.results_json), page.has_next) == ([], False)
