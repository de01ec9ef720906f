"""Who is acting: a user, their staff membership (if any) and the site they work at today.

For patient users the actor also knows which patients they may act for (their own record and
any proxy grants) and which one they are acting for now; both are worked out only when asked,
so staff requests pay nothing for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import HttpRequest

from policy.identity import community_member_for, own_patient_id, patients_actable_by
from staff.models import StaffMember
from staff.roles import ADMIN_ROLES, CLINICAL_ROLES

WORKING_SITE_SESSION_KEY = "working_site_id"
WORKING_SITE_HEADER = "HTTP_X_DOVETAIL_SITE"
ACTING_FOR_SESSION_KEY = "acting_for_patient_id"


@dataclass(frozen=True)
class Actor:
    user: Any
    staff: StaffMember | None
    site_id: int | None = None
    requested_patient_id: int | None = None

    @cached_property
    def patient_ids(self) -> frozenset[int]:
        """Patients this user may act for: their own and proxied (empty for staff)."""
        return frozenset(patients_actable_by(self.user).values_list("pk", flat=True))

    @cached_property
    def own_patient_id(self) -> int | None:
        return own_patient_id(self.user)

    @property
    def is_patient_user(self) -> bool:
        # Their own account is always among the patients they may act for (no query for it).
        return self.own_patient_id is not None or bool(self.patient_ids)

    @property
    def acting_for_id(self) -> int | None:
        """The patient chosen in the switcher if still allowed, else their own, else the first."""
        requested = self.requested_patient_id
        if requested is not None and (
            requested == self.own_patient_id or requested in self.patient_ids
        ):
            return requested
        if self.own_patient_id is not None:
            return self.own_patient_id
        return min(self.patient_ids) if self.patient_ids else None

    @property
    def is_staff_member(self) -> bool:
        return self.staff is not None and self.staff.active

    @cached_property
    def community_member(self) -> Any:
        """The user's active locality team membership (community nurse, social worker...)."""
        if self.staff is not None:
            return None
        return community_member_for(self.user)

    @property
    def role(self) -> str | None:
        if self.staff is not None:
            return self.staff.role
        member = self.community_member
        return member.role if member is not None else None

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


def working_site_id(raw: Any) -> int | None:
    """A site id from the session or the X-Dovetail-Site header; None if absent, not a number
    or not one an id can be (ids are positive bigints)."""
    try:
        site_id = int(raw) if raw else None
    except (TypeError, ValueError):
        return None
    return site_id if site_id is not None and 0 < site_id < 2**63 else None


_STAFF_OF_USER = StaffMember._meta.get_field("user").remote_field  # user.staff, reverse 1-1
_SITE_CHECK_ATTR = "_dovetail_site_check"


def remember_site_check(user: Any, site_id: int, works_there: bool) -> None:
    """Record, on a user loaded with their staff row, whether they work at ``site_id``
    (``common.authentication`` reads it in the same query as the token)."""
    setattr(user, _SITE_CHECK_ATTR, (site_id, works_there))


def preloaded_staff(user: Any) -> tuple[bool, StaffMember | None]:
    """(True, the active staff membership or None) if the user was loaded with it
    (``select_related("staff__practice")``), else (False, None): then it must be queried."""
    if not _STAFF_OF_USER.is_cached(user):
        return False, None
    staff: StaffMember | None = _STAFF_OF_USER.get_cached_value(user)  # type: ignore[assignment]
    if staff is None or not staff.active:
        return True, None  # loaded: no active staff membership
    if not StaffMember.practice.is_cached(staff):
        return False, None
    return True, staff


def actor_for_user(user: Any, *, site_id: int | None = None) -> Actor:
    staff = None
    loaded = False
    if user is not None and user.is_authenticated:
        loaded, staff = preloaded_staff(user)
        if not loaded:
            staff = (
                StaffMember.objects.select_related("practice")
                .filter(user=user, active=True)
                .first()
            )
    if staff is not None and site_id is not None:
        checked = getattr(user, _SITE_CHECK_ATTR, None)
        if checked is not None and checked[0] == site_id:
            works_there = bool(checked[1])
        else:
            works_there = staff.sites.filter(pk=site_id).exists()
        if not works_there:
            site_id = None  # a site they do not work at is ignored, not trusted
    return Actor(user=user, staff=staff, site_id=site_id)


def actor_for_request(request: HttpRequest) -> Actor:
    """The actor for a request; the working site comes from the session or X-Dovetail-Site."""
    cached = getattr(request, "_dovetail_actor", None)
    # A DRF Request forwards attribute reads to the Django request, which may hold an actor
    # worked out before token authentication: only reuse one made for this same user.
    if cached is not None and cached.user == request.user:
        return cached
    site_id = working_site_id(
        request.META.get(WORKING_SITE_HEADER) or request.session.get(WORKING_SITE_SESSION_KEY)
    )
    actor = actor_for_user(request.user, site_id=site_id)
    acting_for = request.session.get(ACTING_FOR_SESSION_KEY)
    if isinstance(acting_for, int):
        actor = Actor(
            user=actor.user,
            staff=actor.staff,
            site_id=actor.site_id,
            requested_patient_id=acting_for,
        )
    request._dovetail_actor = actor  # type: ignore[attr-defined]
    return actor
