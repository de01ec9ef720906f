"""Writes for staff: creating a member of staff together with their login, and the requests
that a login able to read records, or a change of role, must go through (a second person
approves: ``policy.staff_access``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.errors import Conflict, NotFound, PermissionRefused
from policy.actor import actor_for_user
from policy.staff_access import (
    staff_access_approval_decision,
    staff_access_request_decision,
)
from practices.models import Practice, Site
from staff.models import StaffAccessRequest, StaffMember
from staff.permissions import PRACTICE_MANAGERS_GROUP, sync_practice_managers_group
from staff.roles import Role
from staff.signals import staff_access_changed


def staff_member_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str | None,
    practice: Practice,
    role: str,
    registration_number: str = "",
    sites: Iterable[Site],
) -> StaffMember:
    """Create a login and its staff membership, validated, in one transaction.

    ``password=None`` makes an account that cannot log in until a password is set. A practice
    manager also gets admin access (``is_staff``) and the "Practice managers" group.
    Raises ValidationError (field -> message) and writes nothing if anything is wrong.
    """
    sites = list(sites)
    user, member = staff_member_validate(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        password=password,
        practice=practice,
        role=role,
        registration_number=registration_number,
        sites=sites,
    )
    with transaction.atomic():
        user.save()
        member.user = user
        member.save()
        member.sites.set(sites)
        if role == Role.PRACTICE_MANAGER:
            user.groups.add(practice_managers_group())
    return member


def staff_member_validate(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str | None,
    practice: Practice,
    role: str,
    registration_number: str = "",
    sites: Iterable[Site],
) -> tuple[Any, StaffMember]:
    """Check everything ``staff_member_create`` would write; return the unsaved user and member.

    Raises one ValidationError holding every problem (field name -> messages).
    """
    sites = list(sites)
    errors: dict[str, list[str]] = {}
    if not sites:
        errors["sites"] = ["A member of staff works at one site at least."]
    elif any(site.practice_id != practice.pk for site in sites):
        errors["sites"] = ["Every site must belong to the staff member's practice."]

    user = get_user_model()(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=role == Role.PRACTICE_MANAGER,
    )
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
        user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as exc:
        errors.update({k: list(v) for k, v in exc.message_dict.items() if k != "password"})

    member = StaffMember(practice=practice, role=role, registration_number=registration_number)
    try:
        member.full_clean(exclude=["user"])
    except ValidationError as exc:
        errors.update({k: list(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return user, member


def practice_managers_group() -> Group:
    """The group, built if this database has never been migrated with the staff app's handler."""
    group = Group.objects.filter(name=PRACTICE_MANAGERS_GROUP).first()
    if group is None:
        sync_practice_managers_group()
        group = Group.objects.get(name=PRACTICE_MANAGERS_GROUP)
    return group


# ---- staff access requests (separation of duties) -----------------------------------------


def _announce(action: str, *, access: StaffAccessRequest, actor_user: Any, detail: str) -> None:
    staff_access_changed.send(
        sender=StaffAccessRequest, action=action, actor_user=actor_user,
        practice_id=access.practice_id, access_request=access, detail=detail,
    )


def _describe(access: StaffAccessRequest) -> str:
    if access.kind == StaffAccessRequest.Kind.CHANGE_ROLE and access.member is not None:
        return (f"{access.member.user.get_username()}: role {access.member.get_role_display()}"
                f" -> {access.get_role_display()}")
    return f"new login {access.username} as {access.get_role_display()}"


