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
