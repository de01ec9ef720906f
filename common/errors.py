"""Errors that services raise and every interface (API, pages, admin) turns into a clear answer.

A service never returns half a result: it raises one of these before or instead of writing,
and the message is written for the receptionist reading it, not for a developer.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out as asked. ``status`` is the HTTP status to use."""

    status = 400
    code = "invalid"
    detail: object = None
    """Optional structured detail for the API answer (e.g. the allergy conflicts)."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Conflict(ServiceError):
    """The request was valid but the world changed: e.g. someone else booked the slot."""

    status = 409
    code = "conflict"


class PermissionRefused(ServiceError):
    """The policy refused this user this action; the message says why."""

    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"
