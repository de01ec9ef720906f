"""The patient's own view of their record online (never sensitive, only from their access date)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from audit.models import AuditAction
from audit.services import audit_write
from patients.models import Patient
from policy.actor import Actor
from records.clinical import (
    Allergy,
    ClinicalEntry,
    Consultation,
    Medication,
    Observation,
    Problem,
)
from records.selectors.reads import current_entries


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
    return current_entries(model, patient, show_sensitive=False).filter(
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
