"""Who may do what with a patient's record. The only module that compares roles and practices.

Every interface (API, admin, services, selectors) asks ``access_for(actor, patient)`` and acts
on the ``Decision`` it returns; the decision's ``basis`` is written to the audit.

Rules (ADR 0030, docs/records.md):
- no active staff membership: refused everything;
- relationship with the patient, in order: ``own_practice`` (registered at the actor's practice);
  ``appointment_relationship`` (registered at another practice of the actor's federation and
  a non-cancelled appointment with the actor starting from 28 days ago to 14 days ahead);
  ``break_glass`` (same federation, an unexpired break-glass grant of this user);
  otherwise refused: no legitimate relationship (same federation) or outside the federation;
- link workers instead: ``link_worker_caseload`` (an open referral they hold, or one they held
  that closed in the last 28 days), wherever the patient is registered; no other basis, and
  never break-glass (ADR 0030, "Link workers");
- what each role may do once related: see ``ROLE_CAPABILITIES``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from common.errors import PermissionRefused
from policy.actor import Actor
from staff.roles import Role

if TYPE_CHECKING:
    from patients.models import Patient

RELATIONSHIP_PAST = datetime.timedelta(days=28)
RELATIONSHIP_AHEAD = datetime.timedelta(days=14)


class RecordAction(StrEnum):
    VIEW_DEMOGRAPHICS = "view_demographics"
    VIEW_RECORD = "view_record"
    VIEW_SENSITIVE = "view_sensitive"
    CREATE = "create"
    AMEND = "amend"
    ENTERED_IN_ERROR = "entered_in_error"
    BREAK_GLASS = "break_glass"


class Basis(StrEnum):
    OWN_PRACTICE = "own_practice"
    APPOINTMENT_RELATIONSHIP = "appointment_relationship"
    BREAK_GLASS = "break_glass"
    PRACTICE_MANAGER = "practice_manager"
    LOCALITY_TEAM = "locality_team"
    LINK_WORKER_CASELOAD = "link_worker_caseload"


ENTRY_TYPES = ("consultation", "problem", "medication", "allergy", "observation")
REGISTERED_CLINICIANS = frozenset({Role.GP, Role.ANP, Role.NURSE, Role.PHYSIO, Role.PHARMACIST})
"""Registered health professionals: the only roles shown entries marked sensitive."""


@dataclass(frozen=True)
class Capabilities:
    demographics: bool = True
    read_record: bool = False
    read_sensitive: bool = False
    writes: frozenset[str] = field(default_factory=frozenset)


ROLE_CAPABILITIES: dict[str, Capabilities] = {
    **{
        role: Capabilities(read_record=True, read_sensitive=True, writes=frozenset(ENTRY_TYPES))
        for role in REGISTERED_CLINICIANS
    },
    # HCAs take bloods, blood pressures and health checks: they read the record (not sensitive
    # entries) and record observations, nothing else.
    Role.HCA: Capabilities(read_record=True, writes=frozenset({"observation"})),
    # Link workers are not registered clinicians: they read the non-sensitive record and write
    # consultation notes of their contacts.
    Role.LINK_WORKER: Capabilities(read_record=True, writes=frozenset({"consultation"})),
    Role.RECEPTIONIST: Capabilities(),
    Role.PRACTICE_MANAGER: Capabilities(),
}

LOCALITY_TEAM_CAPABILITIES = Capabilities(read_record=True)
"""Community nurses, social workers and mental health workers caring for a patient (a current
care-team assignment made by the practice): the non-sensitive record, read only. Never
sensitive entries, never break-glass. (Writing needs an author who is not practice staff,
which the record does not model yet.)"""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: str
    message: str = ""

    def require(self) -> Decision:
        if not self.allowed:
            raise PermissionRefused(self.message)
        return self


def refused(reason: str, message: str) -> Decision:
    return Decision(False, f"refused: {reason}", message)


NO_STAFF = refused("no staff membership", "Only active practice staff can see patient records.")


@dataclass
class PatientAccess:
    """One actor's relationship with one patient, worked out once and asked many questions."""

    actor: Actor
    patient: Patient
    relationship: str | None
    refusal: Decision | None

    def decide(self, action: RecordAction, *, entry_type: str | None = None) -> Decision:
        actor = self.actor
        if self.relationship == Basis.LOCALITY_TEAM:
            caps = LOCALITY_TEAM_CAPABILITIES
            role_name = actor.community_member.get_role_display().lower()
            if action is RecordAction.BREAK_GLASS:
                return refused(
                    "locality team",
                    "Locality team members see the records of patients they are caring for; "
                    "ask the practice to add you to the patient's care team.",
                )
        elif not actor.is_staff_member:
            return self.refusal or NO_STAFF
        else:
            caps = ROLE_CAPABILITIES.get(actor.role or "", Capabilities(demographics=False))
            role_name = actor.staff.get_role_display() if actor.staff else ""
        if action is RecordAction.BREAK_GLASS:
            return self._break_glass(caps, role_name)
        if action is RecordAction.VIEW_DEMOGRAPHICS and not caps.demographics:
            return refused("role", f"A {role_name} cannot see patient details.")
        if action is RecordAction.VIEW_RECORD and not caps.read_record:
            return refused(
                "role",
                f"A {role_name} sees demographics and appointments only, never clinical entries.",
            )
        if action is RecordAction.VIEW_SENSITIVE and not caps.read_sensitive:
            return refused(
                "role", "Entries marked sensitive are shown only to registered clinicians."
            )
        if action in (RecordAction.CREATE, RecordAction.AMEND, RecordAction.ENTERED_IN_ERROR):
            if entry_type not in ENTRY_TYPES:
                raise ValueError(f"unknown entry type {entry_type!r}")
            if entry_type not in caps.writes:
                verb = {"create": "record", "amend": "amend", "entered_in_error": "mark"}[action]
                return refused("role", f"A {role_name} cannot {verb} {entry_type} entries.")
        if self.relationship is None:
            assert self.refusal is not None
            if self.refusal is NO_RELATIONSHIP and not caps.read_record:
                return refused(
                    "no legitimate relationship",
                    "This patient is registered at another practice: no access.",
                )
            return self.refusal
        return Decision(True, self.relationship)

    def _break_glass(self, caps: Capabilities, role_name: str) -> Decision:
        if self.actor.role == Role.LINK_WORKER:
            return refused(
                "link worker",
                "Link workers see the records of patients referred to them only: "
                "break-glass is for clinicians.",
            )
        if not caps.read_record:
            return refused("role", f"A {role_name} cannot use break-glass: no clinical access.")
        if self.relationship in (Basis.OWN_PRACTICE, Basis.APPOINTMENT_RELATIONSHIP):
            return refused(
                "not needed",
                f"You already have access to this record ({self.relationship}): "
                "break-glass is not needed.",
            )
        if self.refusal is not None and self.refusal.basis == OUTSIDE_FEDERATION.basis:
            return self.refusal
        return Decision(True, Basis.BREAK_GLASS)


