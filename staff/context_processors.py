from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from policy.actor import actor_for_request
from staff.navigation import nav_items_for


def working_context(request: HttpRequest) -> dict[str, Any]:
    """The signed-in member of staff, the site they work at today and their menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = actor_for_request(request)
    site = None
    if actor.staff is not None and actor.site_id is not None:
        site = next((s for s in actor.staff.sites.all() if s.pk == actor.site_id), None)
    return {"working_staff": actor.staff, "working_site": site, "nav_items": nav_items_for(actor)}
