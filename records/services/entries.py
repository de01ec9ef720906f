"""Writing the record: create an entry, amend it (a new version), mark it entered in error.

Nothing here updates or deletes a row: each call inserts one version (ADR 0031). The policy
is asked first (refusals audited), then the entry is validated, inserted and audited in one
small transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.access import require, require_access
from audit.models import AuditAction
from audit.services import audit_write
from common.errors import Conflict, NotFound, ServiceError
from patients.models import Patient
from policy.actor import Actor
from policy.records import PatientAccess, RecordAction
from records.clinical import CODING_AND_FLAGS, Change, ClinicalEntry, Observation
from records.services.access import entry_model
from records.services.allergies import allergy_prepare, medication_allergy_check
from records.vocab import UNITS


def author_site_id(actor: Actor) -> int:
    """The site the entry was written at: the actor's working site, else their first site."""
    if actor.site_id is not None:
        return actor.site_id
    assert actor.staff is not None
    site_id = actor.staff.sites.order_by("pk").values_list("pk", flat=True).first()
    if site_id is None:
        raise ServiceError("Choose the site you are working at before writing in the record.")
    return site_id


def _check_fields(model: type[ClinicalEntry], data: dict[str, Any]) -> None:
    allowed = set(model.CONTENT_FIELDS) | set(CODING_AND_FLAGS)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ServiceError(f"A {model.TYPE} has no field {', '.join(unknown)}.")


def _check_sensitive_flag(access: PatientAccess, data: dict[str, Any], entry_type: str) -> None:
    """Only someone who may see sensitive entries may mark one sensitive."""
    if data.get("sensitive"):
        require(access, RecordAction.VIEW_SENSITIVE, entry_type=entry_type)


def _insert(
    entry: ClinicalEntry, *, actor: Actor, action: str, basis: str, detail: str = ""
) -> ClinicalEntry:
    if isinstance(entry, Observation) and not entry.unit:
        entry.unit = UNITS.get(entry.kind, "")  # type: ignore[call-overload]
    entry.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
            audit_write(
                actor=actor,
                action=action,
                basis=basis,
                patient=entry.patient,
                object_type=entry.TYPE,
                object_id=entry.pk,
                detail=detail or entry.change_reason,
            )
    except IntegrityError as exc:
        if "consultation_one_per_appointment" in str(exc):
            raise Conflict(
                "Notes for this appointment have already been saved: amend them instead."
            ) from None
        raise Conflict(
            "Someone else changed this entry at the same time: reload it and try again."
        ) from None
    return entry


def entry_create(
    *,
    actor: Actor,
    patient: Patient,
    entry_type: str,
    data: dict[str, Any],
    acknowledge: bool = False,
    acknowledge_reason: str = "",
) -> ClinicalEntry:
    """Record a new entry. A medication that conflicts with a recorded allergy raises
    ``AllergyConflictError`` (409) unless ``acknowledge`` is given with a reason, which is then
    stored on the entry and in the audit event."""
    model = entry_model(entry_type)
    access, decision = require_access(
        actor=actor, patient=patient, action=RecordAction.CREATE, entry_type=entry_type
    )
    _check_fields(model, data)
    _check_sensitive_flag(access, data, entry_type)
    assert actor.staff is not None
    site_id = author_site_id(actor)
    with transaction.atomic():
        detail = ""
        if entry_type in ("medication", "allergy"):
            # One lock order for the patient's allergy state: the patient row first.
            Patient.objects.select_for_update().filter(pk=patient.pk).first()
        if entry_type == "medication":
            override = medication_allergy_check(
                patient=patient, data=data, acknowledge=acknowledge, reason=acknowledge_reason
            )
            if override:
                detail = (
                    f"Allergy warning overridden: {override['allergy_warning']} "
                    f"Reason: {override['allergy_override_reason']}"
                )
            data = {**data, **override}
        elif entry_type == "allergy":
            data = allergy_prepare(patient=patient, data=data)
        entry = model(
            patient=patient,
            author=actor.staff,
            author_role=actor.staff.role,
            site_id=site_id,
            **data,
        )
        return _insert(
            entry, actor=actor, action=AuditAction.CREATE, basis=decision.basis, detail=detail
        )


