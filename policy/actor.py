"""Who is acting: a user, their staff membership (if any) and the site they work at today."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from staff.models import StaffMember
from staff.roles import ADMIN_ROLES, CLINICAL_ROLES

WORKING_SITE_SESSION_KEY = "working_site_id"
WORKING_SITE_HEADER = "HTTP_X_DOVETAIL_SITE"


@dataclass(frozen=True)
class Actor:
    user: Any
    staff: StaffMember | None
    site_id: int | None = None

    @property
    def is_staff_member(self) -> bool:
        return self.staff is not None and self.staff.active

    @property
    def role(self) -> str | None:
        return self.staff.role if self.staff is not None else None

    @property
    def practice_id(self) -> int | None:
        return self.staff.practice_id if self.staff is not None else None

    @property
    def federation_id(self) -> int | None:
        return self.staff.practice.federation_id if self.staff is not None else None

    @property
    def is_clinician(self) -> bool:
        return self.is_staff_member and self.role in CLINICAL_ROLES

    @property
    def is_admin_staff(self) -> bool:
        return self.is_staff_member and self.role in ADMIN_ROLES


def actor_for_user(user: Any, *, site_id: int | None = None) -> Actor:
    staff = None
    if user is not None and user.is_authenticated:
        staff = (
            StaffMember.objects.select_related("practice").filter(user=user, active=True).first()
        )
    if staff is not None and site_id is not None and not staff.sites.filter(pk=site_id).exists():
        site_id = None  # a site they do not work at is ignored, not trusted
    return Actor(user=user, staff=staff, site_id=site_id)


def actor_for_request(request: HttpRequest) -> Actor:
    """The actor for a request; the working site comes from the session or X-Dovetail-Site."""
    cached = getattr(request, "_dovetail_actor", None)
    if cached is not None:
        return cached
    raw = request.META.get(WORKING_SITE_HEADER) or request.session.get(WORKING_SITE_SESSION_KEY)
    try:
        site_id = int(raw) if raw else None
    except (TypeError, ValueError):
        site_id = None
    actor = actor_for_user(request.user, site_id=site_id)
    request._dovetail_actor = actor  # type: ignore[attr-defined]
    return actor
