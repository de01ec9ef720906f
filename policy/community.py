"""Access questions for community links: locality teams, the directory, social prescribing.

``locality_team_relationship`` is the "caring for" basis of access to a patient's record for a
locality team member; the records policy calls it as one more basis (and audits its use).
Everything else here answers who may use the directory, refer, see a caseload or a report.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from community.models import CareTeamAssignment, CommunityMember, FollowUp, Referral, Resource
from patients.models import Patient
from policy.actor import Actor
from policy.identity import community_member_for
from staff.models import StaffMember
from staff.roles import CLINICAL_ROLES, Role

REFERRER_ROLES = CLINICAL_ROLES
"""Clinicians and link workers may make social prescribing referrals."""
REPORT_ROLES = frozenset({Role.PRACTICE_MANAGER, Role.LINK_WORKER, Role.GP, Role.ANP})


def locality_team_relationship(
    *, staff: CommunityMember | Any, patient: Patient, on: datetime.date | None = None
) -> bool:
    """Is this locality team member caring for this patient today?

    ``staff`` is the member's ``CommunityMember`` (or their user). True only when the member
    is active, has a care-team assignment for the patient that covers the day, and the
    patient's registered practice is in the member's locality: an assignment does not survive
    the patient moving to a practice in another locality.
    """
    member = staff if isinstance(staff, CommunityMember) else community_member_for(staff)
    locality_id = patient.registered_practice.locality_id
    if member is None or not member.active or patient.pk is None or locality_id is None:
        return False
    day = on or timezone.localdate()
    return CareTeamAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        member=member,
        patient=patient,
        starts_on__lte=day,
        member__locality_id=locality_id,
    ).exists()


def care_team_patients(member: CommunityMember, *, on: datetime.date | None = None) -> Any:
    """Ids of the patients this member is caring for on the day (a subquery for filters).

    The same rule as ``locality_team_relationship``, for many patients at once.
    """
    day = on or timezone.localdate()
    return CareTeamAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        member=member,
        starts_on__lte=day,
        patient__registered_practice__locality_id=member.locality_id,
    ).values("patient_id")


def care_team_visible_to(actor: Actor) -> Q:
    """Assignments a team member holds, or those of patients of the actor's practice."""
    member = community_member_for(actor.user)
    if member is not None:
        return Q(member=member)
    if actor.is_staff_member and actor.role in CLINICAL_ROLES | {Role.PRACTICE_MANAGER}:
        return Q(patient__registered_practice_id=actor.practice_id)
    return Q(pk__in=[])


def locality_id_for(actor: Actor) -> int | None:
    """The locality whose directory the actor uses: their practice's, or their team's."""
    if actor.is_staff_member and actor.staff is not None:
        return actor.staff.practice.locality_id
    member = community_member_for(actor.user)
    return member.locality_id if member is not None else None


def may_assign_care_team(actor: Actor, *, member: CommunityMember, patient: Patient) -> bool:
    """A clinician or manager of the patient's practice, for a member of that locality."""
    return (
        actor.is_staff_member
        and actor.role in CLINICAL_ROLES | {Role.PRACTICE_MANAGER}
        and actor.practice_id == patient.registered_practice_id
        and member.active
        and member.locality_id is not None
        and member.locality_id == patient.registered_practice.locality_id
    )


def may_use_directory(actor: Actor, *, locality_id: int | None) -> bool:
    return locality_id is not None and locality_id_for(actor) == locality_id


def may_curate(actor: Actor, resource: Resource) -> bool:
    """The entry's curator, or a practice manager in its locality."""
    if not may_use_directory(actor, locality_id=resource.locality_id):
        return False
    return resource.curator_id == actor.user.pk or actor.role == Role.PRACTICE_MANAGER


def may_see_everyones_stale_entries(actor: Actor) -> bool:
    """The stale-entries list of every curator in the locality: its practice managers."""
    return actor.is_staff_member and actor.role == Role.PRACTICE_MANAGER


