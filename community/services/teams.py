"""Care-team assignments: who in the locality team is caring for which patient."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.errors import Conflict, PermissionRefused, ServiceError
from community.models import CareTeamAssignment, CommunityMember
from patients.models import Patient
from policy.actor import Actor
from policy.community import may_assign_care_team


def care_team_assign(
    *,
    actor: Actor,
    member: CommunityMember,
    patient: Patient,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    reason: str = "",
) -> CareTeamAssignment:
    if not may_assign_care_team(actor, member=member, patient=patient):
        raise PermissionRefused(
            "Only a clinician or manager of the patient's practice can add a member of the "
            "practice's locality team to the patient's care team."
        )
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ServiceError("The end date cannot be before the start date.")
    try:
        with transaction.atomic():
            return CareTeamAssignment.objects.create(
                member=member,
                patient=patient,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=reason,
                assigned_by=actor.user,
            )
    except IntegrityError:
        raise Conflict(f"{member.display_name} is already caring for this patient.") from None


def care_team_end(
    *, actor: Actor, assignment: CareTeamAssignment, ends_on: datetime.date | None = None
) -> CareTeamAssignment:
    if not may_assign_care_team(actor, member=assignment.member, patient=assignment.patient):
        raise PermissionRefused("You cannot change this patient's care team.")
    ends_on = ends_on or timezone.localdate()
    updated = CareTeamAssignment.objects.filter(
        pk=assignment.pk, ends_on__isnull=True, starts_on__lte=ends_on
    ).update(ends_on=ends_on)
    if not updated:
        raise Conflict("This assignment has already ended, or starts after that date.")
    assignment.refresh_from_db()
    return assignment
