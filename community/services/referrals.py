"""Make a social prescribing referral, record a decline, log contacts, close."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from common.errors import Conflict, PermissionRefused, ServiceError
from community.models import ContactMethod, Need, Referral, ReferralContact, Resource
from community.models.referrals import (
    SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING,
    SNOMED_SOCIAL_PRESCRIBING_DECLINED,
)
from patients.models import Patient
from policy.actor import Actor
from policy.community import (
    may_log_contact,
    may_receive_referrals,
    may_refer,
    may_use_directory,
)
from staff.models import StaffMember


def _clean_needs(needs: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(needs))
    unknown = [n for n in chosen if n not in Need.values]
    if unknown:
        raise ServiceError(f"Unknown need: {', '.join(unknown)}.")
    if not chosen:
        raise ServiceError("Choose at least one need.")
    return chosen


def referral_create(
    *,
    actor: Actor,
    patient: Patient,
    needs: Iterable[str],
    link_worker: StaffMember | None = None,
    resource: Resource | None = None,
    note: str = "",
    referred_on: datetime.date | None = None,
) -> Referral:
    """Refer a patient to a link worker, or directly to a directory resource (or both).

    Coded with SNOMED CT 871731000000106 (referral to social prescribing service)."""
    if not may_refer(actor, patient=patient):
        raise PermissionRefused(
            "Only clinicians and link workers of the patient's practice can refer them."
        )
    if link_worker is None and resource is None:
        raise ServiceError("Choose a link worker or a resource to refer to.")
    if link_worker is not None and not may_receive_referrals(link_worker, patient=patient):
        raise ServiceError("That person is not a link worker for this patient's locality.")
    if resource is not None and (
        not resource.active
        or not may_use_directory(actor, locality_id=resource.locality_id)
    ):
        raise ServiceError("That resource is not an active entry in your locality's directory.")
    today = timezone.localdate()
    referred_on = referred_on or today
    if referred_on > today:
        raise ServiceError("The referral date cannot be in the future.")
    practice = patient.registered_practice
    return Referral.objects.create(
        patient=patient,
        practice=practice,
        locality_id=practice.locality_id,
        referred_by=actor.user,
        referred_on=referred_on,
        link_worker=link_worker,
        resource=resource,
        needs=_clean_needs(needs),
        note=note,
        snomed_code=SNOMED_REFERRAL_TO_SOCIAL_PRESCRIBING,
    )


def referral_decline(*, actor: Actor, referral: Referral) -> Referral:
    """The patient declined: coded 871711000000103 (social prescribing declined)."""
    if not may_log_contact(actor, referral=referral):
        raise PermissionRefused("Only the referrer or the link worker can record a decline.")
    today = timezone.localdate()
    updated = Referral.objects.filter(pk=referral.pk, status=Referral.Status.OPEN).update(
        status=Referral.Status.DECLINED,
        snomed_code=SNOMED_SOCIAL_PRESCRIBING_DECLINED,
        closed_on=max(today, referral.referred_on),
    )
    if not updated:
        raise Conflict("This referral is no longer open.")
    referral.refresh_from_db()
    return referral


def referral_close(*, actor: Actor, referral: Referral) -> Referral:
    if not may_log_contact(actor, referral=referral):
        raise PermissionRefused("Only the referrer or the link worker can close a referral.")
    updated = Referral.objects.filter(pk=referral.pk, status=Referral.Status.OPEN).update(
        status=Referral.Status.CLOSED, closed_on=max(timezone.localdate(), referral.referred_on)
    )
    if not updated:
        raise Conflict("This referral is no longer open.")
    referral.refresh_from_db()
    return referral


def referral_log_contact(
    *,
    actor: Actor,
    referral: Referral,
    contacted_on: datetime.date,
    method: str,
    note: str,
) -> ReferralContact:
    if not may_log_contact(actor, referral=referral):
        raise PermissionRefused("Only the referral's link worker or referrer can log contacts.")
    if method not in ContactMethod.values:
        raise ServiceError("Choose how you contacted the patient.")
    if contacted_on > timezone.localdate() or contacted_on < referral.referred_on:
        raise ServiceError("The contact date must be between the referral and today.")
    if not note.strip():
        raise ServiceError("Write a note about the contact.")
    with transaction.atomic():
        return ReferralContact.objects.create(
            referral=referral,
            contacted_on=contacted_on,
            method=method,
            note=note.strip(),
            recorded_by=actor.user,
        )
