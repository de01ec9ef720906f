"""A stand-in for the booking API of issue 3, for testing the rush client only.

It follows the contract (search page, 201/409) with the least code. It is never served by
``python -m bench`` and never measured: the real API replaces it.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.models import Token

from appointments.models import Appointment, Slot


def _user(request: HttpRequest):
    key = request.headers.get("Authorization", "").removeprefix("Token ")
    token = Token.objects.select_related("user").filter(key=key).first()
    return token.user if token else None


def slots(request: HttpRequest) -> JsonResponse:
    if _user(request) is None:
        return JsonResponse({"error": "not_authenticated"}, status=401)
    found = Slot.objects.filter(
        Q(release_at__isnull=True) | Q(release_at__lte=timezone.now()),
        booked=False,
        site_id=request.GET["site"],
        start__gte=parse_datetime(request.GET["start_after"]),
        start__lt=parse_datetime(request.GET["start_before"]),
    ).order_by("start", "id")
    results = [{"id": s.pk, "start": s.start.isoformat()} for s in found[:50]]
    return JsonResponse(
        {"count": found.count(), "next": None, "previous": None, "results": results}
    )


@csrf_exempt
def appointments(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return JsonResponse({"error": "not_authenticated"}, status=401)
    data = json.loads(request.body)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE appointments_slot SET booked = true WHERE id = %s AND NOT booked",
                [data["slot"]],
            )
            if cursor.rowcount != 1:
                return JsonResponse({"error": "conflict", "message": "Taken."}, status=409)
        slot = Slot.objects.get(pk=data["slot"])
        made = Appointment.objects.create(
            slot=slot,
            patient_id=data["patient"],
            clinician_id=slot.clinician_id,
            site_id=slot.site_id,
            start=slot.start,
            end=slot.end,
            channel="reception",
            booked_by=user,
        )
    return JsonResponse({"id": made.pk, "slot": slot.pk}, status=201)
