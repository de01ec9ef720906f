"""Nightly jobs of the appointment book (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from appointments.services.attendance import appointments_mark_dna
from appointments.services.rota import rota_generate


@shared_task(name="appointments.tasks.generate_slots")
def generate_slots(practice_id: int | None = None) -> str:
    """Extend every rota to the rolling horizon (idempotent: safe to retry or run twice)."""
    from practices.models import Practice

    practice = Practice.objects.get(pk=practice_id) if practice_id is not None else None
    return rota_generate(start=timezone.localdate(), practice=practice).summary()


@shared_task(name="appointments.tasks.mark_dna")
def mark_dna() -> int:
    """Mark appointments left "booked" after they ended as did not attend."""
    return appointments_mark_dna(now=timezone.now())
