"""Every error a person or program can meet, answered in their format with a human message.

Under ``/api/`` every error is JSON, ``{"error": code, "message": text}``, like the DRF
exception handler's (``common.api``); elsewhere a plain page. This covers what happens
outside DRF's views too: URLs that match no route (a path id that is not a number), bodies
over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), a NUL byte in the query string, lock victims (409)
and a lost database connection (503 with ``Retry-After``; see ``common.contention``).

The plain page is rendered without the request's context processors and without the site
layout, which read the database: it must render while the database is away.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from common.contention import (
    CONTENTION_MESSAGE,
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_MESSAGE,
    is_contention,
    is_unavailable,
)

logger = logging.getLogger(__name__)

TOO_LARGE = "The request is too large. Send less at once (files and bodies up to 2.5 MB)."
BAD_VALUE = (
    "A value in the request is out of range or contains characters that are not allowed "
    "(such as a NUL byte, or a date far in the future)."
)


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    code: str
    message: str
    title: str
    headers: dict[str, str] = field(default_factory=dict)


CONTENTION = ErrorAnswer(409, "conflict", CONTENTION_MESSAGE, "Please try again")
UNAVAILABLE = ErrorAnswer(
    503, "unavailable", UNAVAILABLE_MESSAGE, "Dovetail is briefly unavailable",
    {"Retry-After": str(RETRY_AFTER_SECONDS)},
)
BAD_INPUT = ErrorAnswer(400, "invalid", BAD_VALUE, "There is a problem with the request")
TOO_LARGE_ANSWER = ErrorAnswer(413, "too_large", TOO_LARGE, "The request is too large")


def answer_for(exc: BaseException | None) -> ErrorAnswer | None:
    """The clean answer for an exception that is not a bug in Dovetail, or None."""
    if exc is None:
        return None
    if is_contention(exc):
        return CONTENTION
    if is_unavailable(exc):
        return UNAVAILABLE
    if isinstance(exc, RequestDataTooBig):
        return TOO_LARGE_ANSWER
    if isinstance(exc, DataError | OverflowError):
        return BAD_INPUT
    return None


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def respond(request: HttpRequest, answer: ErrorAnswer) -> HttpResponse:
    if is_api(request):
        response: HttpResponse = JsonResponse(
            {"error": answer.code, "message": answer.message}, status=answer.status
        )
    else:
        html = render_to_string(
            "errors/plain.html", {"title": answer.title, "message": answer.message}
        )
        response = HttpResponse(html, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: also the answer to a body over the upload limit (413)."""
    answer = answer_for(exception) or ErrorAnswer(
        400, "invalid", "The request could not be understood.", "Bad request"
    )
    return respond(request, answer)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not is_api(request):
        from django.views.defaults import permission_denied as page

        return page(request, exception)  # type: ignore[arg-type]
    return respond(
        request,
        ErrorAnswer(403, "forbidden", "You do not have permission to do that.", "Refused"),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not is_api(request):
        from django.views.defaults import page_not_found as page

        return page(request, exception)
    return respond(
        request,
        ErrorAnswer(
            404, "not_found",
            "Not found: there is no such address in the API (ids are whole numbers).",
            "Not found",
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: runs while the exception is being handled, so a lost database in a
    middleware (sessions, authentication) still becomes a 503, not a 500."""
    answer = answer_for(sys.exc_info()[1]) or ErrorAnswer(
        500, "server_error",
        "Something went wrong in Dovetail. It has been logged; please try again.",
        "Sorry, something went wrong",
    )
    return respond(request, answer)


def _query_has_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if "%00" not in query and "\x00" not in query:
        return False
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class HostileInputMiddleware:
    """Refuses a NUL byte anywhere in the query string (PostgreSQL text cannot hold one), and
    answers database contention, a lost database and out-of-range values raised by a view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _query_has_nul(request):
            return respond(
                request,
                ErrorAnswer(
                    400, "invalid", "The address contains a NUL character, which is not "
                    "allowed.", "There is a problem with the address",
                ),
            )
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        answer = answer_for(exception)
        if answer is None:
            return None
        log = logger.warning if answer.status >= 409 else logger.info
        log("%s %s answered %s: %r", request.method, request.path, answer.status, exception)
        return respond(request, answer)

