"""The admin as a practice manager uses it: every page loads, only their practice is visible."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditEvent
from patients.models import Patient
from practices.models import Practice, Site
from staff.models import StaffMember
from staff.roles import Role
from staff.services import staff_member_create
from tests.factories import (
    FederationFactory,
    PatientFactory,
    SiteFactory,
    StaffMemberFactory,
    next_nhs_number,
)

pytestmark = pytest.mark.django_db

MANAGED_APPS = {"practices", "staff", "patients", "records", "appointments"}


@pytest.fixture
def botley() -> Site:
    return SiteFactory.create(name="Botley Medical Centre")


@pytest.fixture
def elsewhere() -> Site:
    """A site of another practice, with a patient and a member of staff."""
    return SiteFactory.create(name="Somewhere Else Surgery")


@pytest.fixture
def manager(botley: Site) -> Any:
    return staff_member_create(
        username="manager",
        first_name="Alison",
        last_name="Reeve",
        email="",
        password="a-long-demo-passphrase",
        practice=botley.practice,
        role=Role.PRACTICE_MANAGER,
        sites=[botley],
    ).user


@pytest.fixture
def client_as_manager(client: Client, manager: Any) -> Client:
    client.force_login(manager)
    return client


def _admin_url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _managed_models() -> list[Any]:
    return [m for m in admin.site._registry if m._meta.app_label in MANAGED_APPS]


def test_practice_manager_sees_every_practice_model_listed(
    client_as_manager: Client, botley: Site
) -> None:
    PatientFactory.create(registered_practice=botley.practice, preferred_site=botley)
    models = _managed_models()
    assert {Patient, Site, StaffMember, Practice} <= set(models)
    for model in models:
        response = client_as_manager.get(_admin_url(model, "changelist"))
        assert response.status_code == 200, model


def test_practice_manager_add_pages_load_where_they_may_add(
    client_as_manager: Client, manager: Any
) -> None:
    loaded = []
    for model in _managed_models():
        response = client_as_manager.get(_admin_url(model, "add"))
        may_add = manager.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")
        assert response.status_code == (200 if may_add else 403), model
        loaded += [model] if may_add else []
    assert {Patient, Site, StaffMember} <= set(loaded)


def test_practice_manager_cannot_reach_user_accounts(client_as_manager: Client) -> None:
    response = client_as_manager.get(_admin_url(get_user_model(), "changelist"))
    assert response.status_code == 403


def test_practice_manager_sees_only_their_own_practices_patients(
    client_as_manager: Client, botley: Site, elsewhere: Site
) -> None:
    ours = PatientFactory.create(registered_practice=botley.practice, family_name="Ours")
    theirs = PatientFactory.create(registered_practice=elsewhere.practice, family_name="Theirs")
    listing = client_as_manager.get(_admin_url(Patient, "changelist"))
    assert "Ours" in listing.content.decode()
    assert "Theirs" not in listing.content.decode()
    assert client_as_manager.get(_admin_url(Patient, "change", ours.pk)).status_code == 200
    response = client_as_manager.get(_admin_url(Patient, "change", theirs.pk))
    assert response.status_code in (302, 404)


def test_practice_manager_cannot_open_another_practices_site_or_staff(
    client_as_manager: Client, elsewhere: Site
) -> None:
    other_staff = StaffMemberFactory.create(practice=elsewhere.practice, sites=[elsewhere])
    for url in (
        _admin_url(Site, "change", elsewhere.pk),
        _admin_url(StaffMember, "change", other_staff.pk),
        _admin_url(Practice, "change", elsewhere.practice.pk),
    ):
        assert client_as_manager.get(url).status_code in (302, 404), url


def test_receptionist_is_refused_the_admin(client: Client, botley: Site) -> None:
    receptionist = StaffMemberFactory.create(
        role=Role.RECEPTIONIST, practice=botley.practice, sites=[botley]
    )
    client.force_login(receptionist.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert client.get(_admin_url(Patient, "changelist")).status_code == 302


def _patient_form(practice: Practice, **overrides: str) -> dict[str, str]:
    data = {
        "nhs_number": next_nhs_number(),
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1980-12-10",
        "sex": "female",
        "address_line1": "1 Elms Road",
        "town": "Oxford",
        "postcode": "OX2 9JS",
        "registered_practice": str(practice.pk),
        "registration_date": "2020-01-01",
    }
    data.update(overrides)
    return data


def test_admin_patient_form_shows_a_clear_error_for_a_bad_nhs_number(
    client_as_manager: Client, botley: Site
) -> None:
    number = next_nhs_number()
    mistyped = number[:9] + str((int(number[9]) + 1) % 10)  # a wrong check digit
    data = _patient_form(botley.practice, nhs_number=mistyped)
    response = client_as_manager.post(_admin_url(Patient, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["nhs_number"] == [
        "This NHS number is not valid: check you have typed it correctly."
    ]
    assert not Patient.objects.exists()


def test_admin_patient_form_shows_a_clear_error_for_a_bad_postcode(
    client_as_manager: Client, botley: Site
) -> None:
    data = _patient_form(botley.practice, postcode="OX2 XXX")
    response = client_as_manager.post(_admin_url(Patient, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["postcode"] == [
        "Enter a real UK postcode, like OX2 9AS."
    ]


def test_admin_saves_a_patient_typed_with_spaces_as_ten_digits(
    client_as_manager: Client, botley: Site
) -> None:
    number = next_nhs_number()
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    data = _patient_form(botley.practice, nhs_number=spaced, postcode="ox2 9js")
    response = client_as_manager.post(_admin_url(Patient, "add"), data)
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert (patient.nhs_number, patient.postcode) == (number, "OX2 9JS")


def test_admin_cannot_register_a_patient_at_another_practice(
    client_as_manager: Client, elsewhere: Site, botley: Site
) -> None:
    """The practice is not a field of the manager's form: the service registers the patient
    at the manager's own practice, whatever is posted, and audits it."""
    data = _patient_form(elsewhere.practice)
    response = client_as_manager.post(_admin_url(Patient, "add"), data)
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert patient.registered_practice_id == botley.practice_id
    assert AuditEvent.objects.filter(patient=patient, action="create").exists()