OUTSIDE_FEDERATION = refused(
    "outside federation",
    "This patient is registered at a practice outside your federation: no access.",
)
NO_RELATIONSHIP = refused(
    "no legitimate relationship",
    "No legitimate relationship with this patient: use break-glass, stating your reason, "
    "if you need the record.",
)


NOT_ON_CASELOAD = refused(
    "not on caseload",
    "This patient is not on your caseload: link workers see only patients referred to them.",
)
CASELOAD_AFTER_CLOSING = RELATIONSHIP_PAST
"""How long a link worker keeps access to a patient after closing their referral."""


def _caseload_q(actor: Actor, now: datetime.datetime, patient_ref: Any) -> Q:
    from community.models import Referral

    return Q(
        Q(status=Referral.Status.OPEN)
        | Q(closed_on__gte=timezone.localdate(now) - CASELOAD_AFTER_CLOSING),
        patient=patient_ref,
        link_worker_id=actor.staff.pk if actor.staff else None,
    )


def on_caseload(actor: Actor, patient: Patient, *, now: datetime.datetime | None = None) -> bool:
    """Is the patient on this link worker's caseload (or was, within 28 days of closing)?"""
    from community.models import Referral

    return Referral.objects.filter(_caseload_q(actor, now or timezone.now(), patient)).exists()


NOT_IN_CARE_TEAM = refused(
    "not in care team",
    "You are not in this patient's care team: ask their practice to add you.",
)


