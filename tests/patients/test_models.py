from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from patients.models import Patient
from tests.expect import violates
from tests.factories import PatientFactory, PracticeFactory, SiteFactory, next_nhs_number

pytestmark = pytest.mark.django_db


def _errors(patient: Patient) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        patient.full_clean()
    return caught.value.message_dict


def test_nhs_number_typed_with_spaces_is_stored_as_ten_digits() -> None:
    number = next_nhs_number()
    patient = PatientFactory.build(
        nhs_number=f"{number[:3]} {number[3:6]}-{number[6:]}",
        registered_practice=PracticeFactory.create(),
    )
    patient.full_clean()
    patient.save()
    assert Patient.objects.get(pk=patient.pk).nhs_number == number


def test_date_of_birth_in_the_future_is_refused() -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    patient = PatientFactory.build(
        registered_practice=PracticeFactory.create(),
        date_of_birth=tomorrow,
        registration_date=tomorrow,
    )
    assert _errors(patient)["date_of_birth"] == ["The date of birth cannot be in the future."]


def test_sms_consent_without_a_mobile_is_refused() -> None:
    patient = PatientFactory.build(
        registered_practice=PracticeFactory.create(), mobile="", sms_consent=True
    )
    assert _errors(patient)["sms_consent"] == ["Add a mobile number before consenting to SMS."]


def test_email_consent_without_an_email_is_refused() -> None:
    patient = PatientFactory.build(
        registered_practice=PracticeFactory.create(), email="", email_consent=True
    )
    assert _errors(patient)["email_consent"] == ["Add an email address before consenting to email."]


def test_preferred_site_of_another_practice_is_refused() -> None:
    elsewhere = SiteFactory.create()
    patient = PatientFactory.build(
        registered_practice=PracticeFactory.create(), preferred_site=elsewhere
    )
    assert _errors(patient)["preferred_site"] == [
        "The preferred site must belong to the registered practice."
    ]


def test_postcode_and_mobile_are_normalised_by_full_clean() -> None:
    patient = PatientFactory.build(
        registered_practice=PracticeFactory.create(), postcode="ox29js", mobile="07700 900123"
    )
    patient.full_clean()
    assert (patient.postcode, patient.mobile) == ("OX2 9JS", "+447700900123")


def test_database_refuses_a_second_patient_with_the_same_nhs_number() -> None:
    existing = PatientFactory.create()
    copy = PatientFactory.build(
        nhs_number=existing.nhs_number, registered_practice=existing.registered_practice
    )
    with violates("records_patient_nhs_number_key"):
        Patient.objects.bulk_create([copy])


def test_database_refuses_an_nhs_number_that_is_not_ten_digits() -> None:
    # The field normalises even in .update(), so only raw SQL reaches the CHECK constraint.
    patient = PatientFactory.create()
    sql = "UPDATE records_patient SET nhs_number = %s WHERE id = %s"
    with (
        pytest.raises(IntegrityError, match="patient_nhs_number_digits"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, ["999 123 45", patient.pk])


def test_database_refuses_sms_consent_without_a_mobile() -> None:
    patient = PatientFactory.create()
    with (
        pytest.raises(IntegrityError, match="patient_sms_consent_needs_mobile"),
        transaction.atomic(),
    ):
        Patient.objects.filter(pk=patient.pk).update(mobile="")


def test_registration_before_birth_is_refused_in_words() -> None:
    patient = PatientFactory.build(
        registered_practice=PracticeFactory.create(),
        date_of_birth=datetime.date(2000, 5, 1),
        registration_date=datetime.date(1999, 1, 1),
    )
    assert _errors(patient)["registration_date"] == [
        "The registration date cannot be before the date of birth."
    ]
