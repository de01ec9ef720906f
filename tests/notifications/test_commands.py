from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.factories import AppointmentFactory, book

pytestmark = pytest.mark.django_db


def test_reconcile_messages_reports_success_when_nothing_is_wrong() -> None:
    book()
    out = StringIO()

    call_command("reconcile_messages", "--hours", "1", stdout=out)

    assert "Nothing lost or doubled." in out.getvalue()


def test_reconcile_messages_fails_and_lists_a_lost_booking() -> None:
    silent: Any = AppointmentFactory()
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("reconcile_messages", "--hours", "1", stdout=out)

    assert raised.value.returncode == 1
    assert f"no_messages: appointment {silent.pk}" in out.getvalue()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # its dispatcher threads need committed rows
def test_bench_reminders_sends_each_reminder_once_and_cleans_up() -> None:
    from notifications.models import OutboxMessage, SentMessage

    out = StringIO()
    call_command(
        "bench_reminders", "--count", "30", "--threads", "1", stdout=out, stderr=StringIO()
    )

    assert '"all_sent_once": true' in out.getvalue()
    assert '"reconciliation_problems": {}' in out.getvalue()
    assert not OutboxMessage.objects.exists()
    assert not SentMessage.objects.exists()
