"""The menu each role sees. Pages register here as they are added."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from policy.actor import Actor
from policy.appointments import BOOKING_ROLES
from policy.community import REPORT_ROLES
from staff.roles import CLINICAL_ROLES, Role

# (label, url name, roles that see it; empty = every member of staff)
MENU: list[tuple[str, str, frozenset[str]]] = [
    # Daily work first: on a laptop the NHS.UK header folds whatever does not fit into "More",
    # and that must never be a role's main page.
    ("Home", "home", frozenset()),
    ("My list", "clinical:my-list", frozenset(CLINICAL_ROLES)),
    ("Appointment book", "reception-book", BOOKING_ROLES),
    ("Find a patient", "reception-patient-search", BOOKING_ROLES),
    ("Next available", "reception-next-available", BOOKING_ROLES),
    ("Manager", "manager:home", frozenset({Role.PRACTICE_MANAGER})),
    ("Audit log", "manager:audit", frozenset({Role.PRACTICE_MANAGER})),
    ("Admin", "admin:index", frozenset({Role.PRACTICE_MANAGER})),
    ("Caseload", "community:caseload", frozenset({Role.LINK_WORKER})),
    ("Community directory", "community:directory", frozenset()),
    ("Refer", "community:referral-new", frozenset(CLINICAL_ROLES)),
    ("Follow-ups", "community:follow-ups", frozenset(CLINICAL_ROLES)),
    ("Outcomes", "community:report", REPORT_ROLES),
    ("API", "api-docs", frozenset()),
]


def nav_items_for(actor: Actor) -> list[tuple[str, str]]:
    items = []
    for label, name, roles in MENU:
        if roles and actor.role not in roles:
            continue
        try:
            items.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return items
