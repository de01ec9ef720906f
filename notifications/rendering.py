"""Turn an outbox row into words, with a practice's template and a fixed, safe context.

The context is a flat dict of plain strings built here and nowhere else: the patient's first
name, the practice, the site, the clinician's role and the time. Nothing clinical (no
appointment type name, no note, no record entry) is ever put in it, so no template, however it
is edited, can leak a withheld entry. Templates run in a private engine with no loaders and no
tag libraries, and only the tags in ``notifications.template_rules.ALLOWED_TAGS`` are accepted.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from appointments.models import Appointment, AppointmentStatus, Mode
from notifications.defaults import DEFAULT_TEMPLATES
from notifications.models import MessageTemplate, OutboxMessage
from notifications.template_rules import TemplateRejected, render_text

LONDON = ZoneInfo("Europe/London")
logger = logging.getLogger(__name__)

_MODE_WORDS: dict[str, str] = {
    Mode.FACE_TO_FACE: "face to face",
    Mode.TELEPHONE: "telephone",
    Mode.VIDEO: "video",
    Mode.HOME_VISIT: "home visit",
}


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


def format_date(moment: datetime.datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}"


def format_time(moment: datetime.datetime) -> str:
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}:{local:%M}{suffix}"


def _with_article(label: str) -> str:
    words = label if label.isupper() or label[:2].isupper() else label[0].lower() + label[1:]
    article = "an" if words[0].lower() in "aeiou" else "a"
    return f"{article} {words}"


def message_context(message: OutboxMessage, appointment: Appointment) -> dict[str, str]:
    """The complete, fixed context for a message. Plain strings only."""
    site = appointment.site
    role_label = appointment.clinician.get_role_display()
    previous = message.previous_start
    return {
        "patient_first_name": appointment.patient.given_name,
        "practice_name": site.practice.name,
        "practice_phone": site.phone or "the practice",
        "site_name": site.name,
        "site_address": site.address,
        "clinician_role": role_label,
        "with_clinician": _with_article(role_label),
        "mode": _MODE_WORDS.get(appointment.slot.mode, "face to face"),
        "date": format_date(message.appointment_start),
        "time": format_time(message.appointment_start),
        "previous_date": format_date(previous) if previous else "",
        "previous_time": format_time(previous) if previous else "",
        "cancelled_by_practice": (
            "yes" if appointment.status == AppointmentStatus.CANCELLED_BY_PRACTICE else ""
        ),
    }


def template_text(*, practice_id: int, kind: str, channel: str) -> tuple[str, str]:
    """The practice's (subject, body) for this kind and channel, or the default shipped in code."""
    own = (
        MessageTemplate.objects.filter(practice_id=practice_id, kind=kind, channel=channel)
        .values_list("subject", "body")
        .first()
    )
    return own if own is not None else DEFAULT_TEMPLATES[(kind, channel)]


def render_message(message: OutboxMessage, appointment: Appointment) -> RenderedMessage:
    """The practice's wording; if a stored template is broken, the default (and a warning)."""
    subject, body = template_text(
        practice_id=message.practice_id, kind=message.kind, channel=message.channel
    )
    context = message_context(message, appointment)
    try:
        return _render(subject, body, context)
    except TemplateRejected:
        logger.warning(
            "Practice %s: the %s %s template is broken; sending the default wording.",
            message.practice_id,
            message.kind,
            message.channel,
        )
        return _render(*DEFAULT_TEMPLATES[(message.kind, message.channel)], context)


def _render(subject: str, body: str, context: dict[str, str]) -> RenderedMessage:
    return RenderedMessage(
        subject=render_text(subject, context).replace("\n", " "),
        body=render_text(body, context),
    )
