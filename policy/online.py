"""Patient-facing access: which patients a signed-in user may act for, and who at the practice
may manage a patient's online access.

Every patient-facing lookup goes through ``patients_actable_by``: a patient's own account plus
live proxy grants. Anything outside it is answered as if it did not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from common.errors import PermissionRefused
from common.prepared import PreparedQuery
from patients.models import Patient
from policy.actor import Actor
from policy.identity import actable_patients_at, live_proxy_grants, may_act, patients_actable_by
from staff.roles import ADMIN_ROLES

# Every patient request looks its patient up through the scoping function: compiled once.
_ONE_ACTABLE = PreparedQuery(
    lambda *, user_id, now, pk: actable_patients_at(user_id, now)
    .select_related("registered_practice")
    .filter(pk=pk)
)


def patient_actable_by(user: Any, patient_id: Any) -> Patient:
    """One patient this user may act for, or 404 (never a hint that the id exists)."""
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise Http404("No such patient.") from None
    if not may_act(user):
        raise Http404("No such patient.")
    patient = _ONE_ACTABLE.first(user_id=user.pk, now=timezone.now(), pk=pk)
    if patient is None:
        raise Http404("No such patient.")
    return patient


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


# ---- the patient's own record online --------------------------------------------------------

PATIENT_ONLINE_BASIS = "patient online access"


def check_may_view_online_record(actor: Actor, patient: Patient) -> None:
    """A patient user sees their own record or a proxied one; anyone else gets a 404."""
    if actor.is_staff_member or patient.pk not in actor.patient_ids:
        raise Http404("No such patient.")


def record_access_from(actor: Actor, patient: Patient) -> Any:
    """Prospective access: entries recorded from when online access was switched on. For the
    patient's own account that is the account's ``record_access_from``; a proxy who acts for a
    patient without an account sees entries from the start of their grant."""
    from online.models import PatientAccount

    start = (
        PatientAccount.objects.filter(patient=patient)
        .values_list("record_access_from", flat=True)
        .first()
    )
    if start is not None:
        return start
    grant = live_proxy_grants(actor.user).filter(patient=patient).order_by("starts_at").first()
    return grant.starts_at if grant is not None else timezone.now()
