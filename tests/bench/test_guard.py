"""The benchmarks are developer tools: not in the wheel, refusing a production configuration
and a database holding data they did not create, and the reminders benchmark sends only the
reminders it made."""

from __future__ import annotations

import datetime
import os
import signal
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from setuptools import find_packages

from notifications.models import OutboxMessage, SentMessage, Status
from patients.models import Patient
from tests.factories import PatientFactory, book
from tools.bench import cli, reminders

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["build", "rush", "reminders"]


@pytest.fixture(autouse=True)
def _signals_and_environment() -> Iterator[None]:
    """cli.main takes over SIGINT/SIGTERM and points the environment at its database."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def test_the_tools_are_not_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = find_packages(where=str(ROOT), include=include)
    assert "appointments" in packaged
    assert not [name for name in packaged if name.startswith(("tools", "bench"))]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_refuses_a_production_configuration(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOVETAIL_ENV", "production")
    url = "postgresql://postgres@127.0.0.1:1/dovetail_bench"  # never reached
    assert cli.main([command, "--database-url", url]) == 2
    assert "DOVETAIL_ENV=production" in capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_refuses_a_database_with_someone_elses_patients(
    command: str, test_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real practice's patient (an ODS code outside Y9): nothing is wiped or sent."""
    patient = PatientFactory()
    assert not patient.registered_practice.ods_code.startswith("Y9")
    due = book(patient=patient)
    OutboxMessage.objects.filter(appointment=due).update(next_attempt_at=timezone.now())
    pending = OutboxMessage.objects.filter(status=Status.PENDING).count()
    assert pending

    assert cli.main([command, "--database-url", test_db_url, "--force"]) == 2

    assert "data the bench did not create" in capsys.readouterr().err
    assert Patient.objects.filter(pk=patient.pk).exists()
    assert OutboxMessage.objects.filter(status=Status.PENDING).count() == pending


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # its dispatcher threads need committed rows
def test_the_reminders_benchmark_sends_its_own_reminders_once_and_nothing_else() -> None:
    other = book()
    OutboxMessage.objects.filter(appointment=other).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    theirs = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert theirs

    result = reminders.run(count=30, threads=2, log=lambda line: None)

    assert result["all_sent_once"] and result["reconciliation_problems"] == {}
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == theirs  # its own deleted
    assert not OutboxMessage.objects.exclude(status=Status.PENDING).exists()
    assert not SentMessage.objects.exists()