def _appointment_window_q(actor: Actor, now: datetime.datetime) -> Q:
    """A live appointment with this clinician, around now: the appointment relationship."""
    from appointments.models import LIVE_CONDITION

    return Q(
        LIVE_CONDITION,
        clinician_id=actor.staff.pk if actor.staff else None,
        start__gte=now - RELATIONSHIP_PAST,
        start__lte=now + RELATIONSHIP_AHEAD,
    )


def _appointment_q(actor: Actor, now: datetime.datetime, patient_ref: Any) -> Q:
    return _appointment_window_q(actor, now) & Q(patient=patient_ref)


def access_for(
    actor: Actor, patient: Patient, *, now: datetime.datetime | None = None
) -> PatientAccess:
    """Work out the actor's relationship with the patient (at most two small queries).

    ``patient.registered_practice`` should be loaded (``select_related``) to avoid a query.
    """
    from appointments.models import Appointment
    from records.models import BreakGlassGrant

    now = now or timezone.now()
    if not actor.is_staff_member or actor.staff is None:
        from policy.community import locality_team_relationship

        member = actor.community_member
        if member is None:
            return PatientAccess(actor, patient, None, NO_STAFF)
        if locality_team_relationship(staff=member, patient=patient, on=timezone.localdate(now)):
            return PatientAccess(actor, patient, Basis.LOCALITY_TEAM, None)
        return PatientAccess(actor, patient, None, NOT_IN_CARE_TEAM)
    if actor.role == Role.LINK_WORKER:
        if on_caseload(actor, patient, now=now):
            return PatientAccess(actor, patient, Basis.LINK_WORKER_CASELOAD, None)
        return PatientAccess(actor, patient, None, NOT_ON_CASELOAD)
    if patient.registered_practice_id == actor.practice_id:
        return PatientAccess(actor, patient, Basis.OWN_PRACTICE, None)
    federation_id = patient.registered_practice.federation_id
    if federation_id is None or federation_id != actor.federation_id:
        return PatientAccess(actor, patient, None, OUTSIDE_FEDERATION)
    if Appointment.objects.filter(_appointment_q(actor, now, patient)).exists():
        return PatientAccess(actor, patient, Basis.APPOINTMENT_RELATIONSHIP, None)
    if BreakGlassGrant.objects.filter(
        user_id=actor.user.pk, patient=patient, expires_at__gt=now, started_at__lte=now
    ).exists():
        return PatientAccess(actor, patient, Basis.BREAK_GLASS, None)
    return PatientAccess(actor, patient, None, NO_RELATIONSHIP)


def access_for_many(
    actor: Actor, patients: list[Patient], *, now: datetime.datetime | None = None
) -> dict[int, PatientAccess]:
    """``access_for`` for a whole page of patients (the audit recorder's fallback), in a fixed
    number of queries for practice staff: the federations, the appointment relationships and
    the break-glass grants are each read once for all patients. Locality team members and link
    workers, whose lists are short, are asked one by one."""
    from appointments.models import Appointment
    from practices.models import Practice
    from records.models import BreakGlassGrant

    now = now or timezone.now()
    if not actor.is_staff_member or actor.staff is None or actor.role == Role.LINK_WORKER:
        return {p.pk: access_for(actor, p, now=now) for p in patients}
    answers: dict[int, PatientAccess] = {}
    others = []
    for patient in patients:
        if patient.registered_practice_id == actor.practice_id:
            answers[patient.pk] = PatientAccess(actor, patient, Basis.OWN_PRACTICE, None)
        else:
            others.append(patient)
    if not others:
        return answers
    federation_of = dict(
        Practice.objects.filter(pk__in={p.registered_practice_id for p in others})
        .values_list("pk", "federation_id")
    )
    in_federation = []
    for patient in others:
        federation_id = federation_of.get(patient.registered_practice_id)
        if federation_id is None or federation_id != actor.federation_id:
            answers[patient.pk] = PatientAccess(actor, patient, None, OUTSIDE_FEDERATION)
        else:
            in_federation.append(patient)
    ids = [p.pk for p in in_federation]
    related = set(
        Appointment.objects.filter(_appointment_window_q(actor, now), patient_id__in=ids)
        .values_list("patient_id", flat=True)
    ) if ids else set()
    glass = set(
        BreakGlassGrant.objects.filter(
            user_id=actor.user.pk, patient_id__in=ids, expires_at__gt=now, started_at__lte=now
        ).values_list("patient_id", flat=True)
    ) if ids else set()
    for patient in in_federation:
        if patient.pk in related:
            answers[patient.pk] = PatientAccess(
                actor, patient, Basis.APPOINTMENT_RELATIONSHIP, None
            )
        elif patient.pk in glass:
            answers[patient.pk] = PatientAccess(actor, patient, Basis.BREAK_GLASS, None)
        else:
            answers[patient.pk] = PatientAccess(actor, patient, None, NO_RELATIONSHIP)
    return answers


