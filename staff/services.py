"""Writes for staff: creating a member of staff together with their login."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from practices.models import Practice, Site
from staff.models import StaffMember
from staff.permissions import PRACTICE_MANAGERS_GROUP, sync_practice_managers_group
from staff.roles import Role


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
