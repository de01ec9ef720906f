from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from staff.permissions import PRACTICE_MANAGERS_GROUP, sync_practice_managers_group

pytestmark = pytest.mark.django_db


def _codenames() -> set[str]:
    group = Group.objects.get(name=PRACTICE_MANAGERS_GROUP)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_migrate_builds_the_practice_managers_group() -> None:
    codenames = _codenames()
    assert {"patients.view_patient", "patients.add_patient", "patients.change_patient"} <= codenames
    assert {"staff.add_staffmember", "practices.change_site"} <= codenames


def test_managers_can_delete_nothing() -> None:
    assert not [c for c in _codenames() if ".delete_" in c]


def test_managers_cannot_touch_logins_or_create_practices() -> None:
    codenames = _codenames()
    assert not [c for c in codenames if c.startswith("auth.")]
    assert "practices.add_practice" not in codenames


def test_every_appointment_book_model_is_visible_to_managers() -> None:
    codenames = _codenames()
    for model in apps.get_app_config("appointments").get_models():
        assert f"appointments.view_{model._meta.model_name}" in codenames


def test_managers_edit_the_rota_but_not_generated_slots_or_bookings() -> None:
    codenames = _codenames()
    for name in ("appointmenttype", "sessiontemplate", "rotaexception"):
        assert f"appointments.change_{name}" in codenames
    for name in ("session", "slot", "appointment", "appointmentevent"):
        assert f"appointments.add_{name}" not in codenames
        assert f"appointments.change_{name}" not in codenames


def test_sync_restores_a_permission_removed_by_hand_and_is_idempotent() -> None:
    group = Group.objects.get(name=PRACTICE_MANAGERS_GROUP)
    before = _codenames()
    group.permissions.remove(group.permissions.get(codename="change_patient"))
    sync_practice_managers_group()
    sync_practice_managers_group()
    assert _codenames() == before