def _current_version(
    access: PatientAccess, model: type[ClinicalEntry], entry_id: int, action: RecordAction
) -> ClinicalEntry:
    manager: Any = model._default_manager  # abstract base: the plugin cannot see next_version
    entry = (
        manager.select_related("next_version").filter(pk=entry_id, patient=access.patient).first()
    )
    if entry is None:
        raise NotFound(f"This patient has no {model.TYPE} with id {entry_id}.")
    if entry.sensitive:
        require(access, RecordAction.VIEW_SENSITIVE, entry_type=model.TYPE, object_id=entry_id)
    newer = getattr(entry, "next_version", None)
    if newer is not None:
        raise Conflict(
            f"This {model.TYPE} has been changed since (version {entry.version + 1} exists): "
            "work on the current version."
        )
    if entry.change == Change.ENTERED_IN_ERROR:
        raise Conflict(f"This {model.TYPE} was marked entered in error: it cannot be changed.")
    return entry


def _next_version(previous: ClinicalEntry, *, actor: Actor, change: str, reason: str) -> Any:
    model: Any = type(previous)
    assert actor.staff is not None
    carried = (*model.CONTENT_FIELDS, *CODING_AND_FLAGS, *getattr(model, "SERVICE_FIELDS", ()))
    fields = {name: getattr(previous, name) for name in carried}
    return model(
        lineage=previous.lineage,
        version=previous.version + 1,
        previous=previous,
        change=change,
        change_reason=reason.strip(),
        patient=previous.patient,
        author=actor.staff,
        author_role=actor.staff.role,
        site_id=author_site_id(actor),
        recorded_at=timezone.now(),
        **fields,
    )


def entry_amend(
    *,
    actor: Actor,
    patient: Patient,
    entry_type: str,
    entry_id: int,
    changes: dict[str, Any],
    reason: str = "",
) -> ClinicalEntry:
    """Insert a new version of the entry with ``changes`` applied; the previous stays as it was."""
    model = entry_model(entry_type)
    access, decision = require_access(
        actor=actor, patient=patient, action=RecordAction.AMEND, entry_type=entry_type
    )
    _check_fields(model, changes)
    _check_sensitive_flag(access, changes, entry_type)
    previous = _current_version(access, model, entry_id, RecordAction.AMEND)
    if "kind" in changes and changes["kind"] != getattr(previous, "kind", None):
        raise ServiceError("An observation's kind cannot be amended: record a new observation.")
    if "status" in changes and changes["status"] != getattr(previous, "status", None) and (
        entry_type == "allergy"
    ):
        raise ServiceError(
            "An allergy cannot be amended to or from \"no known allergies\": mark it entered "
            "in error and record the new state."
        )
    if all(getattr(previous, k) == v for k, v in changes.items()):
        raise ServiceError("Nothing to amend: the new version would be the same as the current.")
    entry = _next_version(previous, actor=actor, change=Change.AMENDED, reason=reason)
    for name, value in changes.items():
        setattr(entry, name, value)
    return _insert(entry, actor=actor, action=AuditAction.AMEND, basis=decision.basis)


def entry_mark_entered_in_error(
    *, actor: Actor, patient: Patient, entry_type: str, entry_id: int, reason: str
) -> ClinicalEntry:
    """Insert a final version saying the entry was entered in error, with who/when/why."""
    model = entry_model(entry_type)
    access, decision = require_access(
        actor=actor, patient=patient, action=RecordAction.ENTERED_IN_ERROR, entry_type=entry_type
    )
    if len((reason or "").strip()) < 5:
        raise ServiceError("Say why this entry was entered in error (at least 5 characters).")
    previous = _current_version(access, model, entry_id, RecordAction.ENTERED_IN_ERROR)
    entry = _next_version(previous, actor=actor, change=Change.ENTERED_IN_ERROR, reason=reason)
    return _insert(entry, actor=actor, action=AuditAction.ENTERED_IN_ERROR, basis=decision.basis)
