from __future__ import annotations

import datetime

import pytest
from django.test import Client

from staff.roles import Role
from tests.factories import SessionTemplateFactory, StaffMemberFactory, UserFactory


@pytest.fixture
def manager(world):
    user = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(content_type__app_label="appointments"))
    return StaffMemberFactory(
        user=user, practice=world.practice, role=Role.PRACTICE_MANAGER, sites=[world.botley]
    )


def test_practice_manager_sees_only_their_practice_rota(world, manager):
    ours = SessionTemplateFactory(clinician=world.gp, site=world.botley)
    stranger_gp = StaffMemberFactory(practice=world.stranger, sites=[world.stranger_site])
    theirs = SessionTemplateFactory(
        clinician=stranger_gp, site=world.stranger_site, end_time=datetime.time(13)
    )
    client = Client()
    client.force_login(manager.user)
    page = client.get("/admin/appointments/sessiontemplate/")
    assert page.status_code == 200
    assert f"/admin/appointments/sessiontemplate/{ours.pk}/change/" in page.text
    assert f"/admin/appointments/sessiontemplate/{theirs.pk}/change/" not in page.text


@pytest.mark.parametrize(
    "model", ["appointmenttype", "rotaexception", "session", "slot", "appointment"]
)
def test_admin_changelists_load(world, manager, model):
    client = Client()
    client.force_login(manager.user)
    assert client.get(f"/admin/appointments/{model}/").status_code == 200


def test_slots_cannot_be_edited_in_the_admin(world, manager):
    slot = world.slot()
    client = Client()
    client.force_login(manager.user)
    response = client.post(f"/admin/appointments/slot/{slot.pk}/change/", {"booked": "on"})
    assert response.status_code == 403
