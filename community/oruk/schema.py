"""JSON Schema (draft 7) of the part of an Open Referral UK ``service`` that Dovetail reads.

Field names, nesting and formats follow the ORUK v1 service schema and API (the
``service.schema.json`` published by OpenReferralUK/human-services: ``organization`` with a
UUID ``id``, ``name`` and ``description`` required; ``status`` from its fixed list; ``url`` with
an http(s) pattern) and the ORUK API's nested service detail (``contacts[].phones[]``,
``eligibilitys[]``, ``regular_schedules[]``, ``service_areas[]``, ``service_at_locations[]``
with ``location.physical_addresses[]`` and ``location.accessibility_for_disabilities[]``,
``service_taxonomys[].taxonomy``). Properties we do not use are allowed and ignored.
"""

from __future__ import annotations

from typing import Any

UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
URL_PATTERN = "^(https?|wss?|ftp)://"
STATUSES = ["active", "inactive", "defunct", "temporarily closed"]


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


_TEXT = {"type": "string"}
_ID = {"type": "string", "minLength": 1}

ORGANIZATION = _object(
    {
        "id": {"type": "string", "pattern": UUID_PATTERN},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": _TEXT,
        "email": _TEXT,
        "url": {"type": "string", "pattern": URL_PATTERN},
    },
    ["id", "name", "description"],
)
PHONE = _object({"id": _ID, "number": {"type": "string", "minLength": 1}}, ["number"])
CONTACT = _object({"id": _ID, "name": _TEXT, "phones": _list_of(PHONE)})
ELIGIBILITY = _object({"id": _ID, "eligibility": _TEXT})
SCHEDULE = _object({"id": _ID, "description": _TEXT})
SERVICE_AREA = _object({"id": _ID, "service_area": {"type": "string", "maxLength": 100}})
PHYSICAL_ADDRESS = _object(
    {
        "id": _ID,
        "address_1": {"type": "string", "maxLength": 200},
        "address_2": {"type": "string", "maxLength": 200},
        "city": {"type": "string", "maxLength": 100},
        "postal_code": {"type": "string", "maxLength": 10},
        "country": _TEXT,
    }
)
ACCESSIBILITY = _object({"id": _ID, "accessibility": _TEXT})
LOCATION = _object(
    {
        "id": _ID,
        "name": _TEXT,
        "physical_addresses": _list_of(PHYSICAL_ADDRESS),
        "accessibility_for_disabilities": _list_of(ACCESSIBILITY),
    },
    ["id"],
)
SERVICE_AT_LOCATION = _object({"id": _ID, "location": LOCATION}, ["location"])
TAXONOMY = _object(
    {"id": _ID, "name": {"type": "string", "minLength": 1}, "vocabulary": _TEXT}, ["id", "name"]
)
SERVICE_TAXONOMY = _object({"id": _ID, "taxonomy": TAXONOMY}, ["taxonomy"])

SERVICE: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "service (Dovetail's Open Referral UK subset)",
    **_object(
        {
            "id": {"type": "string", "minLength": 1, "maxLength": 100},
            "organization": ORGANIZATION,
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "description": {"type": "string", "minLength": 1},
            "url": {"type": "string", "pattern": URL_PATTERN, "maxLength": 200},
            "email": {"type": "string", "maxLength": 254},
            "status": {"type": "string", "enum": STATUSES},
            "fees": {"type": "string", "maxLength": 200},
            "assured_date": {"type": "string", "format": "date"},
            "contacts": _list_of(CONTACT),
            "eligibilitys": _list_of(ELIGIBILITY),
            "regular_schedules": _list_of(SCHEDULE),
            "service_areas": _list_of(SERVICE_AREA),
            "service_at_locations": _list_of(SERVICE_AT_LOCATION),
            "service_taxonomys": _list_of(SERVICE_TAXONOMY),
        },
        ["id", "organization", "name", "description"],
    ),
}
