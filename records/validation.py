"""Clinical checks on an entry before it is saved, with messages written for the clinician.

Called from each entry model's ``clean()`` (so services, admin and forms share it). The
database constraints in ``records.clinical`` are the backstop; these give the clear message.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from records.snomed import check_against_store, validate_concept_id
from records.vocab import UNITS

if TYPE_CHECKING:  # annotations only: the models import this module, never the reverse
    from records.clinical import (
        Allergy,
        ClinicalEntry,
        Consultation,
        Medication,
        Observation,
        Problem,
    )

CLOCK_SKEW = datetime.timedelta(minutes=5)


class Range:
    def __init__(self, label: str, low: str, high: str, unit: str) -> None:
        self.label, self.low, self.high, self.unit = label, Decimal(low), Decimal(high), unit

    def check(self, value: Decimal) -> str | None:
        if self.low <= value <= self.high:
            return None
        return (
            f"{self.label} of {value} {self.unit} is not plausible: "
            f"enter a value between {self.low} and {self.high} {self.unit}."
        )


RANGES: dict[str, Range] = {
    "systolic": Range("Systolic blood pressure", "50", "300", "mmHg"),
    "diastolic": Range("Diastolic blood pressure", "20", "200", "mmHg"),
    "pulse": Range("Pulse", "20", "250", "beats/min"),
    "weight": Range("Weight", "0.3", "400", "kg"),
    "height": Range("Height", "20", "250", "cm"),
    "temperature": Range("Temperature", "25", "45", "°C"),
    "spo2": Range("Oxygen saturation", "50", "100", "%"),
}


def _not_future_moment(value: datetime.datetime | None, label: str) -> str | None:
    if value is not None and value > timezone.now() + CLOCK_SKEW:
        return f"The {label} cannot be in the future."
    return None


def _not_future_day(value: datetime.date | None, label: str) -> str | None:
    if value is not None and value > timezone.localdate():
        return f"The {label} cannot be in the future."
    return None


def _not_before_birth(value: datetime.date | None, born: datetime.date, label: str) -> str | None:
    if value is not None and value < born:
        return f"The {label} cannot be before the patient's date of birth ({born:%d/%m/%Y})."
    return None


def validate_entry(entry: ClinicalEntry) -> None:
    """Raise ValidationError (field -> message) if the entry is not clinically plausible."""
    errors: dict[str, str] = {}

    def add(field: str, message: str | None) -> None:
        if message and field not in errors:
            errors[field] = message

    if entry.snomed_concept_id:
        try:
            entry.snomed_concept_id = validate_concept_id(entry.snomed_concept_id)
        except ValidationError as exc:
            add("snomed_concept_id", exc.messages[0])
        else:
            entry.snomed_term, problems = check_against_store(
                entry.snomed_concept_id, entry.snomed_term
            )
            for name, problem in problems.items():
                add(name, problem)
        if not entry.snomed_term.strip():
            add("snomed_term", "Give the SNOMED CT term with the concept id.")
    elif entry.snomed_term.strip():
        add("snomed_concept_id", "Give the SNOMED CT concept id for this term, or neither.")
    if entry.change == "entered_in_error" and len(entry.change_reason.strip()) < 5:
        add("reason", "Say why this entry was entered in error.")

    born = entry.patient.date_of_birth
    checker = _CHECKS.get(type(entry).TYPE)
    if checker is not None:
        for field, message in checker(entry, born):
            add(field, message)
    if errors:
        raise ValidationError(errors)


def _consultation(entry: Consultation, born: datetime.date) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    if not (entry.history.strip() or entry.examination.strip() or entry.plan.strip()):
        out.append(("history", "Write at least one of history, examination or plan."))
    out.append(("consulted_at", _not_future_moment(entry.consulted_at, "consultation time")))
    if entry.consulted_at is not None:
        out.append(
            (
                "consulted_at",
                _not_before_birth(timezone.localdate(entry.consulted_at), born, "consultation"),
            )
        )
    if entry.appointment is not None and entry.appointment.patient_id != entry.patient_id:
        out.append(("appointment", "That appointment is for a different patient."))
    return out


def _problem(entry: Problem, born: datetime.date) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = [
        ("onset_date", _not_future_day(entry.onset_date, "onset date")),
        ("onset_date", _not_before_birth(entry.onset_date, born, "onset date")),
        ("ended_on", _not_future_day(entry.ended_on, "end date")),
    ]
    if not entry.title.strip():
        out.append(("title", "Name the problem."))
    if entry.onset_date and entry.ended_on and entry.ended_on < entry.onset_date:
        out.append(("ended_on", "The problem cannot end before its onset."))
    if entry.ended_on and entry.status == "active":
        out.append(("status", "A problem with an end date is a past problem."))
    return out


def _medication(entry: Medication, born: datetime.date) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = [
        ("start_date", _not_future_day(entry.start_date, "start date")),
        ("start_date", _not_before_birth(entry.start_date, born, "start date")),
    ]
    if not entry.name.strip():
        out.append(("name", "Name the medication."))
    if not entry.dose.strip():
        out.append(("dose", "Give the dose, e.g. one tablet once a day."))
    if entry.stop_date and entry.start_date and entry.stop_date < entry.start_date:
        out.append(("stop_date", "The stop date cannot be before the start date."))
    return out


def _allergy(entry: Allergy, born: datetime.date) -> list[tuple[str, str | None]]:
    if entry.status == "none_known":
        if entry.severity or entry.reaction.strip():
            return [("status", "No known allergies has no severity or reaction.")]
        return []
    out: list[tuple[str, str | None]] = []
    if not entry.substance.strip():
        out.append(("substance", "Name the substance."))
    if not entry.severity:
        out.append(("severity", "Give the severity: mild, moderate or severe."))
    return out


def _observation(entry: Observation, born: datetime.date) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = [
        ("taken_at", _not_future_moment(entry.taken_at, "time of the observation")),
    ]
    if entry.taken_at is not None:
        out.append(
            ("taken_at", _not_before_birth(timezone.localdate(entry.taken_at), born, "observation"))
        )
    kind = entry.kind
    if kind not in UNITS:
        return [*out, ("kind", f"Unknown observation kind {kind!r}.")]
    expected_unit = UNITS[kind]  # type: ignore[index]
    if entry.unit and entry.unit != expected_unit:
        out.append(("unit", f"Record {entry.get_kind_display()} in {expected_unit}."))
    entry.unit = expected_unit
    if entry.value is None:
        return [*out, ("value", "Give the value.")]
    value = Decimal(entry.value)
    if kind == "blood_pressure":
        out.append(("systolic", RANGES["systolic"].check(value)))
        if entry.value2 is None:
            out.append(("diastolic", "Give the diastolic pressure as well as the systolic."))
        else:
            out.append(("diastolic", RANGES["diastolic"].check(Decimal(entry.value2))))
            if Decimal(entry.value2) >= value:
                out.append(("diastolic", "The diastolic pressure must be below the systolic."))
    else:
        message = RANGES[kind].check(value)
        if message and kind == "temperature" and Decimal("77") <= value <= Decimal("113"):
            message += " It looks like °F: record temperature in °C."
        out.append((kind, message))
        if entry.value2 is not None:
            out.append(("value2", "Only blood pressure has a second value."))
    return out


_CHECKS: dict[str, Callable[[Any, datetime.date], list[tuple[str, str | None]]]] = {
    "consultation": _consultation,
    "problem": _problem,
    "medication": _medication,
    "allergy": _allergy,
    "observation": _observation,
}
