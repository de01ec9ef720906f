"""Separation of duties for staff access (ADR 0030): who may ask for, and who may grant, a
login that can read records or a change of role. Never the same person."""

from __future__ import annotations

from policy.actor import Actor
from policy.records import Decision, refused
from staff.models import StaffAccessRequest
from staff.roles import CLINICAL_ROLES, Role

# Roles whose logins read records (clinicians) or grant access and read the audit (managers):
# creating one, or changing anyone to or from one, needs a second person.
GATED_ROLES = frozenset(CLINICAL_ROLES | {Role.PRACTICE_MANAGER})
APPROVE_PERMISSION = "staff.approve_staffaccessrequest"


def needs_second_person(*, role: str, old_role: str | None = None) -> bool:
    return role in GATED_ROLES or (old_role is not None and old_role in GATED_ROLES)


def staff_access_request_decision(actor: Actor, *, practice_id: int) -> Decision:
    """Practice managers ask for their own practice's staff (a superuser for any)."""
    if actor.user is not None and actor.user.is_superuser:
        return Decision(True, "superuser")
    if not actor.is_staff_member or actor.role != Role.PRACTICE_MANAGER:
        return refused("role", "Only a practice manager can ask for staff access.")
    if actor.practice_id != practice_id:
        return refused("other practice", "You can ask for staff of your own practice only.")
    return Decision(True, "practice_manager")


def staff_access_approval_decision(actor: Actor, access: StaffAccessRequest) -> Decision:
    """A registration authority (the permission, held by practice managers and any clinical
    lead given it) of the same practice, who neither asked nor is the person concerned."""
    user = actor.user
    if user is None or not user.is_authenticated:
        return refused("not signed in", "Sign in to decide staff access requests.")
    if access.requested_by_id == user.pk:
        return refused("own request", "You asked for this: another authorised person must "
                                       "approve or reject it.")
    if access.member_id is not None and access.member is not None \
            and access.member.user_id == user.pk:
        return refused("own access", "Nobody can decide a change to their own access.")
    if user.is_superuser:
        return Decision(True, "superuser")
    if not actor.is_staff_member or actor.practice_id != access.practice_id:
        return refused("other practice", "Only staff of the same practice can decide this.")
    if not user.has_perm(APPROVE_PERMISSION):
        return refused("no registration authority",
                       "You do not have the right to approve staff access requests.")
    return Decision(True, "registration_authority")
