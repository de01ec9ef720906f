"""No SMS between 21:00 and 08:00 Europe/London: a text due in the night waits for the morning."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

LONDON = ZoneInfo("Europe/London")


def _bounds() -> tuple[datetime.time, datetime.time]:
    start, end = settings.NOTIFICATIONS_SMS_QUIET_HOURS
    return start, end


def in_quiet_hours(moment: datetime.datetime) -> bool:
    start, end = _bounds()
    local = moment.astimezone(LONDON).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def sms_allowed_from(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` if an SMS may go then, else the end of that quiet period (08:00 London)."""
    if not in_quiet_hours(moment):
        return moment
    _, end = _bounds()
    local = moment.astimezone(LONDON)
    day = local.date() if local.time() < end else local.date() + datetime.timedelta(days=1)
    # Building the wall-clock time in London handles the clock changes (08:00 is always 08:00).
    return datetime.datetime.combine(day, end, tzinfo=LONDON).astimezone(datetime.UTC)
