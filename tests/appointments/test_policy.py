"""The booking policy in isolation: channels, who may change what, who sees which practice."""

from __future__ import annotations

import pytest

from appointments.models import Channel
from common.errors import PermissionRefused
from policy import appointments as policy
from policy.actor import actor_for_user
from staff.roles import Role
from tests.factories import StaffMemberFactory


def test_visible_practices_are_own_and_federation(world):
    assert set(policy.visible_practice_ids(world.actor())) == {world.practice.pk, world.partner.pk}


def test_visible_practices_without_federation_are_only_own(world):
    assert policy.visible_practice_ids(world.actor(world.stranger_receptionist)) == [
        world.stranger.pk
    ]


def test_a_user_without_staff_membership_sees_nothing(world):
    assert policy.visible_practice_ids(actor_for_user(world.nobody)) == []


def test_inactive_staff_are_refused(world):
    member = StaffMemberFactory(practice=world.practice, role=Role.RECEPTIONIST, active=False)
    with pytest.raises(PermissionRefused):
        policy.require_staff(actor_for_user(member.user))


def test_clinicians_book_as_reception_too(world):
    slot = world.slot()
    assert policy.booking_channel(world.actor(world.gp), slot=slot) == Channel.RECEPTION


def test_reception_may_record_a_phone_booking(world):
    slot = world.slot()
    assert policy.booking_channel(world.actor(), slot=slot, requested="phone") == Channel.PHONE


def test_own_staff_cannot_pretend_to_be_the_federation_hub(world):
    with pytest.raises(PermissionRefused, match="federation channel"):
        policy.booking_channel(world.actor(), slot=world.slot(), requested="federation")


def test_partner_staff_cannot_claim_the_reception_channel(world):
    with pytest.raises(PermissionRefused, match="reception channel"):
        policy.booking_channel(
            world.actor(world.partner_receptionist), slot=world.slot(), requested="reception"
        )


def test_online_slot_rule_needs_both_slot_and_type(world):
    slot = world.slot(online=True)
    assert not policy.slot_offered_to(slot, Channel.ONLINE)  # type not online-bookable
    slot.appointment_type.online_bookable = True
    assert policy.slot_offered_to(slot, Channel.ONLINE)


def test_reception_is_offered_every_slot(world):
    assert policy.slot_offered_to(world.slot(online=False, federation=False), Channel.RECEPTION)


def test_no_user_is_a_patient_yet(world):
    assert not policy.is_patient(world.actor())
