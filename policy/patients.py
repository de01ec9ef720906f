"""Patient-facing access: which patients a signed-in user may act for, and who at the practice
may manage a patient's online access.

Every patient-facing lookup goes through ``patients_actable_by``: a patient's own account plus
live proxy grants. Anything outside it is answered as if it did not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from common.errors import PermissionRefused
from policy.actor import Actor
from records.models import Patient
from staff.roles import ADMIN_ROLES


def _live_proxy_grants(user: Any) -> Any:
    from patients.models import ProxyAccess

    now = timezone.now()
    return ProxyAccess.objects.filter(
        grantee=user, revoked_at__isnull=True, starts_at__lte=now
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def patients_actable_by(user: Any) -> QuerySet[Patient]:
    """THE scoping function: the patients this user may act for (themselves and proxied)."""
    from patients.models import PatientAccount

    if user is None or not user.is_authenticated or not user.is_active:
        return Patient.objects.none()
    own = PatientAccount.objects.filter(user=user).values("patient_id")
    proxied = _live_proxy_grants(user).values("patient_id")
    return Patient.objects.filter(Q(pk__in=own) | Q(pk__in=proxied))


def patient_actable_by(user: Any, patient_id: Any) -> Patient:
    """One patient this user may act for, or 404 (never a hint that the id exists)."""
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise Http404("No such patient.") from None
    patient = patients_actable_by(user).select_related("registered_practice").filter(pk=pk).first()
    if patient is None:
        raise Http404("No such patient.")
    return patient


def own_patient_id(user: Any) -> int | None:
    from patients.models import PatientAccount

    if user is None or not user.is_authenticated:
        return None
    return (
        PatientAccount.objects.filter(user=user).values_list("patient_id", flat=True).first()
    )


def is_patient_user(user: Any) -> bool:
    return patients_actable_by(user).exists()


# ---- staff side ---------------------------------------------------------------------------


def patients_of_staff_practice(actor: Actor) -> QuerySet[Patient]:
    """Patients registered at the actor's practice (nothing for non-staff)."""
    if not actor.is_staff_member:
        return Patient.objects.none()
    return Patient.objects.filter(registered_practice_id=actor.practice_id)


def may_manage_online_access(actor: Actor, patient: Patient) -> bool:
    """Registration letters and proxy access: reception or the manager of the patient's practice."""
    return (
        actor.is_staff_member
        and actor.role in ADMIN_ROLES
        and actor.practice_id == patient.registered_practice_id
    )


def check_manage_online_access(actor: Actor, patient: Patient) -> None:
    if not may_manage_online_access(actor, patient):
        raise PermissionRefused(
            "Only reception and the practice manager of the patient's own practice can manage "
            "online access."
        )


def may_update_contact_preferences(actor: Actor, patient: Patient) -> bool:
    if patient.pk in actor.patient_ids:
        return True
    return actor.is_staff_member and actor.practice_id == patient.registered_practice_id
