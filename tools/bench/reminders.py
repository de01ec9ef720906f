"""``python -m tools.bench reminders``: N due reminders sent through the real claim, render,
send and record path, with the local backend (SentMessage).

It makes its own practice (an ODS code in the Y99xxx range, which the bench owns), sends only
the reminders it made, by their ids, and deletes everything it made afterwards unless
``keep``. Other practices' due reminders are never claimed: the dispatcher's own "everything
due" queries are not used. The command line refuses a production configuration or a database
holding anyone else's patients (``tools.bench.guard``). The result: messages/s and whether
every reminder was sent exactly once (one SentMessage per reference, every row sent,
reconciliation clean).
"""

from __future__ import annotations

import datetime
import json
import os
import random
import subprocess
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from appointments.models import Appointment, AppointmentType, Channel, Mode, Session, Slot
from notifications import dispatch
from notifications.backends import reset_backends
from notifications.models import Kind, OutboxMessage, SentMessage, Status
from notifications.selectors import reconcile
from patients.models import Patient
from patients.nhs_number import make_nhs_number
from practices.models import Practice, Site
from staff.models import StaffMember
from staff.roles import Role

PATIENTS = 200


class NotSentOnce(Exception):
    """Some reminder was not sent exactly once."""


def run(*, count: int = 10_000, threads: int = 4, celery: int = 0, keep: bool = False,
        log: Any = print) -> dict[str, Any]:
    """Make ``count`` due reminders, send them, check and (unless ``keep``) delete them.
    Raises NotSentOnce, with the result, unless every reminder was sent exactly once."""
    settings.NOTIFICATIONS_BACKEND = "local"
    settings.NOTIFICATIONS_SMS_QUIET_HOURS = (datetime.time(0), datetime.time(0))
    reset_backends()
    started_at = timezone.now()
    log(f"Creating {count} due reminders...")
    t0 = time.perf_counter()
    practice, ids = _create_due_reminders(count)
    created_s = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        if celery:
            mode = f"celery x{celery}"
            _run_celery(celery, ids)
        else:
            mode = f"threads x{threads}"
            _run_threads(threads, ids)
        elapsed = time.perf_counter() - t0
        result = _check(practice, ids, started_at)
        result.update(
            mode=mode,
            count=count,
            setup_seconds=round(created_s, 2),
            seconds=round(elapsed, 2),
            messages_per_second=round(count / elapsed, 1),
        )
        if not result["all_sent_once"] or result["reconciliation_problems"]:
            raise NotSentOnce(json.dumps(result))
        return result
    finally:
        if not keep:
            _delete(practice)


