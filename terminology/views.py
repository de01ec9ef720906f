"""Term search as you type on the pages: the options of a coded field's list (htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from policy.actor import actor_for_request
from policy.terminology import terminology_search_decision
from terminology.selectors import SCOPES, concept_search


def _typed(request: HttpRequest) -> str:
    """The text typed so far: ``q``, or the coded field's own value (htmx sends the input's
    name, e.g. ``problem-snomed_term``)."""
    if "q" in request.GET:
        return request.GET.get("q", "")
    for key in request.GET:
        if key.endswith("snomed_term"):
            return request.GET.get(key, "")
    return ""


@login_required
@require_GET
def term_options(request: HttpRequest) -> HttpResponse:
    decision = terminology_search_decision(actor_for_request(request))
    if not decision.allowed:
        return HttpResponse(decision.message, status=403, content_type="text/plain")
    scope = request.GET.get("scope", "")
    hits = concept_search(query=_typed(request), scope=scope if scope in SCOPES else "")
    return render(request, "terminology/_options.html", {"hits": hits})
