"""The staff home page (signing in and out is the ``signin`` app's)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from policy.actor import actor_for_request


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    return render(request, "staff/home.html", {"actor": actor})
