"""Finding 3 (issue 14): a practice manager cannot make themselves a GP, nor make a clinician
login with a password they chose. Such access is asked for by one person and granted by
another (ADR 0030, "Separation of duties"), and every step is an audit event."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from common.errors import PermissionRefused
from practices.models import Site
from staff.models import StaffAccessRequest, StaffMember
from staff.roles import Role
from staff.services import (
    staff_access_request_approve,
    staff_access_request_create,
    staff_access_request_reject,
    staff_member_create,
)
from tests.factories import PracticeFactory, SiteFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def botley() -> Any:
    return SiteFactory(practice=PracticeFactory(name="Botley Medical Centre"), name="Botley")


def _manager(site: Site, username: str) -> Any:
    return staff_member_create(
        username=username, first_name=username.title(), last_name="Reeve", email="",
        password="a-long-demo-passphrase", practice=site.practice,
        role=Role.PRACTICE_MANAGER, sites=[site],
    )


@pytest.fixture
def manager(botley: Site) -> StaffMember:
    return _manager(botley, "alison")


@pytest.fixture
def second_manager(botley: Site) -> StaffMember:
    return _manager(botley, "brian")


def _admin(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_cannot_edit_their_own_role_in_the_admin(manager) -> None:
    client = _admin(manager.user)
    url = reverse("admin:staff_staffmember_change", args=[manager.pk])
    form = client.get(url).context["adminform"].form
    assert "role" not in form.fields and "registration_number" not in form.fields
    client.post(url, {"practice": manager.practice_id, "role": Role.GP,
                      "registration_number": "7040137", "sites": [s.pk for s in
                                                                  manager.sites.all()],
                      "active": "on"})
    manager.refresh_from_db()
    assert manager.role == Role.PRACTICE_MANAGER


def test_a_manager_cannot_add_a_clinician_login_with_a_password_they_chose(manager,
                                                                            botley) -> None:
    response = _admin(manager.user).post(reverse("admin:staff_staffmember_add"), {
        "username": "fakegp", "first_name": "Fake", "last_name": "Doctor", "email": "",
        "password": "chosen-by-the-manager-1", "practice": botley.practice_id,
        "role": Role.GP, "registration_number": "7040137", "sites": [botley.pk],
    })
    assert response.status_code == 200
    assert "needs a second person" in response.content.decode()
    assert not StaffMember.objects.filter(user__username="fakegp").exists()


def test_a_request_is_granted_only_by_someone_else_with_the_right(manager, second_manager,
                                                                  botley) -> None:
    access = staff_access_request_create(
        requested_by=manager.user, practice=botley.practice, username="jokafor",
        first_name="James", last_name="Okafor", role=Role.GP, registration_number="7040137",
        sites=[botley], reason="New salaried GP from Monday",
    )
    assert not StaffMember.objects.filter(user__username="jokafor").exists()
    with pytest.raises(PermissionRefused, match="another authorised person"):
        staff_access_request_approve(request_id=access.pk, approved_by=manager.user)
    receptionist = StaffMemberFactory(practice=botley.practice, role=Role.RECEPTIONIST,
                                      sites=[botley])
    with pytest.raises(PermissionRefused, match="right to approve"):
        staff_access_request_approve(request_id=access.pk, approved_by=receptionist.user)

    staff_access_request_approve(request_id=access.pk, approved_by=second_manager.user)
    gp = StaffMember.objects.get(user__username="jokafor")
    assert gp.role == Role.GP
    assert not gp.user.has_usable_password()  # nobody but the GP will ever know it
    actions = list(AuditEvent.objects.filter(object_type="staff_access_request")
                   .order_by("pk").values_list("action", "username"))
    assert actions == [(AuditAction.STAFF_ACCESS_REQUESTED, "alison"),
                       (AuditAction.STAFF_ACCESS_GRANTED, "brian")]


def test_nobody_decides_a_change_to_their_own_role(manager, second_manager, botley) -> None:
    access = staff_access_request_create(
        requested_by=second_manager.user, practice=botley.practice, member=manager,
        role=Role.GP, registration_number="7040137", reason="Alison qualified as a GP",
    )
    with pytest.raises(PermissionRefused, match="their own access"):
        staff_access_request_approve(request_id=access.pk, approved_by=manager.user)
    manager.refresh_from_db()
    assert manager.role == Role.PRACTICE_MANAGER


def test_the_database_refuses_a_decision_by_the_requester(manager, botley) -> None:
    access = staff_access_request_create(
        requested_by=manager.user, practice=botley.practice, username="x1", first_name="X",
        last_name="Y", role=Role.NURSE, registration_number="12A3456B", sites=[botley],
        reason="cover",
    )
    with pytest.raises(IntegrityError, match="staff_access_not_decided_by_requester"), \
            transaction.atomic():
        StaffAccessRequest.objects.filter(pk=access.pk).update(decided_by=manager.user)


def test_an_approved_role_change_and_a_rejection_show_on_the_managers_page(
    manager, second_manager, botley
) -> None:
    nurse = StaffMemberFactory(practice=botley.practice, role=Role.NURSE, sites=[botley])
    change = staff_access_request_create(
        requested_by=manager.user, practice=botley.practice, member=nurse, role=Role.ANP,
        registration_number=nurse.registration_number, reason="Qualified as an ANP",
    )
    staff_access_request_approve(request_id=change.pk, approved_by=second_manager.user)
    nurse.refresh_from_db()
    assert nurse.role == Role.ANP
    other = staff_access_request_create(
        requested_by=manager.user, practice=botley.practice, member=nurse, role=Role.GP,
        registration_number="7040137", reason="typo",
    )
    staff_access_request_reject(request_id=other.pk, rejected_by=second_manager.user)
    page = _admin(manager.user).get(reverse("manager:home")).content.decode()
    assert "Granted staff access" in page and "Rejected a staff access request" in page
    assert "Practice nurse -&gt; Advanced nurse practitioner" in page


def test_the_admin_request_and_approval_flow(manager, second_manager, botley) -> None:
    response = _admin(manager.user).post(reverse("admin:staff_staffaccessrequest_add"), {
        "practice": botley.practice_id, "role": Role.GP, "registration_number": "7040137",
        "username": "jokafor", "first_name": "James", "last_name": "Okafor", "email": "",
        "sites": [botley.pk], "reason": "New GP",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    access = StaffAccessRequest.objects.get()
    changelist = reverse("admin:staff_staffaccessrequest_changelist")
    own = _admin(manager.user).post(changelist, {"action": "approve",
                                                 "_selected_action": [access.pk]}, follow=True)
    assert "another authorised person" in own.content.decode()
    assert not StaffMember.objects.filter(user__username="jokafor").exists()
    _admin(second_manager.user).post(changelist, {"action": "approve",
                                                  "_selected_action": [access.pk]})
    assert StaffMember.objects.get(user__username="jokafor").role == Role.GP
