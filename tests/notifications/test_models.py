from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from notifications.models import Kind, MessageTemplate, ReminderPolicy
from tests.expect import invalid, violates
from tests.factories import AppointmentTypeFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("hours", [[0], [-2], ["48"], [48, 48], [True], "48,2", [24 * 15]])
def test_reminder_hours_must_be_distinct_whole_hours_in_range(hours: Any) -> None:
    practice: Any = PracticeFactory()
    policy = ReminderPolicy(practice=practice, hours_before=hours)

    with invalid(hours_before=""):
        policy.full_clean()


def test_a_reminder_policy_cannot_use_another_practices_appointment_type() -> None:
    slot_type: Any = AppointmentTypeFactory()
    other: Any = PracticeFactory()
    policy = ReminderPolicy(practice=other, appointment_type=slot_type, hours_before=[24])

    with invalid(appointment_type="must belong to this practice"):
        policy.full_clean()


def test_a_practice_has_one_practice_wide_policy() -> None:
    practice: Any = PracticeFactory()
    ReminderPolicy.objects.create(practice=practice, hours_before=[24])

    with violates("reminder_policy_one_per_practice"):
        ReminderPolicy.objects.create(practice=practice, hours_before=[2])


def test_an_email_template_needs_a_subject() -> None:
    practice: Any = PracticeFactory()
    template = MessageTemplate(practice=practice, kind=Kind.REMINDER, channel="email", body="Hello")

    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert "subject" in raised.value.message_dict
