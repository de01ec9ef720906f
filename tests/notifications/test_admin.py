from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from notifications.models import Kind, OutboxMessage, Status
from staff.roles import Role
from tests.factories import StaffMemberFactory, book

pytestmark = pytest.mark.django_db


def manager_client(practice: Any) -> Client:
    manager: Any = StaffMemberFactory(practice=practice, role=Role.PRACTICE_MANAGER)
    manager.user.is_staff = True
    manager.user.save()
    from django.contrib.auth.models import Permission

    manager.user.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client = Client()
    client.force_login(manager.user)
    return client


def test_a_practice_manager_sees_their_failed_messages_and_not_another_practices() -> None:
    mine = book()
    theirs = book()
    OutboxMessage.objects.filter(appointment__in=[mine, theirs], kind=Kind.CONFIRMATION).update(
        status=Status.FAILED, last_error="invalid_sms_recipient: Invalid sms recipient."
    )
    client = manager_client(mine.site.practice)

    page = client.get("/admin/notifications/outboxmessage/", {"status__exact": "failed"})

    assert page.status_code == 200
    assert page.context["cl"].result_count == 2
    assert {m.appointment_id for m in page.context["cl"].result_list} == {mine.pk}
