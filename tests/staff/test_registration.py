from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from staff.models import StaffMember
from staff.roles import Role
from staff.validators import normalise_registration
from tests.factories import StaffMemberFactory


@pytest.mark.parametrize(
    ("role", "typed", "stored"),
    [
        (Role.GP, "7040137", "7040137"),
        (Role.GP, " 704 0137 ", "7040137"),
        (Role.ANP, "02a4210d", "02A4210D"),
        (Role.NURSE, "05B4263N", "05B4263N"),
        (Role.PHYSIO, "ph61200", "PH61200"),
        (Role.PHYSIO, "PH612001", "PH612001"),
        (Role.PHARMACIST, "2071500", "2071500"),
    ],
)
def test_well_formed_number_for_the_role_is_accepted(role: str, typed: str, stored: str) -> None:
    assert normalise_registration(role, typed) == stored


@pytest.mark.parametrize(
    ("role", "typed", "says"),
    [
        (Role.GP, "704013", "GMC number is 7 digits"),
        (Role.GP, "70401370", "GMC number is 7 digits"),
        (Role.GP, "PH61200", "GMC number is 7 digits"),
        (Role.NURSE, "0244210D", "NMC PIN"),
        (Role.ANP, "7040137", "NMC PIN"),
        (Role.PHYSIO, "61200", "HCPC"),
        (Role.PHYSIO, "OT61200", "HCPC"),
        (Role.PHARMACIST, "207150", "GPhC number is 7 digits"),
    ],
)
def test_number_of_the_wrong_form_is_refused_naming_the_register(
    role: str, typed: str, says: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_registration(role, typed)
    assert says in caught.value.message_dict["registration_number"][0]


@pytest.mark.parametrize("role", [Role.GP, Role.ANP, Role.NURSE, Role.PHYSIO, Role.PHARMACIST])
def test_registered_profession_must_give_a_number(role: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_registration(role, "")
    assert "needs their" in caught.value.message_dict["registration_number"][0]


@pytest.mark.parametrize(
    "role", [Role.HCA, Role.LINK_WORKER, Role.RECEPTIONIST, Role.PRACTICE_MANAGER]
)
def test_role_without_a_register_must_not_have_a_number(role: str) -> None:
    assert normalise_registration(role, "") == ""
    with pytest.raises(ValidationError) as caught:
        normalise_registration(role, "7040137")
    assert "has no professional registration number" in caught.value.messages[0]


@pytest.mark.django_db
def test_database_refuses_a_gmc_number_on_a_physiotherapist() -> None:
    gp = StaffMemberFactory.create(role=Role.GP, registration_number="7040137")
    with (
        pytest.raises(IntegrityError, match="staff_registration_matches_role"),
        transaction.atomic(),
    ):
        StaffMember.objects.filter(pk=gp.pk).update(role=Role.PHYSIO)


@pytest.mark.django_db
def test_database_refuses_a_number_on_a_receptionist() -> None:
    receptionist = StaffMemberFactory.create(role=Role.RECEPTIONIST)
    with (
        pytest.raises(IntegrityError, match="staff_registration_matches_role"),
        transaction.atomic(),
    ):
        StaffMember.objects.filter(pk=receptionist.pk).update(registration_number="7040137")


@pytest.mark.django_db
def test_database_refuses_a_clinician_without_a_number() -> None:
    gp = StaffMemberFactory.create(role=Role.GP)
    with (
        pytest.raises(IntegrityError, match="staff_registration_matches_role"),
        transaction.atomic(),
    ):
        StaffMember.objects.filter(pk=gp.pk).update(registration_number="")


@pytest.mark.django_db
def test_database_refuses_two_gps_with_one_gmc_number() -> None:
    StaffMemberFactory.create(role=Role.GP, registration_number="7040137")
    other = StaffMemberFactory.create(role=Role.GP, registration_number="7040274")
    with pytest.raises(IntegrityError, match="staff_registration_unique"), transaction.atomic():
        StaffMember.objects.filter(pk=other.pk).update(registration_number="7040137")


@pytest.mark.django_db
def test_second_gp_with_a_taken_gmc_number_is_refused_in_words() -> None:
    first = StaffMemberFactory.create(role=Role.GP, registration_number="7040137")
    second = StaffMemberFactory.build(
        role=Role.GP, registration_number="7040137", practice=first.practice, user=first.user
    )
    with pytest.raises(ValidationError) as caught:
        second.clean()
    assert caught.value.message_dict["registration_number"] == [
        "Another member of staff already has this number."
    ]


@pytest.mark.django_db
def test_a_member_keeps_their_own_number_when_saved_again() -> None:
    member = StaffMemberFactory.create(role=Role.GP, registration_number="7040137")
    member.clean()
    assert member.registration_number == "7040137"
