"""The staff menu. Pages register here as they are added; who sees an entry is for
``policy.menu`` to say."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from policy.actor import Actor
from policy.menu import menu_allows

# (label, url name). Daily work first: on a laptop the NHS.UK header folds whatever does not
# fit into "More", and that must never be a role's main page.
MENU: list[tuple[str, str]] = [
    ("Home", "home"),
    ("My list", "clinical:my-list"),
    ("Appointment book", "reception-book"),
    ("Find a patient", "reception-patient-search"),
    ("Next available", "reception-next-available"),
    ("Manager", "manager:home"),
    ("Audit log", "manager:audit"),
    ("Admin", "admin:index"),
    ("Caseload", "community:caseload"),
    ("Community directory", "community:directory"),
    ("Refer", "community:referral-new"),
    ("Follow-ups", "community:follow-ups"),
    ("Outcomes", "community:report"),
    ("API", "api-docs"),
]


def nav_items_for(actor: Actor) -> list[tuple[str, str]]:
    items = []
    for label, name in MENU:
        if not menu_allows(actor, name):
            continue
        try:
            items.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return items
