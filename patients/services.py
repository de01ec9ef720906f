"""Registering patients with the practice and changing their demographics.

The policy decides (``policy.records.demographics_write_decision``); the model validates and
normalises (NHS number checksum, postcode, UK mobile, consents); every write and every refusal
is audited, like the rest of the record.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.access import refuse
from audit.models import AuditAction
from audit.services import audit_write
from patients.models import Patient
from policy.actor import Actor
from policy.records import demographics_write_decision

DEMOGRAPHIC_FIELDS = (
    "nhs_number", "given_name", "family_name", "date_of_birth", "sex", "address_line1",
    "address_line2", "town", "postcode", "mobile", "email", "sms_consent", "email_consent",
    "preferred_site",
)
DUPLICATE_NHS_NUMBER = "A patient with this NHS number is already registered."


def _save(patient: Patient, *, fields: list[str] | None = None) -> None:
    patient.full_clean()
    try:
        with transaction.atomic():
            patient.save(update_fields=fields)
    except IntegrityError:  # two receptionists registering the same person at once
        raise ValidationError({"nhs_number": DUPLICATE_NHS_NUMBER}) from None


def patient_register(*, actor: Actor, data: dict[str, Any]) -> Patient:
    """Register a new patient with the actor's practice. Raises ValidationError (per field)."""
    decision = demographics_write_decision(actor)
    if not decision.allowed:
        raise refuse(actor=actor, decision=decision, action="register", patient=None,
                     object_type="patient")
    assert actor.practice_id is not None  # an allowed actor is a practice's staff member
    patient = Patient(
        registered_practice_id=actor.practice_id,
        **{name: data[name] for name in DEMOGRAPHIC_FIELDS if name in data},
    )
    with transaction.atomic():
        _save(patient)
        audit_write(actor=actor, action=AuditAction.CREATE, basis=decision.basis,
                    patient=patient, object_type="patient", object_id=patient.pk,
                    detail="registered")
    return patient


def patient_update_demographics(
    *, actor: Actor, patient: Patient, data: dict[str, Any]
) -> Patient:
    """Change a patient's demographics; the audit names the fields changed (not the values)."""
    decision = demographics_write_decision(actor, patient=patient)
    if not decision.allowed:
        raise refuse(actor=actor, decision=decision, action="amend demographics",
                     patient=patient, object_type="patient", object_id=patient.pk)
    changed = [
        name for name in DEMOGRAPHIC_FIELDS
        if name in data and getattr(patient, name) != data[name]
    ]
    if not changed:
        return patient
    for name in changed:
        setattr(patient, name, data[name])
    with transaction.atomic():
        _save(patient, fields=changed)
        audit_write(actor=actor, action=AuditAction.AMEND, basis=decision.basis,
                    patient=patient, object_type="patient", object_id=patient.pk,
                    detail="demographics: " + ", ".join(changed))
    return patient
