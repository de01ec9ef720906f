"""API plumbing shared by every app: one error format, never a 500 for bad input."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ServiceError
from common.handlers import answer_for

MAX_DETAIL_ERRORS = 20


def _django_validation_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for m in errors[0].messages]
            if len(errors) == 1
            else [m for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return list(exc.messages)


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner = _first_message(value)
            return (
                inner if field in {"non_field_errors", "detail", "__all__"} else f"{field}: {inner}"
            )
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def bounded(detail: Any, limit: int = MAX_DETAIL_ERRORS) -> Any:
    """The error detail with at most ``limit`` entries per list or object, so a body of ten
    thousand bad items is not answered with ten thousand messages."""
    if isinstance(detail, dict):
        items = list(detail.items())
        kept = {key: bounded(value, limit) for key, value in items[:limit]}
        if len(items) > limit:
            kept["more_errors"] = [f"{len(items) - limit} more fields have errors."]
        return kept
    if isinstance(detail, list):
        kept_list = [bounded(value, limit) for value in detail[:limit]]
        if len(detail) > limit:
            kept_list.append(f"{len(detail) - limit} more errors.")
        return kept_list
    return detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer every error as ``{"error": code, "message": human text, "detail": ...}``.

    Database contention (409), a lost database (503) and out-of-range values (400) get the
    same shape, from ``common.handlers``."""
    answer = answer_for(exc)
    if answer is not None:
        return Response(
            {"error": answer.code, "message": answer.message},
            status=answer.status,
            headers=answer.headers,
        )
    if isinstance(exc, ServiceError):
        body: dict[str, Any] = {"error": exc.code, "message": exc.message}
        if exc.detail is not None:
            body["detail"] = exc.detail
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = _django_validation_detail(exc)
        return Response(
            {"error": "invalid", "message": _first_message(detail), "detail": bounded(detail)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found: nothing with that id that you can see.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    response.data = {"error": code, "message": _first_message(detail), "detail": bounded(detail)}
    return response


def json_text_response(request: Request, text: str, *, status: int = 200) -> HttpResponseBase:
    """An answer whose JSON was written already (by PostgreSQL, ``appointments.search``).

    A JSON client gets the text as it is, without decoding and encoding it again; the
    browsable API (or any other renderer DRF negotiated) gets it decoded, as a Response."""
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and renderer.format != "json":
        return Response(json.loads(text), status=status)
    return HttpResponse(text, status=status, content_type="application/json")
