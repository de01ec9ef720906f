"""Writes the audit event for every patient a request loaded without auditing (see recorder)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit import recorder
from audit.services import audit_shown, audit_trail_shown


class AuditMiddleware:
    """After the view: one audit event per patient loaded but not audited by its selector.

    Placed after the authentication middleware; DRF's token authentication sets the user on the
    Django request too, so API requests are audited as the token's user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = recorder.start()
        try:
            response = self.get_response(request)
            current = recorder.current()
            unaudited = current.unaudited() if current is not None else []
            if unaudited and response.status_code < 500:
                assert current is not None
                if current.reading_audit_trail:
                    audit_trail_shown(request, len(unaudited))
                else:
                    audit_shown(request, unaudited)
        finally:
            recorder.stop(token)
        return response
