"""Registering a patient and editing demographics from reception: the service (audited, by
policy) and the pages (inline validation on blur, error summary, 400 on bad input)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditAction, AuditEvent
from common.errors import PermissionRefused
from patients.models import Patient
from patients.services import patient_register, patient_update_demographics
from tests.appointments.test_reception_views import signed_in
from tests.factories import next_nhs_number

pytestmark = pytest.mark.django_db


def _data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "nhs_number": next_nhs_number(), "given_name": "Grace", "family_name": "Hopper",
        "date_of_birth": "1980-12-09", "sex": "female", "address_line1": "1 High Street",
        "address_line2": "", "town": "Oxford", "postcode": "ox2 9as", "mobile": "07400 123456",
        "email": "", "preferred_site": "",
    }
    data.update(overrides)
    return data


def test_register_page_creates_an_audited_patient(world) -> None:
    client = signed_in(world.receptionist)
    url = reverse("reception-patient-register")
    assert client.get(url).status_code == 200
    response = client.post(url, _data(preferred_site=world.kennington.pk))
    assert response.status_code == 302
    patient = Patient.objects.get(given_name="Grace", family_name="Hopper")
    assert patient.registered_practice == world.practice
    assert patient.postcode == "OX2 9AS" and patient.mobile == "+447400123456"
    event = AuditEvent.objects.get(patient=patient, action=AuditAction.CREATE)
    assert event.object_type == "patient" and event.user == world.receptionist.user


def test_register_bad_input_is_400_with_error_summary(world) -> None:
    client = signed_in(world.receptionist)
    response = client.post(reverse("reception-patient-register"),
                           _data(nhs_number="1234567890", postcode="nowhere", mobile="12"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_nhs_number"' in html and 'href="#id_postcode"' in html
    assert 'href="#id_mobile"' in html
    assert not Patient.objects.filter(family_name="Hopper").exists()


def test_duplicate_nhs_number_is_refused(world) -> None:
    client = signed_in(world.receptionist)
    response = client.post(reverse("reception-patient-register"),
                           _data(nhs_number=world.patient.nhs_number))
    assert response.status_code == 400
    assert Patient.objects.filter(nhs_number=world.patient.nhs_number).count() == 1


def test_validate_one_field_on_blur(world) -> None:
    client = signed_in(world.receptionist)
    url = reverse("reception-patient-validate")
    bad = client.post(url, _data(postcode="nowhere", validate="postcode")).content.decode()
    assert "nhsuk-form-group--error" in bad and "nhsuk-error-message" in bad
    assert 'id="id_postcode"' in bad and "id_nhs_number" not in bad
    good = client.post(url, _data(validate="nhs_number")).content.decode()
    assert "nhsuk-form-group--error" not in good
    assert client.post(url, _data(validate="password")).status_code == 400


def test_edit_demographics_audits_changed_fields(world) -> None:
    client = signed_in(world.receptionist)
    url = reverse("reception-patient-edit", args=[world.patient.pk])
    page = client.get(url)
    assert page.status_code == 200 and escape(world.patient.family_name) in page.content.decode()
    p = world.patient
    data = _data(nhs_number=p.nhs_number, given_name=p.given_name, family_name=p.family_name,
                 date_of_birth=p.date_of_birth.isoformat(), sex=p.sex,
                 address_line1="2 New Road", town=p.town, postcode="OX1 1AA",
                 mobile=p.mobile, email=p.email, sms_consent="on", email_consent="on")
    assert client.post(url, data).status_code == 302
    p.refresh_from_db()
    assert p.address_line1 == "2 New Road" and p.postcode == "OX1 1AA"
    event = AuditEvent.objects.get(patient=p, action=AuditAction.AMEND)
    assert "address_line1" in event.detail and "postcode" in event.detail
    assert "nhs_number" not in event.detail


def test_other_practice_cannot_edit(world) -> None:
    client = signed_in(world.stranger_receptionist)
    url = reverse("reception-patient-edit", args=[world.patient.pk])
    assert client.get(url).status_code == 403
    with pytest.raises(PermissionRefused):
        patient_update_demographics(actor=world.actor(world.stranger_receptionist),
                                    patient=world.patient, data={"town": "Elsewhere"})
    assert AuditEvent.objects.filter(patient=world.patient, action=AuditAction.REFUSED).exists()


def test_service_refuses_non_staff_and_validates(world) -> None:
    from policy.actor import actor_for_user

    with pytest.raises(PermissionRefused):
        patient_register(actor=actor_for_user(world.nobody), data={})
    with pytest.raises(ValidationError) as caught:
        patient_register(actor=world.actor(), data={"given_name": "X"})
    assert "family_name" in caught.value.error_dict
