"""Request context: a request id (X-Request-ID honoured or generated) and the client IP.

Stored in a contextvar so that the audit, written deep in the service layer, can record which
request and which address an action came from without every function passing them along.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from common.client_ip import client_ip

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


_NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("dovetail_request", default=None)


def current_request_context() -> RequestContext:
    """The current request's context; outside a request (tasks, shell) an empty one."""
    return _current.get() or _NO_REQUEST


def request_id_from(request: HttpRequest) -> str:
    """The caller's X-Request-ID if it is a sane token, otherwise a new one."""
    given = request.META.get(REQUEST_ID_HEADER, "")
    if given and _SAFE_REQUEST_ID.match(given):
        return given
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = RequestContext(
            request_id=request_id_from(request), ip=client_ip(request)
        )
        request.request_id = context.request_id  # type: ignore[attr-defined]
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = context.request_id
        return response
