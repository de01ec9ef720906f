"""The clinician's view of a record: the summary, alerts and the current entries of a type."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from audit.models import AuditAction
from patients.models import Patient
from policy.actor import Actor
from records.clinical import (
    Allergy,
    Consultation,
    Medication,
    Observation,
    ObservationKind,
    Problem,
)
from records.selectors.reads import audited_record_read, current_entries
from records.services.access import entry_model

RECENT_CONSULTATIONS = 5


@dataclass
class Alert:
    kind: str
    text: str


@dataclass
class PatientSummary:
    patient: Patient
    basis: str
    alerts: list[Alert] = field(default_factory=list)
    active_problems: list[Problem] = field(default_factory=list)
    current_medications: list[Medication] = field(default_factory=list)
    allergies: list[Allergy] = field(default_factory=list)
    """Current allergies and intolerances (never the "no known allergies" statement)."""
    allergy_status: str = "not_recorded"
    """``recorded``, ``none_known`` (stated, and no allergy since) or ``not_recorded``."""
    no_known_allergies: Allergy | None = None
    latest_observations: list[Observation] = field(default_factory=list)
    bmi: Decimal | None = None
    recent_consultations: list[Consultation] = field(default_factory=list)
    sensitive_shown: bool = False


def bmi_from(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def patient_summary(*, actor: Actor, patient: Patient) -> PatientSummary:
    """Demographics, alerts, active problems, current medications, allergies, the latest
    observation of each kind (and BMI), recent consultations: a fixed number of queries
    whatever the size of the record. Sensitive entries only for those allowed."""
    decision, show_sensitive = audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_SUMMARY,
        object_type="patient",
        object_id=patient.pk,
    )
    today = timezone.localdate()
    summary = PatientSummary(patient=patient, basis=decision.basis, sensitive_shown=show_sensitive)
    summary.active_problems = list(
        current_entries(Problem, patient, show_sensitive=show_sensitive)
        .filter(status=Problem.Status.ACTIVE)
        .order_by("-onset_date", "-recorded_at")
    )
    summary.current_medications = list(
        current_entries(Medication, patient, show_sensitive=show_sensitive)
        .filter(Q(stop_date__isnull=True) | Q(stop_date__gte=today))
        .order_by("name")
    )
    allergies = list(
        current_entries(Allergy, patient, show_sensitive=show_sensitive).order_by("substance")
    )
    summary.allergies = [a for a in allergies if a.status == Allergy.Status.ALLERGY]
    stated = [a for a in allergies if a.status == Allergy.Status.NONE_KNOWN]
    if summary.allergies:
        summary.allergy_status = "recorded"
    elif stated:
        summary.allergy_status, summary.no_known_allergies = "none_known", stated[0]
    summary.latest_observations = list(
        current_entries(Observation, patient, show_sensitive=show_sensitive)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("kind")],
                order_by=[F("taken_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .order_by("kind")
    )
    summary.recent_consultations = list(
        current_entries(Consultation, patient, show_sensitive=show_sensitive).order_by(
            "-consulted_at", "-pk"
        )[:RECENT_CONSULTATIONS]
    )
    latest = {o.kind: o for o in summary.latest_observations}
    weight, height = latest.get(ObservationKind.WEIGHT), latest.get(ObservationKind.HEIGHT)
    if weight is not None and height is not None:
        summary.bmi = bmi_from(weight.value, height.value)
    summary.alerts = _alerts(summary)
    return summary


def _alerts(summary: PatientSummary) -> list[Alert]:
    alerts: list[Alert] = []
    if summary.patient.is_deceased:
        alerts.append(Alert("deceased", f"Died {summary.patient.date_of_death:%d/%m/%Y}."))
    for allergy in summary.allergies:
        text = f"Allergy: {allergy.substance} ({allergy.get_severity_display().lower()})"
        alerts.append(
            Alert("allergy", text + (f": {allergy.reaction}" if allergy.reaction else ""))
        )
    sensitive = [
        e
        for group in (
            summary.active_problems,
            summary.current_medications,
            summary.allergies,
            summary.recent_consultations,
        )
        for e in group
        if e.sensitive
    ]
    if sensitive:
        alerts.append(
            Alert("sensitive", f"This record has {len(sensitive)} sensitive entries shown here.")
        )
    return alerts


def entries_current(*, actor: Actor, patient: Patient, entry_type: str) -> QuerySet[Any]:
    """Every current entry of one type, newest first (audited as a view of the record)."""
    model = entry_model(entry_type)
    _decision, show_sensitive = audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_RECORD,
        object_type=entry_type,
        detail="list",
    )
    entries = current_entries(model, patient, show_sensitive=show_sensitive)
    return entries.order_by("-recorded_at", "-pk")