def staff_access_request_create(
    *,
    requested_by: Any,
    practice: Practice,
    role: str,
    reason: str,
    member: StaffMember | None = None,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    registration_number: str = "",
    sites: Iterable[Site] = (),
) -> StaffAccessRequest:
    """Ask for a new login (``member=None``) or for ``member``'s role to change. Nothing changes
    until someone else approves (``staff_access_request_approve``). The new login gets no
    password: its owner sets one, so nobody else ever knows it."""
    staff_access_request_decision(actor_for_user(requested_by), practice_id=practice.pk).require()
    reason = (reason or "").strip()
    sites = list(sites)
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Say why this access is needed."]
    if member is None:
        try:
            staff_member_validate(
                username=username, first_name=first_name, last_name=last_name, email=email,
                password=None, practice=practice, role=role,
                registration_number=registration_number, sites=sites,
            )
        except ValidationError as exc:
            errors.update({k: list(v) for k, v in exc.message_dict.items()})
    else:
        if member.practice_id != practice.pk:
            errors["member"] = ["This member of staff works at another practice."]
        if member.role == role:
            errors["role"] = ["That is already their role."]
        changed = StaffMember.objects.get(pk=member.pk)  # a copy: nothing changes yet
        changed.role, changed.registration_number = role, registration_number
        try:
            changed.full_clean(exclude=["user", "sites"])
        except ValidationError as exc:
            errors.update({k: list(v) for k, v in exc.message_dict.items()})
        registration_number = changed.registration_number
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        access = StaffAccessRequest.objects.create(
            practice=practice, member=member, requested_by=requested_by, reason=reason,
            kind=StaffAccessRequest.Kind.CHANGE_ROLE if member else
            StaffAccessRequest.Kind.CREATE_LOGIN,
            username=username, first_name=first_name, last_name=last_name, email=email,
            role=role, registration_number=registration_number,
        )
        access.sites.set(sites)
        _announce("requested", access=access, actor_user=requested_by,
                  detail=f"asked: {_describe(access)}. Reason: {reason}")
    return access


def _pending_for_update(request_id: int) -> StaffAccessRequest:
    access = (StaffAccessRequest.objects.select_for_update(of=("self",))
              .select_related("member__user").filter(pk=request_id).first())
    if access is None:
        raise NotFound("No such staff access request.")
    if access.status != StaffAccessRequest.Status.PENDING:
        raise Conflict(f"This request was already {access.get_status_display().lower()}.")
    return access


def staff_access_request_approve(*, request_id: int, approved_by: Any,
                                 note: str = "") -> StaffAccessRequest:
    """Grant the request, if ``approved_by`` may (never the requester, never the person
    concerned). Creates the login or changes the role in the same transaction."""
    with transaction.atomic():
        access = _pending_for_update(request_id)
        decision = staff_access_approval_decision(actor_for_user(approved_by), access)
        if not decision.allowed:
            raise PermissionRefused(decision.message)
        detail = _describe(access)
        if access.member is None:
            member = staff_member_create(
                username=access.username, first_name=access.first_name,
                last_name=access.last_name, email=access.email, password=None,
                practice=access.practice, role=access.role,
                registration_number=access.registration_number, sites=access.sites.all(),
            )
        else:
            member = StaffMember.objects.select_for_update().get(pk=access.member.pk)
            _change_role(member, role=access.role,
                         registration_number=access.registration_number)
        access.status = StaffAccessRequest.Status.APPROVED
        access.decided_by, access.decided_at = approved_by, timezone.now()
        access.decision_note = (note or "").strip()[:500]
        access.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        _announce("granted", access=access, actor_user=approved_by,
                  detail=f"granted ({decision.basis}): {detail}; staff member {member.pk}")
    return access


def staff_access_request_reject(*, request_id: int, rejected_by: Any,
                                note: str = "") -> StaffAccessRequest:
    with transaction.atomic():
        access = _pending_for_update(request_id)
        decision = staff_access_approval_decision(actor_for_user(rejected_by), access)
        if not decision.allowed:
            raise PermissionRefused(decision.message)
        access.status = StaffAccessRequest.Status.REJECTED
        access.decided_by, access.decided_at = rejected_by, timezone.now()
        access.decision_note = (note or "").strip()[:500]
        access.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        _announce("rejected", access=access, actor_user=rejected_by,
                  detail=f"rejected: {_describe(access)}")
    return access


def _change_role(member: StaffMember, *, role: str, registration_number: str) -> None:
    member.role, member.registration_number = role, registration_number
    member.full_clean(exclude=["user", "sites"])
    member.save(update_fields=["role", "registration_number"])
    user = member.user
    is_manager = role == Role.PRACTICE_MANAGER
    if user.is_staff != is_manager and not user.is_superuser:
        user.is_staff = is_manager
        user.save(update_fields=["is_staff"])
    group = practice_managers_group()
    if is_manager:
        user.groups.add(group)
    else:
        user.groups.remove(group)
