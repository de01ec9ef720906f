"""Reading patients and their record. Every read of a record is audited here, so that the API,
pages and admin cannot forget to; the policy is asked before anything is read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from audit.access import require, require_access
from audit.models import AuditAction
from audit.services import audit_write
from common.errors import NotFound
from patients.models import Patient
from policy.actor import Actor
from policy.records import Decision, RecordAction
from records.clinical import (
    Allergy,
    Change,
    ClinicalEntry,
    Consultation,
    Medication,
    Observation,
    ObservationKind,
    Problem,
)
from records.services.access import entry_model

RECENT_CONSULTATIONS = 5


# The record ---------------------------------------------------------------------------------


def _current(
    model: type[ClinicalEntry], patient: Patient, *, show_sensitive: bool
) -> QuerySet[Any]:
    """The current version of each entry that was not entered in error."""
    manager: Any = model._default_manager  # abstract base: the plugin cannot see next_version
    qs = (
        manager.filter(patient=patient, next_version__isnull=True)
        .exclude(change=Change.ENTERED_IN_ERROR)
        .select_related("author__user", "site")
    )
    return qs if show_sensitive else qs.filter(sensitive=False)


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
    latest_observations: list[Observation] = field(default_factory=list)
    bmi: Decimal | None = None
    recent_consultations: list[Consultation] = field(default_factory=list)
    sensitive_shown: bool = False


def bmi_from(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _audited_record_read(
    *,
    actor: Actor,
    patient: Patient,
    action: str,
    object_type: str,
    object_id: object = "",
    detail: str = "",
) -> tuple[Decision, bool]:
    """Every read of clinical entries starts here: the policy must allow the record (a refusal
    raises and is audited), the read is audited with its basis, and the caller learns whether
    sensitive entries may be shown."""
    access, decision = require_access(actor=actor, patient=patient, action=RecordAction.VIEW_RECORD)
    show_sensitive = access.decide(RecordAction.VIEW_SENSITIVE).allowed
    audit_write(
        actor=actor,
        action=action,
        basis=decision.basis,
        patient=patient,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    return decision, show_sensitive


def patient_summary(*, actor: Actor, patient: Patient) -> PatientSummary:
    """Demographics, alerts, active problems, current medications, allergies, the latest
    observation of each kind (and BMI), recent consultations: a fixed number of queries
    whatever the size of the record. Sensitive entries only for those allowed."""
    decision, show_sensitive = _audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_SUMMARY,
        object_type="patient",
        object_id=patient.pk,
    )
    today = timezone.localdate()
    summary = PatientSummary(patient=patient, basis=decision.basis, sensitive_shown=show_sensitive)
    summary.active_problems = list(
        _current(Problem, patient, show_sensitive=show_sensitive)
        .filter(status=Problem.Status.ACTIVE)
        .order_by("-onset_date", "-recorded_at")
    )
    summary.current_medications = list(
        _current(Medication, patient, show_sensitive=show_sensitive)
        .filter(Q(stop_date__isnull=True) | Q(stop_date__gte=today))
        .order_by("name")
    )
    summary.allergies = list(
        _current(Allergy, patient, show_sensitive=show_sensitive).order_by("substance")
    )
    summary.latest_observations = list(
        _current(Observation, patient, show_sensitive=show_sensitive)
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
        _current(Consultation, patient, show_sensitive=show_sensitive).order_by(
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
    _decision, show_sensitive = _audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_RECORD,
        object_type=entry_type,
        detail="list",
    )
    return _current(model, patient, show_sensitive=show_sensitive).order_by("-recorded_at", "-pk")


def entry_history(
    *, actor: Actor, patient: Patient, entry_type: str, entry_id: int
) -> list[ClinicalEntry]:
    """All versions of one entry, oldest first, including entered-in-error (audited)."""
    model = entry_model(entry_type)
    access, decision = require_access(actor=actor, patient=patient, action=RecordAction.VIEW_RECORD)
    manager: Any = model._default_manager
    lineage = manager.filter(pk=entry_id, patient=patient).values_list("lineage", flat=True).first()
    if lineage is None:
        raise NotFound(f"This patient has no {entry_type} with id {entry_id}.")
    versions = list(
        manager.filter(lineage=lineage).select_related("author__user", "site").order_by("version")
    )
    if any(v.sensitive for v in versions):
        require(access, RecordAction.VIEW_SENSITIVE, entry_type=entry_type, object_id=entry_id)
    audit_write(
        actor=actor,
        action=AuditAction.VIEW_RECORD,
        basis=decision.basis,
        patient=patient,
        object_type=entry_type,
        object_id=entry_id,
        detail="history",
    )
    return versions


# The patient's own record online -------------------------------------------------------------


@dataclass
class OnlineRecord:
    """What a patient sees online: entries recorded since ``access_from``, never sensitive
    and never withheld from the patient."""

    patient: Patient
    access_from: datetime.datetime
    consultations: list[Consultation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    allergies: list[Allergy] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


def online_entries(model: type[ClinicalEntry], patient: Patient, access_from: Any) -> QuerySet[Any]:
    """Current, not-in-error, not sensitive, not withheld entries recorded since access began.

    An amended entry counts from its first version: a version written after the access date of
    an entry first recorded before it is still prospective-access-hidden.
    """
    manager: Any = model._default_manager
    first_versions = manager.filter(version=1, recorded_at__gte=access_from).values("lineage")
    return _current(model, patient, show_sensitive=False).filter(
        withheld_from_patient=False, lineage__in=first_versions
    )


def patient_online_record(*, actor: Actor, patient: Patient) -> OnlineRecord:
    """The record as the patient (or their proxy) sees it online; audited as a patient view."""
    from policy.online import (
        PATIENT_ONLINE_BASIS,
        check_may_view_online_record,
        record_access_from,
    )

    check_may_view_online_record(actor, patient)
    access_from = record_access_from(actor, patient)
    audit_write(
        actor=actor,
        action=AuditAction.VIEW_SUMMARY,
        basis=PATIENT_ONLINE_BASIS,
        patient=patient,
        object_type="patient",
        object_id=patient.pk,
        detail="online record",
    )
    record = OnlineRecord(patient=patient, access_from=access_from)
    record.consultations = list(
        online_entries(Consultation, patient, access_from).order_by("-consulted_at", "-pk")
    )
    record.problems = list(
        online_entries(Problem, patient, access_from).order_by("status", "-onset_date", "-pk")
    )
    record.medications = list(
        online_entries(Medication, patient, access_from).order_by("-start_date", "name")
    )
    record.allergies = list(online_entries(Allergy, patient, access_from).order_by("substance"))
    record.observations = list(
        online_entries(Observation, patient, access_from).order_by("-taken_at", "-pk")
    )
    return record


def consultation_history(*, actor: Actor, patient: Patient, limit: int = 100) -> list[Consultation]:
    """The current version of each consultation, newest first, including those marked entered
    in error (shown struck through with the reason) and with ``version`` > 1 when amended.
    Audited as a view of the record; sensitive ones only for those allowed. One query."""
    _decision, show_sensitive = _audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_RECORD,
        object_type="consultation",
        detail="history",
    )
    qs = Consultation.objects.filter(patient=patient, next_version__isnull=True).select_related(
        "author__user", "site"
    )
    if not show_sensitive:
        qs = qs.filter(sensitive=False)
    return list(qs.order_by("-consulted_at", "-pk")[:limit])


def consultations_for_appointment(
    *, actor: Actor, patient: Patient, appointment_id: int
) -> list[Consultation]:
    """The current notes written for one appointment (so the consultation page shows what is
    already saved instead of inviting a duplicate). Audited as a view of the record."""
    _decision, show_sensitive = _audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_RECORD,
        object_type="consultation",
        detail=f"appointment {appointment_id}",
    )
    qs = (
        _current(Consultation, patient, show_sensitive=show_sensitive)
        .filter(appointment_id=appointment_id)
        .order_by("consulted_at", "pk")
    )
    return list(qs)
