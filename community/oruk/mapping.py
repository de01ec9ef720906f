"""Map a directory entry to an ORUK ``service`` and back (pure functions, no database).

Dovetail's own vocabularies travel as ORUK taxonomies: the category list
(``dovetail-community-category``) and the referral method (``dovetail-referral-method``).
Sub-object ids are derived from the service id, so exporting the same entry always gives the
same JSON, and an exported file re-imports to the same entries.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone

from common.fields import normalise_postcode, normalise_uk_phone
from community.models import Category, ReferralMethod, Resource
from community.oruk.lines import Path

CATEGORY_VOCABULARY = "dovetail-community-category"
REFERRAL_METHOD_VOCABULARY = "dovetail-referral-method"
_ID_NAMESPACE = uuid.UUID("6f1e0a52-3c1b-4d8e-9a57-0d6b2b7c2f10")
_CATEGORY_BY_LABEL = {str(label).lower(): code for code, label in Category.choices}
_METHOD_BY_LABEL = {str(label).lower(): code for code, label in ReferralMethod.choices}


def _sub_id(service_id: str, part: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{service_id}/{part}"))


def _taxonomy(service_id: str, vocabulary: str, code: str, label: str) -> dict[str, Any]:
    return {
        "id": _sub_id(service_id, f"taxonomy/{vocabulary}/{code}"),
        "taxonomy": {"id": f"{vocabulary}:{code}", "name": label, "vocabulary": vocabulary},
    }


def resource_to_service(resource: Resource) -> dict[str, Any]:
    sid = resource.external_id
    labels = dict(Category.choices)
    service: dict[str, Any] = {
        "id": sid,
        "name": resource.name,
        "description": resource.description,
        "url": resource.website,
        "email": resource.email,
        "status": "active" if resource.active else "inactive",
        "fees": resource.cost,
        "assured_date": resource.last_checked.isoformat(),
        "organization": {
            "id": str(resource.organisation_id),
            "name": resource.organisation_name,
            "description": resource.organisation_description,
        },
        "contacts": [],
        "eligibilitys": [],
        "regular_schedules": [],
        "service_areas": [],
        "service_at_locations": [
            {
                "id": _sub_id(sid, "service_at_location"),
                "location": {
                    "id": _sub_id(sid, "location"),
                    "name": resource.name,
                    "physical_addresses": [
                        {
                            "id": _sub_id(sid, "address"),
                            "address_1": resource.address_line1,
                            "address_2": resource.address_line2,
                            "city": resource.town,
                            "postal_code": resource.postcode,
                            "country": "GB",
                        }
                    ],
                    "accessibility_for_disabilities": [],
                },
            }
        ],
        "service_taxonomys": [
            _taxonomy(sid, CATEGORY_VOCABULARY, code, str(labels[code]))
            for code in resource.categories
        ]
        + [
            _taxonomy(
                sid,
                REFERRAL_METHOD_VOCABULARY,
                resource.referral_method,
                resource.get_referral_method_display(),
            )
        ],
    }
    if not resource.website:
        del service["url"]  # the schema's url pattern does not allow an empty string
    if resource.phone:
        service["contacts"] = [
            {
                "id": _sub_id(sid, "contact"),
                "name": resource.organisation_name,
                "phones": [{"id": _sub_id(sid, "phone"), "number": resource.phone}],
            }
        ]
    if resource.suits:
        service["eligibilitys"] = [
            {"id": _sub_id(sid, "eligibility"), "eligibility": resource.suits}
        ]
    if resource.opening_times:
        service["regular_schedules"] = [
            {"id": _sub_id(sid, "schedule"), "description": resource.opening_times}
        ]
    if resource.area:
        service["service_areas"] = [{"id": _sub_id(sid, "area"), "service_area": resource.area}]
    if resource.accessibility:
        location = service["service_at_locations"][0]["location"]
        location["accessibility_for_disabilities"] = [
            {"id": _sub_id(sid, "accessibility"), "accessibility": resource.accessibility}
        ]
    return service


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str


def _first(items: Any) -> dict[str, Any]:
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _joined(items: Any, key: str) -> str:
    if not isinstance(items, list):
        return ""
    return "\n".join(str(i.get(key, "")).strip() for i in items if isinstance(i, dict)).strip()


def service_to_fields(
    service: dict[str, Any], path: Path
) -> tuple[dict[str, Any], list[Problem]]:
    """Dovetail's field values for one (schema-valid) service, plus any problems found.

    Only the first location, address, contact and phone are used (docs/community.md).
    """
    problems: list[Problem] = []
    location = _first(service.get("service_at_locations")).get("location", {})
    address = _first(location.get("physical_addresses"))
    phone = _first(_first(service.get("contacts")).get("phones")).get("number", "")

    categories: list[str] = []
    method = ReferralMethod.SELF.value
    for index, link in enumerate(service.get("service_taxonomys", [])):
        taxonomy = link["taxonomy"]
        vocabulary = taxonomy.get("vocabulary", "")
        code = str(taxonomy["id"]).split(":", 1)[-1]
        name = str(taxonomy["name"]).strip().lower()
        here = (*path, "service_taxonomys", index, "taxonomy")
        if vocabulary == REFERRAL_METHOD_VOCABULARY:
            found = code if code in ReferralMethod.values else _METHOD_BY_LABEL.get(name)
            if found is None:
                problems.append(Problem(here, f"unknown referral method {taxonomy['name']!r}"))
            else:
                method = found
            continue
        found = code if vocabulary == CATEGORY_VOCABULARY and code in Category.values else None
        found = found or _CATEGORY_BY_LABEL.get(name)
        if found is None and vocabulary == CATEGORY_VOCABULARY:
            problems.append(Problem(here, f"unknown category {taxonomy['name']!r}"))
        elif found is not None and found not in categories:
            categories.append(found)
    if not categories:
        problems.append(
            Problem(
                (*path, "service_taxonomys"),
                "no category Dovetail knows: add a taxonomy from the category list "
                "(e.g. 'Food', 'Housing', 'Carers')",
            )
        )

    fields: dict[str, Any] = {
        "external_id": service["id"],
        "name": service["name"].strip(),
        "description": service["description"].strip(),
        "website": service.get("url", ""),
        "email": service.get("email", "").strip(),
        "active": service.get("status", "active") == "active",
        "cost": service.get("fees", "").strip(),
        "organisation_id": uuid.UUID(service["organization"]["id"]),
        "organisation_name": service["organization"]["name"].strip(),
        "organisation_description": service["organization"].get("description", "").strip(),
        "categories": categories,
        "referral_method": method,
        "suits": _joined(service.get("eligibilitys"), "eligibility"),
        "opening_times": _joined(service.get("regular_schedules"), "description"),
        "area": str(_first(service.get("service_areas")).get("service_area", "")).strip(),
        "address_line1": str(address.get("address_1", "")).strip(),
        "address_line2": str(address.get("address_2", "")).strip(),
        "town": str(address.get("city", "")).strip(),
        "accessibility": _joined(location.get("accessibility_for_disabilities"), "accessibility"),
    }
    try:
        fields["last_checked"] = datetime.date.fromisoformat(service["assured_date"])
    except (KeyError, ValueError):
        problems.append(
            Problem((*path, "assured_date"), "assured_date must be a date like 2026-05-31")
        )
    if "last_checked" in fields and fields["last_checked"] > timezone.localdate():
        problems.append(Problem((*path, "assured_date"), "assured_date is in the future"))
    _normalise(fields, "postcode", address.get("postal_code", ""), normalise_postcode,
               (*path, "service_at_locations", 0, "location", "physical_addresses", 0,
                "postal_code"), problems)
    _normalise(fields, "phone", phone, normalise_uk_phone,
               (*path, "contacts", 0, "phones", 0, "number"), problems)
    if fields["email"]:
        try:
            EmailValidator()(fields["email"])
        except ValidationError:
            problems.append(Problem((*path, "email"), f"{fields['email']!r} is not an email"))
    return fields, problems


def _normalise(
    fields: dict[str, Any], name: str, raw: Any, normaliser: Any, path: Path,
    problems: list[Problem],
) -> None:
    text = str(raw).strip()
    try:
        fields[name] = normaliser(text) if text else ""
    except ValidationError as exc:
        problems.append(Problem(path, f"{text!r}: {exc.messages[0]}"))
        fields[name] = ""
