"""Recording a set of observations taken together (one entry per measurement)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.access import require_access
from common.errors import ServiceError
from patients.models import Patient
from policy.actor import Actor
from policy.records import RecordAction
from records.clinical import Observation
from records.services.entries import entry_create
from records.vocab import ObservationKind


def observations_record(
    *,
    actor: Actor,
    patient: Patient,
    taken_at: datetime.datetime | None = None,
    systolic: Decimal | None = None,
    diastolic: Decimal | None = None,
    pulse: Decimal | None = None,
    weight: Decimal | None = None,
    height: Decimal | None = None,
    temperature: Decimal | None = None,
    spo2: Decimal | None = None,
) -> list[Observation]:
    """All or nothing: one implausible value and none of the set is recorded."""
    taken_at = taken_at or timezone.now()
    wanted: list[tuple[str, Decimal, Decimal | None]] = []
    if systolic is not None or diastolic is not None:
        if systolic is None or diastolic is None:
            raise ServiceError("Give both systolic and diastolic blood pressure.")
        wanted.append((ObservationKind.BLOOD_PRESSURE, systolic, diastolic))
    for single, value in (
        (ObservationKind.PULSE, pulse),
        (ObservationKind.WEIGHT, weight),
        (ObservationKind.HEIGHT, height),
        (ObservationKind.TEMPERATURE, temperature),
        (ObservationKind.SPO2, spo2),
    ):
        if value is not None:
            wanted.append((single, value, None))
    if not wanted:
        raise ServiceError("Give at least one observation.")
    # Asked (and a refusal audited) before the transaction, which would roll the audit back.
    require_access(
        actor=actor, patient=patient, action=RecordAction.CREATE, entry_type="observation"
    )
    recorded: list[Observation] = []
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        for kind, value, value2 in wanted:
            try:
                entry = entry_create(
                    actor=actor,
                    patient=patient,
                    entry_type="observation",
                    data={"kind": kind, "value": value, "value2": value2, "taken_at": taken_at},
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors.setdefault(field, []).extend(messages)
                continue
            assert isinstance(entry, Observation)
            recorded.append(entry)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationError(errors)
    return recorded