def referral_link_workers_q(actor: Actor, *, locality_id: int | None) -> Q:
    """The link workers a referral may go to: active ones of the locality, or of the actor's
    practice where it has no locality (the rule of ``may_receive_referrals``)."""
    q = Q(role=Role.LINK_WORKER, active=True)
    if locality_id is not None:
        return q & Q(practice__locality_id=locality_id)
    return q & Q(practice_id=actor.practice_id or 0)


def may_add_resource(actor: Actor, *, locality_id: int | None) -> bool:
    return may_use_directory(actor, locality_id=locality_id) and (
        actor.role in {Role.PRACTICE_MANAGER, Role.LINK_WORKER}
        or community_member_for(actor.user) is not None
    )


def may_import_directory(actor: Actor, *, locality_id: int | None) -> bool:
    """Practice managers of the locality, and anyone who curates entries in it."""
    if not may_use_directory(actor, locality_id=locality_id):
        return False
    if actor.role == Role.PRACTICE_MANAGER:
        return True
    assert locality_id is not None  # may_use_directory refuses None
    return Resource.objects.filter(locality_id=locality_id, curator_id=actor.user.pk).exists()


def may_refer(actor: Actor, *, patient: Patient) -> bool:
    """Clinicians and link workers of the patient's registered practice."""
    return (
        actor.is_staff_member
        and actor.role in REFERRER_ROLES
        and actor.practice_id == patient.registered_practice_id
    )


def may_receive_referrals(link_worker: StaffMember, *, patient: Patient) -> bool:
    """A link worker of the patient's practice, or of a practice in the same locality."""
    if not link_worker.active or link_worker.role != Role.LINK_WORKER:
        return False
    if link_worker.practice_id == patient.registered_practice_id:
        return True
    locality_id = patient.registered_practice.locality_id
    return locality_id is not None and link_worker.practice.locality_id == locality_id


def referrals_visible_to(actor: Actor) -> Q:
    """Referrals the actor may list: clinical staff see their own practice's patients' and
    their own caseload; managers see their practice's; anyone else sees none."""
    if not actor.is_staff_member or actor.staff is None:
        return Q(pk__in=[])
    if actor.role in CLINICAL_ROLES | {Role.PRACTICE_MANAGER}:
        return Q(practice_id=actor.practice_id) | Q(link_worker_id=actor.staff.pk)
    return Q(pk__in=[])


def may_see_caseload(actor: Actor, *, link_worker: StaffMember) -> bool:
    if not actor.is_staff_member or actor.staff is None:
        return False
    if link_worker.role != Role.LINK_WORKER:
        return False
    if actor.staff.pk == link_worker.pk:
        return True
    return actor.role == Role.PRACTICE_MANAGER and actor.practice_id == link_worker.practice_id


def may_log_contact(actor: Actor, *, referral: Referral) -> bool:
    return (
        actor.is_staff_member
        and actor.staff is not None
        and (
            referral.link_worker_id == actor.staff.pk
            or referral.referred_by_id == actor.user.pk
        )
    )


def may_record_outcome(actor: Actor, *, follow_up: FollowUp) -> bool:
    """The person the follow-up is assigned to, the referrer or the referral's link worker."""
    if not actor.is_staff_member or actor.staff is None:
        return False
    referral = follow_up.referral
    return actor.user.pk in {follow_up.assigned_to_id, referral.referred_by_id} or (
        referral.link_worker_id == actor.staff.pk
    )


def may_view_report(actor: Actor) -> bool:
    return actor.is_staff_member and actor.role in REPORT_ROLES


def report_scope(actor: Actor) -> Q:
    """Referrals the actor's report covers: their locality's, or their practice's if none."""
    if not may_view_report(actor) or actor.staff is None:
        return Q(pk__in=[])
    locality_id = actor.staff.practice.locality_id
    if locality_id is not None:
        return Q(locality_id=locality_id)
    return Q(practice_id=actor.practice_id)
