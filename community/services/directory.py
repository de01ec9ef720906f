"""Add, edit and check directory entries; the daily stale flagging."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.errors import PermissionRefused
from community.models import Category, Resource
from policy.actor import Actor
from policy.community import locality_id_for, may_add_resource, may_curate

EDITABLE_FIELDS = (
    "name", "description", "categories", "suits", "organisation_name", "address_line1",
    "address_line2", "town", "area", "postcode", "opening_times", "phone", "email", "website",
    "referral_method", "cost", "accessibility", "active", "last_checked",
)


def stale_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Entries last checked before this day are stale."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.COMMUNITY_STALE_AFTER_DAYS)


def _validate(resource: Resource) -> None:
    unknown = [c for c in resource.categories if c not in Category.values]
    if unknown or not resource.categories:
        raise ValidationError({"categories": "Choose at least one category from the list."})
    if resource.last_checked > timezone.localdate():
        raise ValidationError({"last_checked": "The date last checked cannot be in the future."})
    resource.full_clean()


def _restale(resource: Resource, today: datetime.date) -> None:
    if resource.last_checked >= stale_cutoff(today):
        resource.stale_since = None
    elif resource.stale_since is None:
        resource.stale_since = today


def resource_create(*, actor: Actor, curator: Any = None, **fields: Any) -> Resource:
    locality_id = locality_id_for(actor)
    if locality_id is None or not may_add_resource(actor, locality_id=locality_id):
        raise PermissionRefused("Only managers, link workers and locality teams add entries.")
    values = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    values.setdefault("last_checked", timezone.localdate())
    resource = Resource(locality_id=locality_id, curator=curator or actor.user, **values)
    _validate(resource)
    _restale(resource, timezone.localdate())
    resource.save()
    return resource


def resource_update(*, actor: Actor, resource: Resource, **fields: Any) -> Resource:
    """Change an entry (curator or manager). Saving it counts as checking it today unless a
    different last-checked date is given."""
    if not may_curate(actor, resource):
        raise PermissionRefused("Only the entry's curator or a practice manager can change it.")
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(resource, name, value)
    if "last_checked" not in fields:
        resource.last_checked = timezone.localdate()
    _validate(resource)
    _restale(resource, timezone.localdate())
    resource.save()
    return resource


def resource_mark_checked(*, actor: Actor, resource: Resource) -> Resource:
    if not may_curate(actor, resource):
        raise PermissionRefused("Only the entry's curator or a practice manager can check it.")
    today = timezone.localdate()
    Resource.objects.filter(pk=resource.pk).update(last_checked=today, stale_since=None)
    resource.last_checked, resource.stale_since = today, None
    return resource


def resources_flag_stale(*, today: datetime.date | None = None) -> tuple[int, int]:
    """Make the stale flags match the last-checked dates. Idempotent: a second run on the same
    day changes nothing. Returns (newly flagged, no longer stale)."""
    today = today or timezone.localdate()
    cutoff = stale_cutoff(today)
    with transaction.atomic():
        flagged = Resource.objects.filter(
            last_checked__lt=cutoff, stale_since__isnull=True
        ).update(stale_since=today)
        cleared = Resource.objects.filter(
            last_checked__gte=cutoff, stale_since__isnull=False
        ).update(stale_since=None)
    return flagged, cleared
