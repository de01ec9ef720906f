"""What ships in code: reminder times and the wording a practice starts from.

A practice changes these in the admin (ReminderPolicy, MessageTemplate); nothing here is read
once a practice has its own row.
"""

from __future__ import annotations

from appointments.models import Mode
from notifications.models import Kind, MessageChannel

REMINDER_HOURS_BY_MODE: dict[str, tuple[int, ...]] = {
    Mode.FACE_TO_FACE: (48, 2),
    Mode.HOME_VISIT: (48, 2),
    Mode.TELEPHONE: (2,),
    Mode.VIDEO: (2,),
}
"""Face to face (and home visits): 48 h and 2 h before. Remote appointments: 2 h before."""

_HOW_TO_CANCEL = "To cancel or change it, call {{ practice_phone }}."
_WHERE = "{{ site_name }}, {{ site_address }}"

DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    # (kind, channel): (subject, body)
    (Kind.CONFIRMATION, MessageChannel.SMS): (
        "",
        "Hello {{ patient_first_name }}, your {{ mode }} appointment with {{ with_clinician }} "
        "is booked for {{ time }} on {{ date }} at "
        + _WHERE
        + ". "
        + _HOW_TO_CANCEL
        + " {{ practice_name }}",
    ),
    (Kind.CONFIRMATION, MessageChannel.EMAIL): (
        "Your appointment on {{ date }} at {{ time }}",
        "Hello {{ patient_first_name }},\n\n"
        "Your {{ mode }} appointment with {{ with_clinician }} is booked.\n\n"
        "When: {{ time }} on {{ date }}\nWhere: "
        + _WHERE
        + "\n\n"
        + _HOW_TO_CANCEL
        + "\n\n{{ practice_name }}\n",
    ),
    (Kind.REMINDER, MessageChannel.SMS): (
        "",
        "Reminder: {{ patient_first_name }}, you have a {{ mode }} appointment with "
        "{{ with_clinician }} at {{ time }} on {{ date }} at " + _WHERE + ". "
        "If you cannot come, call {{ practice_phone }} to cancel: a missed appointment costs "
        "another patient a slot. {{ practice_name }}",
    ),
    (Kind.REMINDER, MessageChannel.EMAIL): (
        "Reminder: your appointment on {{ date }} at {{ time }}",
        "Hello {{ patient_first_name }},\n\n"
        "This is a reminder of your {{ mode }} appointment with {{ with_clinician }}.\n\n"
        "When: {{ time }} on {{ date }}\nWhere: " + _WHERE + "\n\n"
        "If you cannot come, please call {{ practice_phone }} to cancel. A missed appointment "
        "costs another patient a slot.\n\n{{ practice_name }}\n",
    ),
    (Kind.CANCELLATION, MessageChannel.SMS): (
        "",
        "{{ patient_first_name }}, your appointment at {{ time }} on {{ date }} at {{ site_name }} "
        "has been cancelled{% if cancelled_by_practice %} by the practice{% endif %}. "
        "To book again, call {{ practice_phone }}. {{ practice_name }}",
    ),
    (Kind.CANCELLATION, MessageChannel.EMAIL): (
        "Your appointment on {{ date }} has been cancelled",
        "Hello {{ patient_first_name }},\n\n"
        "Your appointment at {{ time }} on {{ date }} at {{ site_name }} has been cancelled"
        "{% if cancelled_by_practice %} by the practice{% endif %}.\n\n"
        "To book again, call {{ practice_phone }}.\n\n{{ practice_name }}\n",
    ),
    (Kind.RESCHEDULE, MessageChannel.SMS): (
        "",
        "{{ patient_first_name }}, your appointment has moved from {{ previous_time }} on "
        "{{ previous_date }} to {{ time }} on {{ date }} at " + _WHERE + ", with "
        "{{ with_clinician }}. " + _HOW_TO_CANCEL + " {{ practice_name }}",
    ),
    (Kind.RESCHEDULE, MessageChannel.EMAIL): (
        "Your appointment has moved to {{ date }} at {{ time }}",
        "Hello {{ patient_first_name }},\n\n"
        "Your appointment has moved.\n\n"
        "Was: {{ previous_time }} on {{ previous_date }}\n"
        "Now: {{ time }} on {{ date }}\nWhere: " + _WHERE + "\n"
        "With: {{ with_clinician }} ({{ mode }})\n\n"
        + _HOW_TO_CANCEL
        + "\n\n{{ practice_name }}\n",
    ),
}
