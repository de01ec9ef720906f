"""The permission matrix, generated: every role x every action x every relationship to the
patient, run through the real services (so enforcement and the refusal audit are tested, not
only the policy function). Expectations are written out here independently of
``policy.records`` so that a change to the policy has to be made twice, on purpose."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from common.errors import PermissionRefused
from patients import selectors as patient_selectors
from policy.actor import actor_for_user
from records.selectors.history import entry_history
from records.selectors.summary import patient_summary
from records.services.break_glass import break_glass_start
from records.services.entries import entry_amend, entry_create, entry_mark_entered_in_error
from staff.roles import Role
from tests.factories import (
    ConsultationFactory,
    ObservationFactory,
    ProblemFactory,
    ReferralFactory,
    UserFactory,
    make_appointment,
    make_grant,
)

REGISTERED = {Role.GP, Role.ANP, Role.NURSE, Role.PHYSIO, Role.PHARMACIST}
READERS = REGISTERED | {Role.HCA, Role.LINK_WORKER}
ALL_TYPES = {"consultation", "problem", "medication", "allergy", "observation"}
WRITES: dict[str, set[str]] = {
    **{role: ALL_TYPES for role in REGISTERED},
    Role.HCA: {"observation"},
    Role.LINK_WORKER: {"consultation"},
}
RELATED = {"own_practice", "federation_appointment", "federation_break_glass"}
CONTEXTS = [
    "own_practice",
    "federation_appointment",
    "federation_break_glass",
    "federation_no_relationship",
    "unrelated_practice",
]
ACTIONS = [
    "view_demographics",
    "view_record",
    "view_sensitive",
    "create_consultation",
    "create_problem",
    "create_medication",
    "create_allergy",
    "create_observation",
    "amend_problem",
    "amend_observation",
    "entered_in_error_consultation",
    "entered_in_error_observation",
    "break_glass",
]


def expected(role: str | None, context: str, action: str) -> bool:
    if role is None:  # no staff membership
        return False
    if role == Role.LINK_WORKER:  # their caseload only, wherever registered; no break-glass
        if context != "caseload" or action in ("break_glass", "view_sensitive"):
            return False
        if action in ("view_demographics", "view_record"):
            return True
        return action.rsplit("_", 1)[1] in WRITES[role]
    if action == "break_glass":
        return role in READERS and context in {
            "federation_no_relationship",
            "federation_break_glass",
        }
    if context not in RELATED:
        return False
    if action == "view_demographics":
        return True
    if action == "view_record":
        return role in READERS
    if action == "view_sensitive":
        return role in REGISTERED
    entry_type = action.rsplit("_", 1)[1]
    return entry_type in WRITES.get(role, set())


CASES = (
    [(r.value, c, a) for r in Role for c in CONTEXTS for a in ACTIONS]
    + [(Role.LINK_WORKER.value, "caseload", a) for a in ACTIONS]
    + [(None, "no_staff", a) for a in ACTIONS]
)

AUDITED_AS = {
    "view_demographics": "view_demographics",
    "view_record": "view_summary",
    "view_sensitive": "view_record",
    "create": "create",
    "amend": "amend",
    "entered_in_error_consultation": "entered_in_error",
    "entered_in_error_observation": "entered_in_error",
    "break_glass": "break_glass",
}
BASIS = {
    "own_practice": "own_practice",
    "federation_appointment": "appointment_relationship",
    "federation_break_glass": "break_glass",
    "federation_no_relationship": "break_glass",  # the break-glass event itself
    "caseload": "link_worker_caseload",
}

CREATE_DATA: dict[str, dict[str, Any]] = {
    "consultation": {"history": "Sore throat 2 days", "plan": "Fluids, paracetamol"},
    "problem": {"title": "Migraine", "snomed_concept_id": "37796009", "snomed_term": "Migraine"},
    "medication": {"name": "Sumatriptan 50mg tablets", "dose": "One when required"},
    "allergy": {"substance": "Peanut", "severity": "severe", "reaction": "Anaphylaxis"},
    "observation": {"kind": "pulse", "value": Decimal(80)},
}


def _actor(world: Any, role: str | None, context: str) -> Any:
    if role is None:
        return actor_for_user(UserFactory.create())
    practice = {
        "own_practice": world.home,
        "unrelated_practice": world.outsider,
    }.get(context, world.partner)
    staff = world.staff(role, practice)
    if context == "federation_appointment":
        make_appointment(
            patient=world.patient,
            clinician=staff,
            start=timezone.now() + datetime.timedelta(days=1),
        )
    if context == "federation_break_glass":
        make_grant(staff=staff, patient=world.patient)
    if context == "caseload":  # a link worker in the locality holding the patient's referral
        ReferralFactory.create(patient=world.patient, link_worker=staff)
    return actor_for_user(staff.user)


def _perform(action: str, actor: Any, patient: Any) -> None:
    entry: Any
    if action == "view_demographics":
        patient_selectors.patient_demographics(actor=actor, patient=patient)
    elif action == "view_record":
        patient_summary(actor=actor, patient=patient)
    elif action == "view_sensitive":
        entry = ProblemFactory.create(
            patient=patient, title="Termination of pregnancy", sensitive=True
        )
        entry_history(
            actor=actor, patient=patient, entry_type="problem", entry_id=entry.pk
        )
    elif action.startswith("create_"):
        entry_type = action.removeprefix("create_")
        entry_create(
            actor=actor, patient=patient, entry_type=entry_type, data=CREATE_DATA[entry_type]
        )
    elif action.startswith("amend_"):
        entry_type = action.removeprefix("amend_")
        changes: dict[str, Any]
        if entry_type == "problem":
            entry, changes = ProblemFactory.create(patient=patient), {"title": "Hypertension, 2"}
        else:
            entry, changes = ObservationFactory.create(patient=patient), {"value": Decimal(66)}
        entry_amend(
            actor=actor, patient=patient, entry_type=entry_type, entry_id=entry.pk, changes=changes
        )
    elif action.startswith("entered_in_error_"):
        entry_type = action.removeprefix("entered_in_error_")
        factory: Any = ConsultationFactory if entry_type == "consultation" else ObservationFactory
        entry = factory.create(patient=patient)
        entry_mark_entered_in_error(
            actor=actor,
            patient=patient,
            entry_type=entry_type,
            entry_id=entry.pk,
            reason="Recorded against the wrong patient",
        )
    elif action == "break_glass":
        break_glass_start(
            actor=actor, patient=patient, reason="Seen in the federation hub: needs med review"
        )
    else:  # pragma: no cover
        raise AssertionError(action)


@pytest.mark.parametrize(("role", "context", "action"), CASES)
def test_permission_matrix(world: Any, role: str | None, context: str, action: str) -> None:
    actor = _actor(world, role, context)
    if expected(role, context, action):
        _perform(action, actor, world.patient)
        assert not AuditEvent.objects.filter(action="refused").exists()
        event = AuditEvent.objects.filter(user=actor.user).latest("pk")
        assert (event.action, event.basis, event.patient) == (
            AUDITED_AS[action.split("_")[0] if action.startswith(("create", "amend")) else action],
            BASIS[context],
            world.patient,
        )
    else:
        with pytest.raises(PermissionRefused):
            _perform(action, actor, world.patient)
        refusal = AuditEvent.objects.get(action="refused")
        assert refusal.user == actor.user
        assert refusal.patient == world.patient
        assert refusal.basis.startswith("refused: ")
