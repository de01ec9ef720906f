from __future__ import annotations

from django.test import Client

from audit.models import AuditEvent
from staff.roles import Role


def _login(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_opening_a_patient_in_the_admin_is_audited(world):
    from django.contrib.auth.models import Permission

    manager = world.staff(Role.PRACTICE_MANAGER)
    manager.user.user_permissions.add(Permission.objects.get(codename="view_patient"))
    response = _login(manager.user).get(f"/admin/patients/patient/{world.patient.pk}/change/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="view_demographics")
    assert (event.user, event.basis) == (manager.user, "own_practice")


def test_clinical_entries_are_not_in_the_admin(world):
    from django.contrib import admin

    from records.clinical import ENTRY_MODELS

    assert not any(admin.site.is_registered(model) for model in ENTRY_MODELS.values())
