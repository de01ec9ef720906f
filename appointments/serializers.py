"""API input and output shapes. No business rules here: validation of *form* only."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appointments.models import Appointment, AppointmentType, Channel, Mode, Slot
from practices.models import Site
from staff.models import StaffMember
from staff.roles import Role

MAX_ID = 2**63 - 1
"""Ids are PostgreSQL bigints: a larger number is bad input (400), not a database error."""


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeField(serializers.Field):
    """An ISO date-time (``2026-11-23T08:00``, zone optional: Europe/London assumed) or a date
    (``2026-11-23``, meaning local midnight)."""

    default_error_messages = {
        "invalid": "Give a date like 2026-11-23 or a date and time like 2026-11-23T08:00."
    }

    def to_internal_value(self, data: Any) -> datetime.datetime:
        text = str(data).strip()
        try:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail("invalid")
        if len(text) == 10:  # a bare date
            moment = datetime.datetime.combine(moment.date(), datetime.time(0))
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=timezone.get_current_timezone())
        return moment

    def to_representation(self, value: Any) -> str:
        return str(value.isoformat())


# ---- reference data -------------------------------------------------------------------------


class SiteOut(serializers.ModelSerializer[Site]):
    class Meta:
        model = Site
        fields = ["id", "practice", "name", "address", "postcode", "phone"]


class AppointmentTypeOut(serializers.ModelSerializer[AppointmentType]):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = AppointmentType
        fields = [
            "id",
            "practice",
            "name",
            "duration_minutes",
            "mode",
            "online_bookable",
            "is_routine",
            "roles",
        ]

    def get_roles(self, obj: AppointmentType) -> list[str]:
        return [r.role for r in obj.roles.all()]


class StaffOut(serializers.ModelSerializer[StaffMember]):
    name = serializers.CharField(source="display_name")
    sites: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = StaffMember
        fields = ["id", "practice", "name", "role", "sites"]


class ReferenceQuery(serializers.Serializer):
    practice = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class StaffQuery(ReferenceQuery):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


# ---- slots ----------------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClinicianBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    role = serializers.CharField()


class SlotOut(serializers.ModelSerializer[Slot]):
    site = NamedSerializer()
    clinician = ClinicianBrief()
    appointment_type = NamedSerializer()
    start = LocalDateTimeField()
    end = LocalDateTimeField()

    class Meta:
        model = Slot
        fields = [
            "id",
            "practice",
            "site",
            "clinician",
            "role",
            "appointment_type",
            "mode",
            "start",
            "end",
            "online",
            "federation",
        ]


SLOT_ROW_FIELDS = (
    "id",
    "practice_id",
    "site_id",
    "site__name",
    "clinician_id",
    "clinician__role",
    "clinician__user__username",
    "clinician__user__first_name",
    "clinician__user__last_name",
    "appointment_type_id",
    "appointment_type__name",
    "role",
    "mode",
    "start",
    "end",
    "online",
    "federation",
)
"""The columns ``slot_rows`` reads: search fetches ``.values(*SLOT_ROW_FIELDS)``, nothing else."""


def _staff_name(row: dict[str, Any]) -> str:
    """``StaffMember.display_name`` from a values() row."""
    full = f"{row['clinician__user__first_name']} {row['clinician__user__last_name']}".strip()
    if row["clinician__role"] == Role.GP and full:
        return f"Dr {full}"
    return full or str(row["clinician__user__username"])


def slot_rows(rows: Any) -> list[dict[str, Any]]:
    """``SlotOut(slots, many=True).data`` built from ``values()`` rows: the 8am search renders
    a page of slots on every request, and model instances plus DRF's nested serializers cost
    more than the query itself. A test keeps the two identical."""
    return [
        {
            "id": row["id"],
            "practice": row["practice_id"],
            "site": {"id": row["site_id"], "name": row["site__name"]},
            "clinician": {
                "id": row["clinician_id"],
                "name": _staff_name(row),
                "role": row["clinician__role"],
            },
            "role": row["role"],
            "appointment_type": {
                "id": row["appointment_type_id"],
                "name": row["appointment_type__name"],
            },
            "mode": row["mode"],
            "start": row["start"].isoformat(),
            "end": row["end"].isoformat(),
            "online": row["online"],
            "federation": row["federation"],
        }
        for row in rows
    ]


class SlotQuery(serializers.Serializer):
    practice = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Default: your own practice."
    )
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    clinician = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    appointment_type = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    start_after = LocalDateTimeField(required=False)
    start_before = LocalDateTimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs.get("start_after"), attrs.get("start_before")
        if after and before and before <= after:
            raise serializers.ValidationError("start_before must be later than start_after.")
        return attrs


# ---- appointments ---------------------------------------------------------------------------


class PatientBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    nhs_number = serializers.CharField(source="nhs_number_display")


class AppointmentOut(serializers.ModelSerializer[Appointment]):
    patient = PatientBrief()
    site = NamedSerializer()
    clinician = ClinicianBrief()
    appointment_type = NamedSerializer(source="slot.appointment_type")
    mode = serializers.CharField(source="slot.mode")
    booked_by = serializers.CharField(source="booked_by.get_username")
    start = LocalDateTimeField()
    end = LocalDateTimeField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "status",
            "slot",
            "patient",
            "site",
            "clinician",
            "appointment_type",
            "mode",
            "start",
            "end",
            "channel",
            "booked_by",
            "booked_from_site",
            "booked_at",
            "note",
            "embargo_override_reason",
            "cancel_reason",
            "arrived_at",
        ]


_DATETIME = serializers.DateTimeField()


def _moment(value: datetime.datetime | None) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def appointment_out(a: Appointment) -> dict[str, Any]:
    """``AppointmentOut(a).data`` without building a ModelSerializer: every booking answers
    with one, and DRF builds the serializer's fields anew each time, which cost more CPU than
    the booking's writes. ``a`` needs its patient, site, clinician (with user), slot (with
    appointment type) and booked_by loaded. A test keeps the two identical."""
    slot = a.slot
    return {
        "id": a.pk,
        "status": a.status,
        "slot": a.slot_id,
        "patient": {
            "id": a.patient.pk,
            "name": a.patient.full_name,
            "nhs_number": a.patient.nhs_number_display,
        },
        "site": {"id": a.site.pk, "name": a.site.name},
        "clinician": {
            "id": a.clinician.pk,
            "name": a.clinician.display_name,
            "role": a.clinician.role,
        },
        "appointment_type": {"id": slot.appointment_type.pk, "name": slot.appointment_type.name},
        "mode": slot.mode,
        "start": a.start.isoformat(),
        "end": a.end.isoformat(),
        "channel": a.channel,
        "booked_by": a.booked_by.get_username(),
        "booked_from_site": a.booked_from_site_id,
        "booked_at": _moment(a.booked_at),
        "note": a.note,
        "embargo_override_reason": a.embargo_override_reason,
        "cancel_reason": a.cancel_reason,
        "arrived_at": _moment(a.arrived_at),
    }


class AppointmentQuery(serializers.Serializer):
    patient = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    clinician = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    date = serializers.DateField(
        required=False, error_messages={"invalid": "Give the date like 2026-11-23."}
    )


class BookIn(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    patient = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    embargo_override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=300, default=""
    )
    channel = serializers.ChoiceField(
        choices=[Channel.RECEPTION, Channel.PHONE, Channel.FEDERATION],
        required=False,
        help_text="reception (default for your own practice) or phone; federation is implied "
        "when booking another practice's slot.",
    )


class CancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    by = serializers.ChoiceField(choices=["patient", "practice"])


class RescheduleIn(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    embargo_override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=300, default=""
    )


class NoteIn(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, max_length=500)


class ErrorOut(serializers.Serializer):
    error = serializers.CharField()
    message = serializers.CharField()
    detail = serializers.JSONField(required=False)
