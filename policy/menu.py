"""Which menu entries each role sees: the staff menu (``staff.navigation``) asks here, so the
menu never compares roles itself. An entry still leads to a page that asks its own policy."""

from __future__ import annotations

from policy.actor import Actor
from policy.appointments import BOOKING_ROLES
from policy.community import REPORT_ROLES
from staff.roles import CLINICAL_ROLES, Role

MANAGER = frozenset({Role.PRACTICE_MANAGER})
MENU_ROLES: dict[str, frozenset[str]] = {
    "clinical:my-list": frozenset(CLINICAL_ROLES),
    "reception-book": BOOKING_ROLES,
    "reception-patient-search": BOOKING_ROLES,
    "reception-next-available": BOOKING_ROLES,
    "manager:home": MANAGER,
    "manager:audit": MANAGER,
    "admin:index": MANAGER,
    "community:caseload": frozenset({Role.LINK_WORKER}),
    "community:referral-new": frozenset(CLINICAL_ROLES),
    "community:follow-ups": frozenset(CLINICAL_ROLES),
    "community:report": REPORT_ROLES,
}
"""Entries shown to some roles only; any other entry is shown to everyone with a menu."""


def menu_allows(actor: Actor, url_name: str) -> bool:
    roles = MENU_ROLES.get(url_name)
    return roles is None or actor.role in roles
