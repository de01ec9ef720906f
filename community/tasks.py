"""Daily jobs (CELERY_BEAT_SCHEDULE): both are idempotent and take no arguments."""

from __future__ import annotations

import logging

from celery import shared_task

from community.services.directory import resources_flag_stale
from community.services.follow_ups import follow_ups_create_due

logger = logging.getLogger(__name__)


@shared_task(name="community.tasks.flag_stale_resources")
def flag_stale_resources() -> dict[str, int]:
    flagged, cleared = resources_flag_stale()
    logger.info("community stale check: %s newly stale, %s no longer stale", flagged, cleared)
    return {"flagged": flagged, "cleared": cleared}


@shared_task(name="community.tasks.create_due_follow_ups")
def create_due_follow_ups() -> int:
    created = follow_ups_create_due()
    logger.info("community follow-ups: %s created", created)
    return created
