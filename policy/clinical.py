"""Who may use the clinician pages (my list, calling patients in) and the manager pages."""

from __future__ import annotations

from policy.actor import Actor
from policy.records import NO_STAFF, Decision, audit_view_decision, refused
from staff.roles import CLINICAL_ROLES


def my_list_decision(actor: Actor) -> Decision:
    """A clinician's own list of today's appointments: clinical roles only."""
    if not actor.is_staff_member:
        return NO_STAFF
    if actor.role not in CLINICAL_ROLES:
        return refused("role", "Only clinicians have a list of their own appointments.")
    return Decision(True, "own_list")


def manager_pages_decision(actor: Actor) -> Decision:
    """The practice manager's pages (audit, break-glass reviews, links to the admin)."""
    return audit_view_decision(actor)