def decide(
    actor: Actor, action: RecordAction, patient: Patient, *, entry_type: str | None = None
) -> Decision:
    return access_for(actor, patient).decide(action, entry_type=entry_type)


def visible_patients_q(actor: Actor, *, now: datetime.datetime | None = None) -> Q:
    """Patients whose demographics the actor may find in a search (a filter on Patient)."""
    from appointments.models import Appointment
    from records.models import BreakGlassGrant

    now = now or timezone.now()
    if not actor.is_staff_member:
        from policy.community import care_team_patients

        if actor.community_member is not None:
            return Q(pk__in=care_team_patients(actor.community_member, on=timezone.localdate(now)))
        return Q(pk__in=[])
    caps = ROLE_CAPABILITIES.get(actor.role or "", Capabilities(demographics=False))
    if not caps.demographics:
        return Q(pk__in=[])
    if actor.role == Role.LINK_WORKER:
        from community.models import Referral

        return Q(Exists(Referral.objects.filter(_caseload_q(actor, now, OuterRef("pk")))))
    same_federation = Q(registered_practice__federation_id=actor.federation_id) & Q(
        registered_practice__federation_id__isnull=False
    )
    related = Exists(Appointment.objects.filter(_appointment_q(actor, now, OuterRef("pk"))))
    glass = Exists(
        BreakGlassGrant.objects.filter(
            user_id=actor.user.pk, patient=OuterRef("pk"), expires_at__gt=now, started_at__lte=now
        )
    )
    return Q(registered_practice_id=actor.practice_id) | (same_federation & (related | glass))


def shown_decision(
    actor: Actor, patient: Patient, access: PatientAccess | None = None
) -> Decision:
    """The basis on which a request showed this patient (the audit recorder's fallback event):
    the patient themselves or their proxy online, else the record policy's demographics answer.
    A refused basis here means a page showed a patient the policy would not: the audit says so.
    """
    from policy.online import PATIENT_ONLINE_BASIS

    user = actor.user
    if user is None or not user.is_authenticated:
        return refused("not signed in", "Sign in to see patient details.")
    if not actor.is_staff_member and patient.pk in actor.patient_ids:
        return Decision(True, PATIENT_ONLINE_BASIS)
    return (access or access_for(actor, patient)).decide(RecordAction.VIEW_DEMOGRAPHICS)


# The audit trail -----------------------------------------------------------------------------


def audit_view_decision(actor: Actor) -> Decision:
    """Practice managers see the audit of their own practice's patients."""
    if not actor.is_staff_member:
        return NO_STAFF
    if actor.role != Role.PRACTICE_MANAGER:
        return refused("role", "Only the practice manager can see the audit trail.")
    return Decision(True, Basis.PRACTICE_MANAGER)


def audit_scope_practice_id(actor: Actor) -> int:
    """The practice whose patients' audit events the actor may list (after the decision)."""
    audit_view_decision(actor).require()
    assert actor.practice_id is not None
    return actor.practice_id


def break_glass_review_decision(actor: Actor, *, event_practice_id: int | None) -> Decision:
    decision = audit_view_decision(actor)
    if not decision.allowed:
        return decision
    if event_practice_id != actor.practice_id:
        return refused(
            "other practice", "Only the manager of the patient's practice can review this."
        )
    return decision


# Registration and demographics ---------------------------------------------------------------


def demographics_write_decision(actor: Actor, *, patient: Patient | None = None) -> Decision:
    """Registering a patient (``patient`` None) or changing their demographics: any active
    staff member of the practice they are (to be) registered with. Reception does this."""
    if not actor.is_staff_member:
        return NO_STAFF
    if patient is not None and patient.registered_practice_id != actor.practice_id:
        return refused(
            "other practice", "Only the patient's own practice can change their details."
        )
    return Decision(True, Basis.OWN_PRACTICE)
