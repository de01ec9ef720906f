"""Finding 5: the refusal and break-glass page never names the patient to someone who has no
relationship with them (stepping through ids must teach them nothing)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from audit.models import AuditEvent
from staff.roles import Role


def _page(world: Any, staff: Any) -> str:
    client = Client()
    client.force_login(staff.user)
    response = client.get(f"/clinical/patients/{world.patient.pk}/")
    assert response.status_code == 403
    return response.content.decode()


def _names(world: Any, body: str) -> list[str]:
    patient = world.patient
    words = [patient.given_name, patient.family_name, patient.nhs_number,
             patient.nhs_number_display]
    return [w for w in words if w in body]


def test_break_glass_page_shows_the_id_and_the_form_but_not_the_name(world: Any) -> None:
    body = _page(world, world.staff(Role.GP, world.partner))  # federation, no relationship
    assert "Break glass and open the record" in body
    assert f"patient record {world.patient.pk}" in body
    assert _names(world, body) == []
    refusal = AuditEvent.objects.get(action="refused")
    assert refusal.patient == world.patient  # the attempt itself is in the audit


def test_refusal_outside_the_federation_names_nobody_and_offers_no_break_glass(world) -> None:
    body = _page(world, world.staff(Role.GP, world.outsider))
    assert "Break glass" not in body
    assert _names(world, body) == []
