"""Finding 6: link workers see only patients on their caseload (ADR 0030, "Link workers")."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from community.models import Referral
from patients.models import Patient
from policy.actor import actor_for_user
from policy.records import RecordAction, decide, visible_patients_q
from staff.roles import Role
from tests.factories import PatientFactory, ReferralFactory


@pytest.fixture
def link_worker(world: Any) -> Any:
    return world.staff(Role.LINK_WORKER, world.home)


def _reads(link_worker: Any, patient: Any) -> bool:
    return decide(actor_for_user(link_worker.user), RecordAction.VIEW_RECORD, patient).allowed


def test_a_link_worker_is_refused_a_patient_of_their_own_practice_not_referred(world, link_worker):
    actor = actor_for_user(link_worker.user)
    decision = decide(actor, RecordAction.VIEW_RECORD, world.patient)
    assert (decision.allowed, decision.basis) == (False, "refused: not on caseload")
    assert not decide(actor, RecordAction.VIEW_DEMOGRAPHICS, world.patient).allowed
    assert not decide(actor, RecordAction.BREAK_GLASS, world.patient).allowed
    assert not Patient.objects.filter(visible_patients_q(actor)).exists()


def test_a_link_worker_reads_the_record_of_a_patient_referred_to_them(world, link_worker):
    ReferralFactory.create(patient=world.patient, link_worker=link_worker)
    other = PatientFactory.create(registered_practice=world.home)
    actor = actor_for_user(link_worker.user)
    decision = decide(actor, RecordAction.VIEW_RECORD, world.patient)
    assert (decision.allowed, decision.basis) == (True, "link_worker_caseload")
    assert not decide(actor, RecordAction.VIEW_SENSITIVE, world.patient).allowed
    assert list(Patient.objects.filter(visible_patients_q(actor))) == [world.patient]
    assert not _reads(link_worker, other)


def test_a_closed_referral_keeps_access_for_28_days_only(world, link_worker):
    referral = ReferralFactory.create(patient=world.patient, link_worker=link_worker)
    today = timezone.localdate()
    Referral.objects.filter(pk=referral.pk).update(
        status=Referral.Status.CLOSED, closed_on=today - datetime.timedelta(days=10)
    )
    assert _reads(link_worker, world.patient)
    Referral.objects.filter(pk=referral.pk).update(closed_on=today - datetime.timedelta(days=29))
    assert not _reads(link_worker, world.patient)


def test_the_record_page_refuses_a_link_worker_and_audits_it(world, link_worker):
    client = Client()
    client.force_login(link_worker.user)
    response = client.get(f"/clinical/patients/{world.patient.pk}/")
    assert response.status_code == 403
    assert "not on your caseload" in response.content.decode()
    refusal = AuditEvent.objects.get(action="refused", user=link_worker.user)
    assert refusal.basis == "refused: not on caseload"
