from __future__ import annotations

from django.conf import settings

from config.celery import app


def test_the_daily_community_jobs_are_scheduled_and_registered() -> None:
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"community.tasks.flag_stale_resources",
            "community.tasks.create_due_follow_ups"} <= names
    assert names <= set(app.tasks)
