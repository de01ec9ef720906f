"""The manager searches the audit in words: NHS number or name, staff member, action, dates."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from audit.services import audit_write
from policy.actor import actor_for_user
from staff.roles import Role
from tests.factories import PatientFactory


def _page(client: Client, **query: str) -> Any:
    return client.get(reverse("manager:audit"), query)


def test_the_manager_finds_events_by_nhs_number_name_staff_and_action(world) -> None:
    nurse = world.staff(Role.NURSE)
    nurse.user.first_name, nurse.user.last_name = "Helen", "Marsh"
    nurse.user.save()
    other = PatientFactory.create(registered_practice=world.home, given_name="Zed",
                                  family_name="Quill")
    actor = actor_for_user(nurse.user)
    audit_write(actor=actor, action="view_summary", basis="own_practice", patient=world.patient)
    audit_write(actor=actor, action="booked", basis="own_practice", patient=other)
    manager = Client()
    manager.force_login(world.staff(Role.PRACTICE_MANAGER).user)

    def shown(**query: str) -> set[str]:
        body = _page(manager, **query).content.decode()
        return {name for name in (world.patient.full_name, "Zed Quill") if name in body}

    assert shown(patient=world.patient.nhs_number_display) == {world.patient.full_name}
    assert shown(patient="quill zed") == {"Zed Quill"}
    assert shown(staff="helen marsh") == {world.patient.full_name, "Zed Quill"}
    assert shown(staff="someone else") == set()
    assert shown(action="booked") == {"Zed Quill"}
    body = _page(manager, action="booked").content.decode()
    assert "Booked an appointment" in body and "Practice nurse" in body  # words, not codes


def test_a_receptionist_cannot_search_the_audit(world) -> None:
    reception = Client()
    reception.force_login(world.staff(Role.RECEPTIONIST).user)
    response = _page(reception, patient=world.patient.nhs_number)
    assert response.status_code == 403
    assert world.patient.family_name not in response.content.decode()
