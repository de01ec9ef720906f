"""``manage.py generate_slots [--days N] [--start YYYY-MM-DD] [--practice K84016]``."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from appointments.services.rota import rota_generate
from practices.models import Practice


class Command(BaseCommand):
    help = "Turn the weekly rota into sessions and slots for the coming weeks (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"How many days ahead (default SLOT_HORIZON_DAYS={settings.SLOT_HORIZON_DAYS}).",
        )
        parser.add_argument("--start", help="First day, YYYY-MM-DD (default today).")
        parser.add_argument("--practice", help="Only this practice (ODS code).")

    def handle(self, *args: Any, **options: Any) -> None:
        start = timezone.localdate()
        if options["start"]:
            try:
                start = datetime.date.fromisoformat(options["start"])
            except ValueError:
                raise CommandError("--start must be a date like 2026-11-23.") from None
        practice = None
        if options["practice"]:
            practice = Practice.objects.filter(ods_code=options["practice"].upper()).first()
            if practice is None:
                raise CommandError(f"No practice has ODS code {options['practice']}.")
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        result = rota_generate(start=start, days=days, practice=practice)
        for conflict in result.conflicts:
            self.stderr.write(self.style.WARNING(conflict))
        self.stdout.write(self.style.SUCCESS(result.summary()))
