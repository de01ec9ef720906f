"""The free-slot search as the APIs serve it: one statement finds a page and writes its JSON.

``selectors.slots_available`` decides which slots are offered to whom (the rules, used by the
pages too); this module only decides how a page of them is written. At the 8am rush every
desk and every patient searches again and again, so the page is built in one round trip:
the selector's queryset, compiled once per shape (``common.prepared``), is wrapped in a
statement that numbers the rows, keeps one more than the page to know whether there is a
next page, and has PostgreSQL write the JSON. Python handles no row at all.

The JSON is the documented one: ``serializers.SlotOut`` for staff, ``online.online_api``'s
``slot_out`` for patients; the tests compare them field by field, names and times included.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.utils import timezone

from appointments.models import Channel
from appointments.selectors import slots_available
from appointments.serializers import SLOT_ROW_FIELDS, slot_rows
from common.prepared import PreparedQuery, fast_cursor, on_postgres
from staff.roles import Role


@dataclass(frozen=True)
class SlotPage:
    results_json: str  # a JSON array, already in the API's shape
    has_next: bool


def _iso(column: str, zone_suffix: str) -> str:
    """``datetime.isoformat()`` of a UTC timestamp, microseconds only when there are some."""
    return (
        f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN date_trunc('second', {column}) = {column} THEN '' "
        f"ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || '{zone_suffix}'"
    )


_FULL_NAME = 'btrim(t."clinician__user__first_name" || \' \' || t."clinician__user__last_name")'
# StaffMember.display_name: "Dr <full name>" for a GP, else the full name, else the username.
_DISPLAY_NAME = (
    f"CASE WHEN t.\"clinician__role\" = '{Role.GP.value}' AND {_FULL_NAME} <> '' "
    f"THEN 'Dr ' || {_FULL_NAME} "
    f"ELSE coalesce(nullif({_FULL_NAME}, ''), t.\"clinician__user__username\") END"
)

STAFF_FIELDS = SLOT_ROW_FIELDS  # the columns serializers.slot_rows reads
# serializers.SlotOut; DRF writes a UTC datetime as "+00:00" there (LocalDateTimeField).
STAFF_JSON = f"""json_build_object(
    'id', t."id", 'practice', t."practice_id",
    'site', json_build_object('id', t."site_id", 'name', t."site__name"),
    'clinician', json_build_object(
        'id', t."clinician_id", 'name', {_DISPLAY_NAME}, 'role', t."clinician__role"),
    'role', t."role",
    'appointment_type', json_build_object(
        'id', t."appointment_type_id", 'name', t."appointment_type__name"),
    'mode', t."mode", 'start', {_iso('t."start"', "+00:00")}, 'end', {_iso('t."end"', "+00:00")},
    'online', t."online", 'federation', t."federation")"""

ONLINE_FIELDS = (
    "id", "start", "end", "appointment_type_id", "appointment_type__name", "role", "mode",
    "site_id", "site__name", "site__address_line1", "site__address_line2", "site__town",
)
_ROLE_DISPLAY = (
    "CASE t.\"role\" "
    + " ".join(f"WHEN '{role.value}' THEN '{role.label}'" for role in Role)
    + " ELSE t.\"role\" END"
)
# online.online_api.slot_out; DRF's JSON encoder writes a UTC datetime with "Z" there.
ONLINE_JSON = f"""json_build_object(
    'id', t."id", 'start', {_iso('t."start"', "Z")}, 'end', {_iso('t."end"', "Z")},
    'appointment_type', json_build_object(
        'id', t."appointment_type_id", 'name', t."appointment_type__name"),
    'role', t."role", 'role_display', {_ROLE_DISPLAY}, 'mode', t."mode",
    'site', json_build_object(
        'id', t."site_id", 'name', t."site__name", 'address_line1', t."site__address_line1",
        'address_line2', t."site__address_line2", 'town', t."site__town"))"""


def _staff_rows(*, channel: str, **filters: Any) -> QuerySet[Any]:
    return slots_available(channel=channel, **filters).values(*STAFF_FIELDS)


def _online_rows(*, channel: str, **filters: Any) -> QuerySet[Any]:
    return slots_available(channel=channel, **filters).values(*ONLINE_FIELDS)


_STAFF = PreparedQuery(_staff_rows)
_ONLINE = PreparedQuery(_online_rows)

for _role in Role:  # the labels are written into the SQL: keep them plain text
    assert "'" not in _role.label and "%" not in _role.label, _role


def staff_rows_json(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """``STAFF_JSON`` in Python, from ``STAFF_FIELDS`` rows (the SQLite demo's way)."""
    return slot_rows(dict(zip(STAFF_FIELDS, row, strict=True)) for row in rows)


def online_rows_json(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """``ONLINE_JSON`` in Python, from ``ONLINE_FIELDS`` rows (the SQLite demo's way)."""
    labels = dict(Role.choices)
    out = []
    for values in rows:
        row = dict(zip(ONLINE_FIELDS, values, strict=True))
        out.append(
            {
                "id": row["id"],
                "start": _drf_datetime(row["start"]),
                "end": _drf_datetime(row["end"]),
                "appointment_type": {
                    "id": row["appointment_type_id"],
                    "name": row["appointment_type__name"],
                },
                "role": row["role"],
                "role_display": labels.get(row["role"], row["role"]),
                "mode": row["mode"],
                "site": {
                    "id": row["site_id"],
                    "name": row["site__name"],
                    "address_line1": row["site__address_line1"],
                    "address_line2": row["site__address_line2"],
                    "town": row["site__town"],
                },
            }
        )
    return out


def _drf_datetime(value: datetime.datetime) -> str:
    """How DRF's JSON encoder writes a datetime: ISO 8601, "Z" for UTC."""
    text = value.astimezone(datetime.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _slot_page(
    prepared: PreparedQuery[Any],
    json_object: str,
    rows_json: Any,
    *,
    channel: str,
    values: dict[str, Any],
    offset: int,
    size: int,
) -> SlotPage:
    """One page of ``prepared``'s rows: its JSON written by PostgreSQL (``json_object``), or on
    the SQLite demo in Python (``rows_json``), field for field the same."""
    shape = {"channel": channel}
    if not on_postgres():
        rows = prepared.rows(shape=shape, limit=size + 1, offset=offset, **values)
        return SlotPage(
            results_json=json.dumps(rows_json(rows[:size])), has_next=len(rows) > size
        )
    try:
        sql, params = prepared.sql(shape=shape, **values)
    except EmptyResultSet:  # an id no row can have
        return SlotPage(results_json="[]", has_next=False)
    return _page(json_object, sql, params, offset=offset, size=size)


def _page(json_object: str, sql: str, params: list[Any], *, offset: int, size: int) -> SlotPage:
    statement = f"""
        SELECT coalesce(json_agg(page.obj ORDER BY page.n) FILTER (WHERE page.n <= %s), '[]')
                   ::text,
               count(*) > %s
          FROM (SELECT row_number() OVER (ORDER BY t."start", t."id") AS n,
                       {json_object} AS obj
                  FROM ({sql} LIMIT %s OFFSET %s) AS t) AS page
    """  # noqa: S608 - the SQL is ours and the selector's; every value is a parameter
    with fast_cursor() as cursor:
        cursor.execute(statement, [size, size, *params, size + 1, offset])
        results_json, has_next = cursor.fetchone()
    return SlotPage(results_json=results_json, has_next=bool(has_next))


def _ids(value: Any) -> Any:
    """A model instance as its id: the prepared query takes plain values."""
    return getattr(value, "pk", value)


def staff_slot_page(
    *,
    practice: int,
    channel: str,
    offset: int,
    size: int,
    site: int | None = None,
    role: str | None = None,
    clinician: int | None = None,
    appointment_type: int | None = None,
    mode: str | None = None,
    after: datetime.datetime | None = None,
    before: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> SlotPage:
    """A page of ``slots_available`` in the shape of ``serializers.SlotOut``, earliest first."""
    values = {
        "practice": _ids(practice),
        "site": _ids(site),
        "role": role or None,
        "clinician": _ids(clinician),
        "appointment_type": _ids(appointment_type),
        "mode": mode or None,
        "after": after,
        "before": before,
        "now": now or timezone.now(),
    }
    return _slot_page(
        _STAFF, STAFF_JSON, staff_rows_json, channel=channel, values=values, offset=offset,
        size=size,
    )


def online_slot_page(
    *,
    practice: int,
    size: int,
    site: int | None = None,
    appointment_type: int | None = None,
    after: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> SlotPage:
    """The first ``size`` online slots of ``practice`` (the patient's), as ``slot_out``."""
    values = {
        "practice": _ids(practice),
        "site": _ids(site),
        "appointment_type": _ids(appointment_type),
        "after": after,
        "now": now or timezone.now(),
    }
    return _slot_page(
        _ONLINE, ONLINE_JSON, online_rows_json, channel=Channel.ONLINE.value, values=values,
        offset=0, size=size,
    )

