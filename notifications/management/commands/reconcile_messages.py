"""Count messages against appointments and list anything lost or doubled. Exit 1 on problems."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from notifications.selectors import reconcile
from practices.models import Practice


class Command(BaseCommand):
    help = "Reconcile outbox messages against appointments booked in the last N hours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24 * 7, help="Look back this far.")
        parser.add_argument("--practice", help="ODS code: only this practice.")
        parser.add_argument("--limit", type=int, default=50, help="Problems to list.")

    def handle(self, *args: Any, **options: Any) -> None:
        practice = None
        if options["practice"]:
            practice = Practice.objects.filter(ods_code=options["practice"].upper()).first()
            if practice is None:
                raise CommandError(f"No practice with ODS code {options['practice']}.")
        since = timezone.now() - datetime.timedelta(hours=options["hours"])
        report = reconcile(since=since, practice=practice)
        self.stdout.write(
            f"Appointments booked since {since:%Y-%m-%d %H:%M}: {report.appointments}"
        )
        self.stdout.write(
            "Messages: " + ", ".join(f"{status} {n}" for status, n in report.counts.items())
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("Nothing lost or doubled."))
            return
        self.stdout.write(self.style.ERROR(f"Problems: {report.problem_counts()}"))
        for problem in report.problems[: options["limit"]]:
            self.stdout.write(
                f"  {problem.code}: appointment {problem.appointment_id} "
                f"message {problem.message_id} ({problem.detail})"
            )
        raise CommandError("Reconciliation found problems.", returncode=1)
