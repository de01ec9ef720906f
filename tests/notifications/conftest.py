from __future__ import annotations

import datetime
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _notification_settings(settings: Any) -> None:
    """Local backend, and no quiet hours unless a test sets them: results must not depend on
    the time of day the suite runs."""
    settings.NOTIFICATIONS_BACKEND = "local"
    settings.NOTIFICATIONS_SMS_QUIET_HOURS = (datetime.time(0, 0), datetime.time(0, 0))
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 4
    settings.NOTIFICATIONS_LEASE_SECONDS = 300
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
