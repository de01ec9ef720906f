"""Open Referral UK import: whole file checked first, line-level errors, all or nothing."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone

from common.errors import PermissionRefused
from community.models import Category, ReferralMethod, Resource
from community.selectors import directory_export
from community.services.imports import ImportRefused, directory_import
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "oruk_sample.json"


def _service(**overrides):
    service = {
        "id": "svc-1",
        "name": "Carers' coffee morning",
        "description": "Meet other carers.",
        "assured_date": "2026-10-01",
        "organization": {
            "id": "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
            "name": "Carers Oxfordshire",
            "description": "Support for unpaid carers.",
        },
        "service_taxonomys": [
            {"id": "t", "taxonomy": {"id": "x", "name": "Carers", "vocabulary": "local"}}
        ],
    }
    service.update(overrides)
    return service


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_the_published_schema_sample_imports(town) -> None:
    result = directory_import(
        actor=town.actor(town.manager), locality_id=town.city.pk, text=SAMPLE.read_bytes()
    )
    assert (result.created, result.updated) == (2, 0)
    walks = Resource.objects.get(external_id="3f2a6a2e-8f0b-4d55-9d0e-2c1f5b7a9e01")
    assert walks.categories == [Category.ACTIVITY]
    assert walks.postcode == "OX2 9JN"
    assert walks.phone == "01865 248719"
    assert walks.area == "Botley"
    assert walks.curator == town.manager.user
    assert walks.last_checked == datetime.date(2026, 9, 1)
    food = Resource.objects.get(external_id="svc-oxford-food-bank")
    assert food.categories == [Category.FOOD]
    assert food.referral_method == ReferralMethod.FORM


def test_export_reimports_identically(town) -> None:
    ResourceFactory(
        locality=town.city, name="Age UK befriending", categories=["isolation", "carers"],
        suits="Over 60s living alone", opening_times="Weekdays 9 to 5", phone="01865 411288",
        email="info@example.org", website="https://www.example.org/befriending",
        referral_method="phone", cost="Free", accessibility="Home visits available",
        address_line1="St Edmund's House", town="Oxford", postcode="OX1 1DL", area="Central",
    )
    ResourceFactory(locality=town.city, name="Closed group", active=False, phone="", area="")
    first = directory_export(locality_id=town.city.pk)
    text = json.dumps(first, indent=2)

    directory_import(actor=town.actor(_manager_of(town.other)),
                     locality_id=town.other.pk, text=text)

    assert directory_export(locality_id=town.other.pk) == first


def _manager_of(locality):
    from staff.roles import Role
    from tests.factories import PracticeFactory, StaffMemberFactory

    return StaffMemberFactory(
        practice=PracticeFactory(locality=locality), role=Role.PRACTICE_MANAGER
    )


def test_reimporting_an_export_updates_in_place_and_keeps_the_curator(town) -> None:
    resource = ResourceFactory(locality=town.city, curator=town.link_worker.user)
    text = json.dumps(directory_export(locality_id=town.city.pk))
    result = directory_import(actor=town.actor(town.manager), locality_id=town.city.pk, text=text)
    assert (result.created, result.updated) == (0, 1)
    resource.refresh_from_db()
    assert resource.curator == town.link_worker.user


def test_bad_entries_are_reported_by_line_and_nothing_is_loaded(town) -> None:
    good = _service(id="good")
    no_name = _service(id="no-name")
    del no_name["name"]
    bad_postcode = _service(
        id="bad-postcode",
        service_at_locations=[{"location": {"id": "l", "physical_addresses": [
            {"postal_code": "NOT A POSTCODE"}]}}],
    )
    bad_date = _service(id="bad-date", assured_date="31/12/2025")
    text = json.dumps([good, no_name, bad_postcode, bad_date], indent=2)

    with pytest.raises(ImportRefused) as refused:
        directory_import(actor=town.actor(town.manager), locality_id=town.city.pk, text=text)

    lines = {p.line: p.message for p in refused.value.problems}
    assert _line_of(text, '"id": "no-name"') - 1 in lines  # the service object's "{" line
    assert "'name' is a required property" in lines[_line_of(text, '"id": "no-name"') - 1]
    assert _line_of(text, '"NOT A POSTCODE"') in lines
    assert _line_of(text, '"31/12/2025"') in lines
    assert len(refused.value.problems) == 3
    assert not Resource.objects.exists()


def test_a_json_syntax_error_is_reported_with_its_line(town) -> None:
    text = json.dumps([_service()], indent=2).replace('"Meet other carers."', '"Meet" other')
    with pytest.raises(ImportRefused) as refused:
        directory_import(actor=town.actor(town.manager), locality_id=town.city.pk, text=text)
    assert refused.value.problems[0].line == _line_of(text, '"Meet" other')


def test_a_service_id_used_twice_is_refused(town) -> None:
    text = json.dumps([_service(), _service(name="Again")], indent=2)
    with pytest.raises(ImportRefused) as refused:
        directory_import(actor=town.actor(town.manager), locality_id=town.city.pk, text=text)
    assert "also used on line 3" in refused.value.problems[0].message


def test_a_failure_while_writing_leaves_nothing_half_loaded(town, monkeypatch) -> None:
    text = json.dumps([_service(id="a"), _service(id="b")])
    saved: list[Resource] = []
    original = Resource.save

    def save_then_fail(self, *args, **kwargs):
        if saved:
            raise RuntimeError("disk full")
        saved.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Resource, "save", save_then_fail)
    with pytest.raises(RuntimeError):
        directory_import(actor=town.actor(town.manager), locality_id=town.city.pk, text=text)
    assert saved and not Resource.objects.exists()


def test_an_entry_last_checked_long_ago_arrives_flagged_stale(town) -> None:
    old = (timezone.localdate() - datetime.timedelta(days=400)).isoformat()
    directory_import(actor=town.actor(town.manager), locality_id=town.city.pk,
                     text=json.dumps([_service(assured_date=old)]))
    assert Resource.objects.get().stale_since == timezone.localdate()


def test_a_gp_who_curates_nothing_may_not_import(town) -> None:
    with pytest.raises(PermissionRefused):
        directory_import(actor=town.actor(town.gp), locality_id=town.city.pk,
                         text=json.dumps([_service()]))
    assert not Resource.objects.exists()


def test_a_file_without_a_category_we_know_is_refused(town) -> None:
    service = copy.deepcopy(_service())
    service["service_taxonomys"][0]["taxonomy"]["name"] = "Bingo"
    with pytest.raises(ImportRefused) as refused:
        directory_import(actor=town.actor(town.manager), locality_id=town.city.pk,
                         text=json.dumps([service], indent=2))
    assert "no category Dovetail knows" in refused.value.problems[0].message
