"""The ceiling: the least a booking can cost in this stack (Django, gunicorn, PostgreSQL).

One conditional UPDATE through Django's connection, behind the application's middleware but
with no authentication, DRF, serializers or policy. Booking throughput is compared to it.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

CLAIM = "UPDATE appointments_slot SET booked = true WHERE id = %s AND NOT booked"


@csrf_exempt
@require_POST
def ceiling(request: HttpRequest, slot_id: int) -> HttpResponse:
    """Claim the slot if it is free; the body is the number of rows updated (1 or 0)."""
    with connection.cursor() as cursor:
        cursor.execute(CLAIM, [slot_id])
        updated = cursor.rowcount
    return HttpResponse(str(updated), content_type="text/plain")


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Ready when the worker can reach the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
