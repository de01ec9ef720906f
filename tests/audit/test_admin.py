from __future__ import annotations

from django.test import Client

from audit.services import audit_write
from staff.roles import Role


def _login(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_manager_sees_their_practice_events_read_only(world):
    event = audit_write(
        actor=world.actor(), action="view_summary", basis="own_practice", patient=world.patient
    )
    client = _login(world.staff(Role.PRACTICE_MANAGER).user)
    listing = client.get("/admin/audit/auditevent/")
    assert listing.status_code == 200
    assert b"own_practice" in listing.content
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    change = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"basis": "x"})
    assert change.status_code == 403
    event.refresh_from_db()
    assert event.basis == "own_practice"


def test_other_practice_manager_sees_nothing(world):
    audit_write(
        actor=world.actor(), action="view_summary", basis="own_practice", patient=world.patient
    )
    client = _login(world.staff(Role.PRACTICE_MANAGER, world.partner).user)
    assert b"own_practice" not in client.get("/admin/audit/auditevent/").content


def test_gp_is_refused_the_audit_admin(world):
    client = _login(world.staff(Role.GP).user)
    assert client.get("/admin/audit/auditevent/").status_code == 403