def _create_due_reminders(count: int) -> tuple[Practice, list[int]]:
    now = timezone.now()
    with transaction.atomic():
        while True:
            ods = f"Y99{random.randrange(1000):03d}"  # the bench's own range (guard.py)
            if not Practice.objects.filter(ods_code=ods).exists():
                break
        practice = Practice.objects.create(name=f"Bench practice {ods}", ods_code=ods)
        site = Site.objects.create(
            practice=practice,
            name="Bench Surgery",
            address_line1="1 Bench Road",
            town="Oxford",
            postcode="OX2 9AS",
            phone="01865 248719",
        )
        user = get_user_model().objects.create(username=f"bench-{ods}", last_name="Bench")
        clinician = StaffMember.objects.create(user=user, practice=practice, role=Role.HCA)
        clinician.sites.add(site)
        kind = AppointmentType.objects.create(
            practice=practice, name="Bench", duration_minutes=10, mode=Mode.FACE_TO_FACE
        )
        first = (now + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
        step = datetime.timedelta(minutes=10)
        session = Session.objects.create(
            clinician=clinician, site=site, start=first, end=first + step * count
        )
        slots = Slot.objects.bulk_create(
            Slot(
                session=session,
                practice=practice,
                site=site,
                clinician=clinician,
                role=Role.HCA,
                appointment_type=kind,
                mode=Mode.FACE_TO_FACE,
                start=first + step * i,
                end=first + step * (i + 1),
                booked=True,
            )
            for i in range(count)
        )
        patients = Patient.objects.bulk_create(_patients(practice))
        appointments = Appointment.objects.bulk_create(
            Appointment(
                slot=slot,
                patient=patients[i % len(patients)],
                clinician=clinician,
                site=site,
                start=slot.start,
                end=slot.end,
                channel=Channel.RECEPTION,
                booked_by=user,
            )
            for i, slot in enumerate(slots)
        )
        due = now - datetime.timedelta(minutes=1)
        rows = OutboxMessage.objects.bulk_create(
            OutboxMessage(
                appointment=appointment,
                patient_id=appointment.patient_id,
                practice=practice,
                kind=Kind.REMINDER,
                channel="sms" if i % 2 else "email",
                appointment_version=1,
                hours_before=48,
                appointment_start=appointment.start,
                due_at=due,
                not_before=due,
                next_attempt_at=due,
            )
            for i, appointment in enumerate(appointments)
        )
    return practice, [row.pk for row in rows]


def _patients(practice: Practice) -> list[Patient]:
    taken = set(Patient.objects.values_list("nhs_number", flat=True))
    patients: list[Patient] = []
    serial = random.randrange(900_000)
    while len(patients) < PATIENTS:
        serial = (serial + 1) % 1_000_000
        number = make_nhs_number(serial)
        if number is None or number in taken:
            continue
        taken.add(number)
        patients.append(
            Patient(
                nhs_number=number,
                given_name="Bench",
                family_name=f"Patient{len(patients)}",
                date_of_birth=datetime.date(1980, 1, 1),
                sex=Patient.Sex.UNKNOWN,
                address_line1="2 Bench Road",
                town="Oxford",
                postcode="OX2 9AS",
                mobile="+447700900001",  # Ofcom drama range: never a real phone
                email=f"bench{len(patients)}@example.com",
                sms_consent=True,
                email_consent=True,
                registered_practice=practice,
                registration_date=datetime.date(2020, 1, 1),
            )
        )
    return patients


def _run_threads(threads: int, ids: list[int]) -> None:
    """Deliver the reminders ``ids`` (and nothing else) from ``threads`` threads."""
    todo = list(reversed(ids))
    lock = threading.Lock()

    def dispatcher() -> None:
        try:
            while True:
                with lock:
                    if not todo:
                        return
                    message_id = todo.pop()
                dispatch.deliver(message_id)
        finally:
            connection.close()

    workers = [threading.Thread(target=dispatcher) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def _run_celery(processes: int, ids: list[int]) -> None:
    env = {
        **os.environ,
        "NOTIFICATIONS_BACKEND": "local",
        "NOTIFICATIONS_SMS_QUIET_HOURS": "00:00-00:00",
    }
    worker = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={processes}",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        dispatch.publish(ids)  # these reminders only, never every practice's due ones
        deadline = time.monotonic() + 3600
        while OutboxMessage.objects.filter(pk__in=ids).exclude(status=Status.SENT).exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("The worker stopped (or took over an hour).")
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def _check(practice: Practice, ids: list[int], since: datetime.datetime) -> dict[str, Any]:
    rows = OutboxMessage.objects.filter(pk__in=ids)
    references = rows.values("reference")
    delivered = SentMessage.objects.filter(reference__in=references).count()
    sent = rows.filter(status=Status.SENT).count()
    report = reconcile(since=since, practice=practice, check_local_backend=True)
    return {
        "sent_rows": sent,
        "delivered": delivered,
        "all_sent_once": sent == len(ids) == delivered,
        "reconciliation_problems": report.problem_counts(),
    }


def _delete(practice: Practice) -> None:
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(practice=practice)
        SentMessage.objects.filter(reference__in=rows.values("reference")).delete()
        rows.delete()
        Appointment.objects.filter(site__practice=practice).delete()
        Slot.objects.filter(practice=practice).delete()
        Session.objects.filter(site__practice=practice).delete()
        Patient.objects.filter(registered_practice=practice).delete()
        AppointmentType.objects.filter(practice=practice).delete()
        staff = StaffMember.objects.filter(practice=practice)
        users = list(staff.values_list("user_id", flat=True))
        staff.delete()
        get_user_model().objects.filter(pk__in=users).delete()
        Site.objects.filter(practice=practice).delete()
        practice.delete()
