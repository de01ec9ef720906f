from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import _quiet_hours


def test_quiet_hours_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFICATIONS_SMS_QUIET_HOURS", "20:30-07:45")

    assert _quiet_hours("NOTIFICATIONS_SMS_QUIET_HOURS", "21:00-08:00") == (
        datetime.time(20, 30),
        datetime.time(7, 45),
    )


def test_bad_quiet_hours_stop_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTIFICATIONS_SMS_QUIET_HOURS", "9pm till 8")

    with pytest.raises(ImproperlyConfigured, match="NOTIFICATIONS_SMS_QUIET_HOURS"):
        _quiet_hours("NOTIFICATIONS_SMS_QUIET_HOURS", "21:00-08:00")
