"""The ceiling: the least a booking can cost in this stack (Django, gunicorn, PostgreSQL).

``ceiling``: one conditional UPDATE through Django's connection, behind the application's
middleware but with no authentication, DRF, serializers or policy. Booking throughput is
compared to it. ``ceiling_api``: the same UPDATE behind DRF and the API's own authentication
(a token, the actor's rows loaded with it): what any API request costs before it does
anything a booking needs (ADR 0041).
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

CLAIM = "UPDATE appointments_slot SET booked = true WHERE id = %s AND NOT booked"


@csrf_exempt
@require_POST
def ceiling(request: HttpRequest, slot_id: int) -> HttpResponse:
    """Claim the slot if it is free; the body is the number of rows updated (1 or 0)."""
    with connection.cursor() as cursor:
        cursor.execute(CLAIM, [slot_id])
        updated = cursor.rowcount
    return HttpResponse(str(updated), content_type="text/plain")


class CeilingApi(APIView):
    """The bare UPDATE as an API view: the app's authentication and permission classes."""

    def post(self, request: Request, slot_id: int) -> Response:
        with connection.cursor() as cursor:
            cursor.execute(CLAIM, [slot_id])
            updated = cursor.rowcount
        return Response(updated)


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Ready when the worker can reach the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