def test_admin_patient_edits_go_through_the_audited_service(
    client_as_manager: Client, botley: Site
) -> None:
    patient = PatientFactory.create(registered_practice=botley.practice, family_name="Before")
    data = _patient_form(botley.practice, nhs_number=patient.nhs_number, family_name="After")
    response = client_as_manager.post(_admin_url(Patient, "change", patient.pk), data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.family_name == "After"
    event = AuditEvent.objects.get(patient=patient, action="amend")
    assert "family_name" in event.detail and event.basis == "own_practice"


def test_an_inactive_manager_is_refused_the_admin(
    client_as_manager: Client, manager: Any, botley: Site
) -> None:
    """Django's is_staff flag is not enough: the policy asks for an active staff member."""
    PatientFactory.create(registered_practice=botley.practice)
    StaffMember.objects.filter(user=manager).update(active=False)
    assert client_as_manager.get(_admin_url(Patient, "changelist")).status_code == 403
    assert client_as_manager.get(_admin_url(Patient, "add")).status_code == 403


def _staff_form(site: Site, **overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": "jokafor",
        "first_name": "James",
        "last_name": "Okafor",
        "email": "james@example.org",
        "password": "",
        "practice": str(site.practice_id),
        "role": Role.GP,
        "registration_number": "7040137",
        "sites": [str(site.pk)],
    }
    data.update(overrides)
    return data


def test_manager_adds_a_member_of_staff_with_their_login(
    client_as_manager: Client, botley: Site
) -> None:
    response = client_as_manager.post(
        _admin_url(StaffMember, "add"),
        _staff_form(botley, role=Role.RECEPTIONIST, registration_number=""),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    member = StaffMember.objects.get(user__username="jokafor")
    assert (member.practice, list(member.sites.all())) == (botley.practice, [botley])
    assert not member.user.has_usable_password()


def test_staff_add_form_explains_a_bad_registration_number_and_a_taken_username(
    client_as_manager: Client, botley: Site, manager: Any
) -> None:
    data = _staff_form(botley, username="manager", registration_number="12345")
    response = client_as_manager.post(_admin_url(StaffMember, "add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "GMC number is 7 digits" in errors["registration_number"][0]
    assert "already exists" in errors["username"][0]
    assert StaffMember.objects.count() == 1


def test_staff_change_page_shows_the_login_but_does_not_let_it_change(
    client_as_manager: Client, manager: Any
) -> None:
    response = client_as_manager.get(_admin_url(StaffMember, "change", manager.staff.pk))
    assert response.status_code == 200
    assert "user" not in response.context["adminform"].form.fields


def test_site_form_explains_opening_hours_that_close_before_they_open(
    client_as_manager: Client, botley: Site
) -> None:
    data = {
        "practice": str(botley.practice_id),
        "name": botley.name,
        "address_line1": "Elms Road",
        "town": "Oxford",
        "postcode": "OX2 9JS",
        "phone": "01865 960201",
        "opening_hours-TOTAL_FORMS": "1",
        "opening_hours-INITIAL_FORMS": "0",
        "opening_hours-MIN_NUM_FORMS": "0",
        "opening_hours-MAX_NUM_FORMS": "1000",
        "opening_hours-0-weekday": "0",
        "opening_hours-0-opens": "18:30",
        "opening_hours-0-closes": "08:00",
    }
    response = client_as_manager.post(_admin_url(Site, "change", botley.pk), data)
    assert response.status_code == 200
    assert "The closing time must be after the opening time." in response.content.decode()
    assert not botley.opening_hours.exists()


def test_new_patient_and_staff_forms_start_at_the_managers_practice(
    client_as_manager: Client, botley: Site
) -> None:
    for model, field in ((StaffMember, "practice"),):  # a patient's is set by the service
        response = client_as_manager.get(_admin_url(model, "add"))
        assert str(response.context["adminform"].form[field].value()) == str(botley.practice_id)


def test_patient_search_finds_an_nhs_number_typed_with_spaces(
    client_as_manager: Client, botley: Site
) -> None:
    wanted = PatientFactory.create(registered_practice=botley.practice, family_name="Wanted")
    PatientFactory.create(registered_practice=botley.practice, family_name="Other")
    spaced = f"{wanted.nhs_number[:3]} {wanted.nhs_number[3:6]} {wanted.nhs_number[6:]}"
    response = client_as_manager.get(_admin_url(Patient, "changelist"), {"q": spaced})
    assert [p.pk for p in response.context["cl"].result_list] == [wanted.pk]


@pytest.mark.parametrize("model", [Patient, StaffMember, Site])
def test_changelist_queries_do_not_grow_with_the_rows(
    client_as_manager: Client, botley: Site, model: Any, django_assert_max_num_queries: Any
) -> None:
    def make(n: int) -> None:
        for _ in range(n):
            if model is Patient:
                PatientFactory.create(registered_practice=botley.practice, preferred_site=botley)
            elif model is StaffMember:
                StaffMemberFactory.create(practice=botley.practice, sites=[botley])
            else:
                SiteFactory.create(practice=botley.practice)

    url = _admin_url(model, "changelist")
    make(2)
    with CaptureQueriesContext(connection) as few:
        client_as_manager.get(url)
    make(20)
    with django_assert_max_num_queries(len(few)):
        client_as_manager.get(url)


def test_list_filters_do_not_name_another_practices_sites(
    client_as_manager: Client, botley: Site, elsewhere: Site
) -> None:
    StaffMemberFactory.create(practice=elsewhere.practice, sites=[elsewhere])
    PatientFactory.create(registered_practice=elsewhere.practice, preferred_site=elsewhere)
    PatientFactory.create(registered_practice=botley.practice, preferred_site=botley)
    for model in (StaffMember, Patient, Site):
        page = client_as_manager.get(_admin_url(model, "changelist")).content.decode()
        assert "Somewhere Else Surgery" not in page, model
        assert escape(elsewhere.practice.name) not in page, model


def test_manager_can_rename_their_practice_but_not_move_it_into_another_federation(
    client_as_manager: Client, botley: Site
) -> None:
    practice = botley.practice
    ods_code = practice.ods_code
    other = FederationFactory.create(name="Someone Else's Federation")
    url = _admin_url(Practice, "change", practice.pk)
    data = {"name": "Botley & Kennington", "ods_code": "Z99999", "federation": str(other.pk)}
    response = client_as_manager.post(url, data)
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.name == "Botley & Kennington"
    assert (practice.federation_id, practice.ods_code) == (None, ods_code)
