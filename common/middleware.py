"""Request context: a request id and the client's address; and the security headers.

The request id is always made here: a client's own ``X-Request-ID`` is ignored, because the
id is written into the audit log and a client could otherwise make its rows look like another
request's (issue 14, finding 9). The id goes back in the response's ``X-Request-ID``.

Stored in a contextvar so that the audit, written deep in the service layer, can record which
request and which address an action came from without every function passing them along.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from common.client_ip import client_ip


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


_NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("dovetail_request", default=None)


def current_request_context() -> RequestContext:
    """The current request's context; outside a request (tasks, shell) an empty one."""
    return _current.get() or _NO_REQUEST


def new_request_id() -> str:
    """A fresh id for this request; never one the client sent."""
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = RequestContext(request_id=new_request_id(), ip=client_ip(request))
        request.request_id = context.request_id  # type: ignore[attr-defined]
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = context.request_id
        return response


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on everything, and ``Cache-Control: no-store`` on every page and
    API reply (static files are served before this runs and keep their cache lifetimes).

    Any page or reply may show a patient's name or record, and a new one must not be able to
    forget the header, so it is the default rather than a decorator; browsers and proxies then
    keep no copy on disk or in a shared cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        patch_cache_control(response, no_store=True, private=True)
        return response
