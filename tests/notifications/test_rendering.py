from __future__ import annotations

import datetime

import pytest

from notifications.models import Kind, MessageTemplate, OutboxMessage
from notifications.quiet_hours import LONDON
from notifications.rendering import message_context, render_message
from notifications.template_rules import CONTEXT_VARIABLES, TemplateRejected, check_template
from staff.roles import Role
from tests.expect import invalid
from tests.factories import book, reschedule

pytestmark = pytest.mark.django_db

WEDNESDAY_MORNING = datetime.datetime(2030, 1, 9, 9, 30, tzinfo=LONDON)


def message_for(kind: str, channel: str = "sms", **kwargs: object) -> OutboxMessage:
    appointment = book(**kwargs)
    return OutboxMessage.objects.filter(appointment=appointment, kind=kind, channel=channel).first()  # type: ignore[return-value]


def test_a_reminder_names_site_address_role_local_time_and_how_to_cancel() -> None:
    message = message_for(
        Kind.REMINDER,
        slot__session__start=WEDNESDAY_MORNING,
        slot__session__clinician__role=Role.NURSE,
    )
    site = message.appointment.site

    body = render_message(message, message.appointment).body

    assert site.name in body
    assert site.address in body
    assert "a practice nurse" in body
    assert "9:30am on Wednesday 9 January 2030" in body
    assert site.phone in body
    assert "a missed appointment costs another patient a slot" in body


def test_times_are_given_in_london_summer_time() -> None:
    summer = datetime.datetime(2030, 7, 10, 8, 15, tzinfo=datetime.UTC)
    message = message_for(Kind.CONFIRMATION, slot__session__start=summer)

    assert "9:15am" in render_message(message, message.appointment).body


def test_a_practice_template_replaces_the_default_wording() -> None:
    message = message_for(Kind.CONFIRMATION, channel="email")
    MessageTemplate.objects.create(
        practice=message.practice,
        kind=Kind.CONFIRMATION,
        channel="email",
        subject="Booked: {{ date }}",
        body="See you at {{ site_name }}, {{ patient_first_name }}.",
    )

    rendered = render_message(message, message.appointment)

    assert rendered.subject.startswith("Booked: ")
    assert rendered.body == (
        f"See you at {message.appointment.site.name}, {message.appointment.patient.given_name}."
    )


def test_another_practices_template_is_not_used() -> None:
    message = message_for(Kind.CONFIRMATION)
    other = message_for(Kind.CONFIRMATION)
    MessageTemplate.objects.create(
        practice=other.practice, kind=Kind.CONFIRMATION, channel="sms", body="Other practice"
    )

    assert "Other practice" not in render_message(message, message.appointment).body


def test_a_reschedule_notice_gives_the_old_and_new_times() -> None:
    appointment = book(slot__session__start=WEDNESDAY_MORNING)
    reschedule(appointment, to=datetime.datetime(2030, 1, 10, 14, 0, tzinfo=LONDON))
    message = OutboxMessage.objects.get(
        appointment=appointment, kind=Kind.RESCHEDULE, channel="sms"
    )

    body = render_message(message, appointment).body

    assert "from 9:30am on Wednesday 9 January 2030 to 2:00pm on Thursday 10 January 2030" in body


def test_the_context_holds_only_the_fixed_plain_string_variables() -> None:
    message = message_for(Kind.REMINDER, note="Discuss smear result")

    context = message_context(message, message.appointment)

    assert set(context) == set(CONTEXT_VARIABLES)
    assert all(isinstance(value, str) for value in context.values())
    assert "smear" not in " ".join(context.values()).lower()


def test_the_appointment_type_name_never_reaches_a_message() -> None:
    message = message_for(Kind.REMINDER, slot__appointment_type__name="Sexual health review")

    body = render_message(message, message.appointment).body

    assert "Sexual health" not in body


@pytest.mark.parametrize(
    "text",
    [
        "{% debug %}",
        "{% load static %}",
        "{% include 'x.html' %}",
        "{% if %}",
        "{{ date|nosuchfilter }}",
    ],
)
def test_unsafe_or_broken_templates_are_rejected(text: str) -> None:
    with pytest.raises(TemplateRejected):
        check_template(text)


def test_saving_a_template_with_a_forbidden_tag_fails_validation() -> None:

    message = message_for(Kind.CONFIRMATION)
    template = MessageTemplate(
        practice=message.practice, kind=Kind.CONFIRMATION, channel="sms", body="{% debug %}"
    )

    with invalid(body="{% debug %} is not allowed"):
        template.full_clean()
