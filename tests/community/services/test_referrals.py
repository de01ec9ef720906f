"""Making referrals, declines and contacts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from common.errors import PermissionRefused, ServiceError
from community.models import Referral
from community.services.referrals import (
    referral_create,
    referral_decline,
    referral_log_contact,
)
from tests.expect import violates
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_a_gp_refers_to_the_link_worker_coded_in_snomed(town) -> None:
    referral = referral_create(
        actor=town.actor(town.gp), patient=town.patient, needs=["isolation", "finance"],
        link_worker=town.link_worker,
    )
    assert referral.snomed_code == "871731000000106"
    assert referral.snomed_term == "Referral to social prescribing service"
    assert (referral.practice, referral.locality) == (town.practice, town.city)
    assert referral.needs == ["isolation", "finance"]


def test_a_referral_can_go_straight_to_a_resource(town) -> None:
    resource = ResourceFactory(locality=town.city)
    referral = referral_create(
        actor=town.actor(town.link_worker), patient=town.patient, needs=["activity"],
        resource=resource,
    )
    assert referral.resource == resource and referral.link_worker is None


def test_a_resource_of_another_locality_is_refused(town) -> None:
    with pytest.raises(ServiceError):
        referral_create(
            actor=town.actor(town.gp), patient=town.patient, needs=["food"],
            resource=ResourceFactory(locality=town.other),
        )


def test_unknown_needs_are_refused(town) -> None:
    with pytest.raises(ServiceError):
        referral_create(actor=town.actor(town.gp), patient=town.patient, needs=["bingo"],
                        link_worker=town.link_worker)


def test_a_receptionist_may_not_refer(town) -> None:
    with pytest.raises(PermissionRefused):
        referral_create(actor=town.actor(town.receptionist), patient=town.patient,
                        needs=["isolation"], link_worker=town.link_worker)
    assert not Referral.objects.exists()


def test_a_decline_is_coded_as_social_prescribing_declined(town) -> None:
    referral = referral_create(actor=town.actor(town.gp), patient=town.patient,
                               needs=["carer"], link_worker=town.link_worker)
    referral_decline(actor=town.actor(town.link_worker), referral=referral)
    assert (referral.status, referral.snomed_code) == ("declined", "871711000000103")


def test_the_database_refuses_a_code_that_does_not_match_the_status(town) -> None:
    referral = referral_create(actor=town.actor(town.gp), patient=town.patient,
                               needs=["carer"], link_worker=town.link_worker)
    with violates("referral_snomed_matches_status"):
        Referral.objects.filter(pk=referral.pk).update(status="declined")


def test_the_link_worker_logs_a_contact(town) -> None:
    referral = referral_create(actor=town.actor(town.gp), patient=town.patient,
                               needs=["carer"], link_worker=town.link_worker)
    contact = referral_log_contact(
        actor=town.actor(town.link_worker), referral=referral,
        contacted_on=timezone.localdate(), method="phone", note="Left a message.",
    )
    assert contact.recorded_by == town.link_worker.user


def test_a_contact_before_the_referral_is_refused(town) -> None:
    referral = referral_create(actor=town.actor(town.gp), patient=town.patient,
                               needs=["carer"], link_worker=town.link_worker)
    with pytest.raises(ServiceError):
        referral_log_contact(
            actor=town.actor(town.link_worker), referral=referral,
            contacted_on=timezone.localdate() - datetime.timedelta(days=1), method="phone",
            note="x",
        )
