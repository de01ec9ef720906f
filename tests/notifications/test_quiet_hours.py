from __future__ import annotations

import datetime
from typing import Any

import pytest

from notifications.quiet_hours import LONDON, in_quiet_hours, sms_allowed_from


@pytest.fixture(autouse=True)
def _quiet(settings: Any) -> None:
    settings.NOTIFICATIONS_SMS_QUIET_HOURS = (datetime.time(21), datetime.time(8))


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (london(2026, 6, 1, 20, 59), False),
        (london(2026, 6, 1, 21, 0), True),
        (london(2026, 6, 2, 3, 0), True),
        (london(2026, 6, 2, 7, 59), True),
        (london(2026, 6, 2, 8, 0), False),
    ],
)
def test_quiet_hours_run_from_nine_at_night_to_eight_in_the_morning(
    moment: datetime.datetime, quiet: bool
) -> None:
    assert in_quiet_hours(moment) is quiet


def test_quiet_hours_are_london_time_not_utc() -> None:
    # 20:30 UTC in summer is 21:30 in London.
    assert in_quiet_hours(datetime.datetime(2026, 7, 1, 20, 30, tzinfo=datetime.UTC))


def test_an_evening_sms_waits_until_eight_next_morning() -> None:
    assert sms_allowed_from(london(2026, 6, 1, 22, 15)) == london(2026, 6, 2, 8, 0)


def test_an_early_morning_sms_waits_until_eight_the_same_day() -> None:
    assert sms_allowed_from(london(2026, 6, 2, 6, 0)) == london(2026, 6, 2, 8, 0)


def test_a_daytime_sms_is_not_moved() -> None:
    assert sms_allowed_from(london(2026, 6, 2, 12, 0)) == london(2026, 6, 2, 12, 0)


def test_holding_across_the_clock_change_still_lands_on_eight_local() -> None:
    # Clocks go forward at 01:00 UTC on 29 March 2026.
    held = sms_allowed_from(london(2026, 3, 28, 23, 0))
    assert held.astimezone(LONDON).hour == 8
    assert held == datetime.datetime(2026, 3, 29, 7, 0, tzinfo=datetime.UTC)
