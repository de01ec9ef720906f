"""Who a signed-in user is, before any question of access: the patients they may act for
(their own online account and live proxy grants) and their locality team membership.

``policy.actor`` builds on these; nothing here knows the ``Actor``, so the two never import each
other. ``patients_actable_by`` is THE scoping function for everything patient-facing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from community.models import CommunityMember
from online.models import PatientAccount, ProxyAccess
from patients.models import Patient


def live_proxy_grants(user: Any, now: datetime.datetime | None = None) -> Any:
    now = now or timezone.now()
    return ProxyAccess.objects.filter(
        grantee=user, revoked_at__isnull=True, starts_at__lte=now
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def may_act(user: Any) -> bool:
    """Only a signed-in, active user acts for anyone (the one place this is decided)."""
    return user is not None and user.is_authenticated and user.is_active


def actable_patients_at(user_id: int, now: datetime.datetime) -> QuerySet[Patient]:
    own = PatientAccount.objects.filter(user_id=user_id).values("patient_id")
    proxied = live_proxy_grants(user_id, now).values("patient_id")
    return Patient.objects.filter(Q(pk__in=own) | Q(pk__in=proxied))


def patients_actable_by(user: Any) -> QuerySet[Patient]:
    """THE scoping function: the patients this user may act for (themselves and proxied)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Patient.objects.none()
    return actable_patients_at(user.pk, timezone.now())


def own_patient_id(user: Any) -> int | None:
    """The patient whose own account this is (always one ``patients_actable_by`` allows)."""
    if not may_act(user):
        return None
    account_of_user = PatientAccount._meta.get_field("user").remote_field
    if account_of_user.is_cached(user):  # loaded with the user (API token authentication)
        account: PatientAccount | None = account_of_user.get_cached_value(user)  # type: ignore[assignment]
        return account.patient_id if account is not None else None
    return (
        PatientAccount.objects.filter(user=user).values_list("patient_id", flat=True).first()
    )


def community_member_for(user: Any) -> CommunityMember | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        member = user.community_member
    except CommunityMember.DoesNotExist:
        return None
    return member if member.active else None
