"""``manage.py seed_demo``: build the demo practice. Safe to run again; refused in production."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from common.demo import DemoContext, DemoStepMissing, run_demo_steps
from patients.demo import DEFAULT_PATIENTS, MAX_PATIENTS


def patient_count(text: str) -> int:
    """Parse ``--patients``: a whole number from 1 to MAX_PATIENTS, else a clear CommandError."""
    try:
        number = int(text.strip().replace("_", "").replace(",", ""))
    except ValueError:
        message = f"--patients must be a whole number, like 15000 (got {text!r})."
        raise CommandError(message) from None
    if not 1 <= number <= MAX_PATIENTS:
        raise CommandError(
            f"--patients must be between 1 and {MAX_PATIENTS:,} (got {number:,}): the NHS "
            "number test range 999 holds only about 909,000 valid numbers."
        )
    return number


class Command(BaseCommand):
    help = (
        "Build the demo practice (Botley Medical Centre, K84016): two sites, staff of every "
        "role with one login per role, and a patient list. Running it again changes nothing. "
        "Refuses to run when DOVETAIL_ENV=production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients",
            type=str,
            default=str(DEFAULT_PATIENTS),
            help=f"How many patients (default {DEFAULT_PATIENTS:,}, at most {MAX_PATIENTS:,}).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed: same seed, same demo data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run with DOVETAIL_ENV=production: it creates logins "
                "with a published password. Use a development database."
            )
        count = patient_count(options["patients"])
        ctx = DemoContext(
            password=settings.DEMO_PASSWORD,
            seed=options["seed"],
            options={"patients": count},
        )
        started = time.monotonic()
        try:
            with transaction.atomic():
                run_demo_steps(ctx)
        except DemoStepMissing as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(f"The demo data was refused: {'; '.join(exc.messages)}") from exc
        elapsed = time.monotonic() - started

        self.stdout.write(self.style.SUCCESS(f"Demo practice ready in {elapsed:.1f}s."))
        for line in ctx.summary:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"  Logins (password from DEMO_PASSWORD: {ctx.password!r}):")
        for username, who in ctx.logins.items():
            self.stdout.write(f"    {username:<11} {who}")
