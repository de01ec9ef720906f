"""Who may search the clinical terminology: reference data, but only staff need it."""

from __future__ import annotations

from policy.actor import Actor
from policy.records import Decision, refused


def terminology_search_decision(actor: Actor) -> Decision:
    """Any active staff member codes entries or reads codes; no one else searches."""
    if not actor.is_staff_member:
        return refused(
            "no staff membership", "Only practice staff can search the clinical terminology."
        )
    return Decision(True, "staff")
