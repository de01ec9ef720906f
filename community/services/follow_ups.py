"""Four-week follow-ups: created once per referral by the daily job; outcomes recorded."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.errors import Conflict, PermissionRefused, ServiceError
from community.models import FollowUp, Outcome, Referral, WellbeingScale
from policy.actor import Actor
from policy.community import may_record_outcome


def follow_ups_create_due(*, today: datetime.date | None = None) -> int:
    """Create the follow-up of every referral made at least SOCIAL_PRESCRIBING_FOLLOW_UP_DAYS
    ago that has none yet (declined referrals are not followed up). Idempotent: the unique
    referral column and ON CONFLICT DO NOTHING mean a second run, or two workers at once,
    never make a duplicate. Returns how many were created."""
    today = today or timezone.localdate()
    days = datetime.timedelta(days=settings.SOCIAL_PRESCRIBING_FOLLOW_UP_DAYS)
    due = (
        Referral.objects.filter(referred_on__lte=today - days, follow_up__isnull=True)
        .exclude(status=Referral.Status.DECLINED)
        .select_related("link_worker")
        .only("pk", "referred_on", "referred_by_id", "link_worker__user_id")
    )
    rows = [
        FollowUp(
            referral_id=referral.pk,
            due_on=referral.referred_on + days,
            assigned_to_id=(
                referral.link_worker.user_id if referral.link_worker else referral.referred_by_id
            ),
        )
        for referral in due
    ]
    if not rows:
        return 0
    before = FollowUp.objects.filter(referral_id__in=[r.referral_id for r in rows]).count()
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    after = FollowUp.objects.filter(referral_id__in=[r.referral_id for r in rows]).count()
    return after - before


def follow_up_record_outcome(
    *,
    actor: Actor,
    follow_up: FollowUp,
    outcome: str,
    stopped_reason: str = "",
    ons4: Sequence[int] | None = None,
    swemwbs_items: Sequence[int] | None = None,
) -> FollowUp:
    """Record still attending / stopped (with a reason) / never started, optionally with an
    ONS4 (satisfied, worthwhile, happy, anxious: 0-10 each) or SWEMWBS (7 items, 1-5) score."""
    if not may_record_outcome(actor, follow_up=follow_up):
        raise PermissionRefused(
            "Only the link worker, the referrer or the person it is assigned to can record it."
        )
    if outcome not in Outcome.values:
        raise ServiceError("Choose the outcome.")
    stopped_reason = stopped_reason.strip()
    if outcome == Outcome.STOPPED and not stopped_reason:
        raise ServiceError("Say why the patient stopped.")
    if outcome != Outcome.STOPPED:
        stopped_reason = ""
    if ons4 is not None and swemwbs_items is not None:
        raise ServiceError("Record one wellbeing score: ONS4 or SWEMWBS, not both.")
    values: dict[str, object] = {
        "outcome": outcome,
        "stopped_reason": stopped_reason,
        "recorded_by": actor.user,
        "recorded_at": timezone.now(),
        "wellbeing_scale": WellbeingScale.NONE,
        "ons4_satisfied": None,
        "ons4_worthwhile": None,
        "ons4_happy": None,
        "ons4_anxious": None,
        "swemwbs_items": None,
        "swemwbs_raw": None,
    }
    if ons4 is not None:
        answers = list(ons4)
        if len(answers) != 4 or any(not 0 <= a <= 10 for a in answers):
            raise ServiceError("ONS4 needs four answers, each from 0 to 10.")
        values.update(
            wellbeing_scale=WellbeingScale.ONS4,
            ons4_satisfied=answers[0],
            ons4_worthwhile=answers[1],
            ons4_happy=answers[2],
            ons4_anxious=answers[3],
        )
    if swemwbs_items is not None:
        items = list(swemwbs_items)
        if len(items) != 7 or any(not 1 <= i <= 5 for i in items):
            raise ServiceError("SWEMWBS needs seven answers, each from 1 to 5.")
        values.update(
            wellbeing_scale=WellbeingScale.SWEMWBS, swemwbs_items=items, swemwbs_raw=sum(items)
        )
    with transaction.atomic():
        updated = FollowUp.objects.filter(pk=follow_up.pk, outcome="").update(**values)
        if not updated:
            raise Conflict("An outcome has already been recorded for this follow-up.")
    follow_up.refresh_from_db()
    return follow_up
