from __future__ import annotations

import hashlib
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory, override_settings
from django.utils import timezone

from common import demo
from patients.demo import build_patients
from patients.models import Patient
from practices.models import OpeningHours, Practice, Site
from staff.models import StaffMember
from staff.roles import Role

pytestmark = pytest.mark.django_db

LOGINS = ["gp", "anp", "nurse", "physio", "hca", "pharmacist", "linkworker", "reception", "manager"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def digest() -> str:
    """A hash of every key column the seed writes, to prove a second run changes nothing."""
    rows: list[Any] = [
        list(Practice.objects.order_by("pk").values_list("pk", "name", "ods_code")),
        list(Site.objects.order_by("pk").values_list("pk", "name", "postcode", "phone")),
        list(OpeningHours.objects.order_by("pk").values_list("site", "weekday", "opens", "closes")),
        list(
            StaffMember.objects.order_by("pk").values_list(
                "pk", "user__username", "user__password", "role", "registration_number", "sites"
            )
        ),
        list(
            Patient.objects.order_by("pk").values_list(
                "pk",
                "nhs_number",
                "given_name",
                "family_name",
                "date_of_birth",
                "postcode",
                "mobile",
                "email",
                "sms_consent",
                "preferred_site",
                "registration_date",
            )
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_second_run_changes_nothing() -> None:
    seed("--patients", "300")
    counts = (Patient.objects.count(), StaffMember.objects.count(), Site.objects.count())
    first = digest()
    output = seed("--patients", "300")
    assert (Patient.objects.count(), StaffMember.objects.count(), Site.objects.count()) == counts
    assert digest() == first
    assert "(0 new)" in output


def test_builds_botley_with_two_sites_in_oxfed() -> None:
    seed("--patients", "10")
    practice = Practice.objects.get(ods_code="K84016")
    assert practice.federation is not None and practice.federation.name == "OxFed"
    assert sorted(practice.sites.values_list("name", flat=True)) == [
        "Botley Medical Centre",
        "Kennington Health Centre",
    ]
    botley = practice.sites.get(name="Botley Medical Centre")
    tuesday = botley.opening_hours.get(weekday=OpeningHours.Weekday.TUESDAY)
    assert (tuesday.opens.hour, tuesday.closes.hour) == (8, 20)


def test_creates_exactly_the_patients_asked_for_with_valid_999_numbers() -> None:
    seed("--patients", "300")
    numbers = list(Patient.objects.values_list("nhs_number", flat=True))
    assert len(numbers) == 300
    assert all(n.startswith("999") for n in numbers)
    for patient in Patient.objects.all()[:50]:
        patient.full_clean()  # every generated row passes the model's own validation


def test_same_seed_same_patients_other_seed_other_patients() -> None:
    practice = Practice(pk=1, name="Botley Medical Centre", ods_code="K84016")
    sites = {"botley": Site(pk=1, practice=practice), "kennington": Site(pk=2, practice=practice)}
    day = timezone.localdate()

    def names(seed: int) -> list[tuple[str, str, str]]:
        ctx = demo.DemoContext(password="x", seed=seed)
        return [
            (p.given_name, p.family_name, p.postcode)
            for p in build_patients(ctx, practice, sites, 50, day)
        ]

    assert names(7) == names(7)
    assert names(7) != names(8)


def test_a_larger_list_extends_a_smaller_one_without_changing_it() -> None:
    seed("--patients", "100")
    before = list(Patient.objects.order_by("nhs_number").values_list("nhs_number", "family_name"))
    seed("--patients", "150")
    after = list(Patient.objects.order_by("nhs_number").values_list("nhs_number", "family_name"))
    assert len(after) == 150
    assert after[:100] == before


def test_ages_spread_from_babies_to_the_very_old() -> None:
    seed("--patients", "1000")
    today = timezone.localdate()
    ages = [p.age_on(today) for p in Patient.objects.only("date_of_birth")]
    assert min(ages) <= 1
    assert max(ages) >= 90
    children = sum(1 for a in ages if a < 16) / len(ages)
    assert 0.1 < children < 0.3


def test_one_login_per_role_with_the_demo_password(settings: Any) -> None:
    settings.DEMO_PASSWORD = "another-demo-passphrase"
    seed("--patients", "10")
    for username in LOGINS:
        request = RequestFactory().post("/sign-in/")
        user = authenticate(request, username=username, password="another-demo-passphrase")
        assert user is not None, username
        assert user.staff.role == username
    assert set(StaffMember.objects.values_list("role", flat=True)) == set(Role.values)


def test_reception_and_gp_work_at_both_sites() -> None:
    seed("--patients", "10")
    for username in ("reception", "gp"):
        assert StaffMember.objects.get(user__username=username).sites.count() == 2


def test_every_role_works_at_each_site() -> None:
    seed("--patients", "10")
    for site in Site.objects.all():
        roles = set(StaffMember.objects.filter(sites=site).values_list("role", flat=True))
        assert roles == set(Role.values), site


def test_only_the_manager_login_reaches_the_admin() -> None:
    seed("--patients", "10")
    staff_users = get_user_model().objects.filter(is_staff=True)
    assert list(staff_users.values_list("username", flat=True)) == ["manager"]


def test_staff_without_a_demo_login_cannot_log_in() -> None:
    seed("--patients", "10")
    others = get_user_model().objects.filter(staff__isnull=False).exclude(username__in=LOGINS)
    assert others.exists()
    assert not any(u.has_usable_password() for u in others)


def test_summary_names_the_practice_and_the_logins() -> None:
    output = seed("--patients", "10")
    assert "Botley Medical Centre (K84016)" in output
    assert "Patients: 10 registered" in output
    for username in LOGINS:
        assert f"    {username} " in output


@override_settings(PRODUCTION=True)
def test_refuses_to_run_in_production() -> None:
    with pytest.raises(CommandError, match="DOVETAIL_ENV=production"):
        seed("--patients", "10")
    assert not Practice.objects.exists()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("0", "between 1 and 900,000"),
        ("-5", "between 1 and 900,000"),
        ("1000001", "between 1 and 900,000"),
        ("lots", "whole number"),
        ("1.5", "whole number"),
        ("", "whole number"),
    ],
)
def test_bad_patient_count_is_refused_with_a_clear_message(value: str, says: str) -> None:
    with pytest.raises(CommandError, match=says):
        seed("--patients", value)
    assert not Practice.objects.exists()


def test_a_missing_demo_step_fails_loudly_and_writes_nothing(monkeypatch: Any) -> None:
    monkeypatch.setattr(demo, "DEMO_STEPS", [*demo.DEMO_STEPS, "nowhere.demo.seed"])
    with pytest.raises(CommandError, match=r"nowhere\.demo\.seed"):
        seed("--patients", "10")
    assert not Practice.objects.exists()


def test_weak_demo_password_is_refused_and_nothing_is_written(settings: Any) -> None:
    settings.DEMO_PASSWORD = "123"
    with pytest.raises(CommandError, match="too short"):
        seed("--patients", "10")
    assert not Practice.objects.exists()
