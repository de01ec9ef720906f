"""REST API of the appointment book: input serializer -> policy/selector/service -> output.

Every view is thin; who may see or do what is answered by ``policy.appointments``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import search, selectors
from appointments import serializers as s
from appointments.models import Appointment, AppointmentType, AppointmentTypeRole, Slot
from appointments.services import attendance, booking
from common.api import json_text_response
from common.errors import NotFound, ServiceError
from policy import appointments as policy
from policy.actor import Actor, actor_for_request
from practices.models import Practice, Site
from staff.models import StaffMember

ERRORS = {
    400: OpenApiResponse(s.ErrorOut, description="Bad input; the message says what to fix."),
    401: OpenApiResponse(s.ErrorOut, description="Not signed in."),
    403: OpenApiResponse(s.ErrorOut, description="Refused by the access policy."),
}
NOT_FOUND = {404: OpenApiResponse(s.ErrorOut, description="No such id that you can see.")}
CONFLICT = {409: OpenApiResponse(s.ErrorOut, description="The book changed: e.g. slot taken.")}


class PagePagination(BasePagination):
    """Page-number pagination without a COUNT(*): fetch one row more to know if there is more.

    Counting every free slot of a federation would cost more than the search itself.
    """

    page_size = 50
    max_page_size = 200

    def read_page(self, request: Request) -> tuple[int, int]:
        """The requested page number and size, checked: (page, page_size)."""
        self.request = request
        try:
            self.page = int(request.query_params.get("page", "1"))
            self.size = int(request.query_params.get("page_size", str(self.page_size)))
        except ValueError:
            raise ServiceError("page and page_size must be whole numbers.") from None
        if not 1 <= self.page <= 100_000 or not 1 <= self.size <= self.max_page_size:
            raise ServiceError(f"page is 1 to 100000; page_size is 1 to {self.max_page_size}.")
        return self.page, self.size

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        page, size = self.read_page(request)
        offset = (page - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        self.has_next = len(rows) > size
        return rows[:size]

    def json_page_response(self, results_json: str, *, has_next: bool) -> HttpResponseBase:
        """The page, its results already written as JSON (``appointments.search``)."""
        self.has_next = has_next
        links = {
            "next": self._link(self.page + 1) if has_next else None,
            "previous": self._link(self.page - 1) if self.page > 1 else None,
        }
        text = json.dumps(links)[:-1] + f', "results": {results_json}}}'
        return json_text_response(self.request, text)

    def _link(self, page: int) -> str:
        params = self.request.query_params.copy()
        params["page"] = str(page)
        path = self.request.build_absolute_uri(self.request.path)
        return f"{path}?{urlencode(params)}"

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.page + 1) if self.has_next else None,
                "previous": self._link(self.page - 1) if self.page > 1 else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"name": "page", "in": "query", "required": False, "schema": {"type": "integer"}},
            {"name": "page_size", "in": "query", "required": False, "schema": {"type": "integer"}},
        ]


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _body(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _staff_actor(request: Request) -> Actor:
    actor = actor_for_request(request)
    policy.require_staff(actor)
    return actor


def _practice_ids(actor: Actor, requested: int | None) -> list[int]:
    visible = policy.visible_practice_ids(actor)
    if requested is None:
        return visible
    if requested not in visible:
        raise NotFound("No practice with that id that you can see.")
    return [requested]


class _Paginated(APIView):
    pagination_class = PagePagination

    def paginate(self, request: Request, rows: QuerySet[Any], out: Any) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(out(page, many=True).data)


# ---- reference data -------------------------------------------------------------------------


class SiteList(APIView):
    @extend_schema(
        summary="Sites of your practice and of practices in your federation",
        parameters=[s.ReferenceQuery],
        responses={200: s.SiteOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _staff_actor(request)
        query = _query(s.ReferenceQuery, request)
        sites = Site.objects.filter(practice_id__in=_practice_ids(actor, query.get("practice")))
        return Response(s.SiteOut(sites.order_by("practice_id", "name"), many=True).data)


class AppointmentTypeList(APIView):
    @extend_schema(
        summary="Appointment types with the roles that deliver them",
        parameters=[s.ReferenceQuery],
        responses={200: s.AppointmentTypeOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _staff_actor(request)
        query = _query(s.ReferenceQuery, request)
        types = (
            AppointmentType.objects.filter(
                practice_id__in=_practice_ids(actor, query.get("practice")), active=True
            )
            .prefetch_related(Prefetch("roles", AppointmentTypeRole.objects.order_by("role")))
            .order_by("practice_id", "name")
        )
        return Response(s.AppointmentTypeOut(types, many=True).data)


class StaffList(APIView):
    @extend_schema(
        summary="Active staff: everyone at your practice, clinicians of federation practices",
        parameters=[s.StaffQuery],
        responses={200: s.StaffOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _staff_actor(request)
        query = _query(s.StaffQuery, request)
        ids = _practice_ids(actor, query.get("practice"))
        staff = StaffMember.objects.filter(
            policy.staff_visible_q(actor), practice_id__in=ids, active=True
        )
        if query.get("role"):
            staff = staff.filter(role=query["role"])
        if query.get("site"):
            staff = staff.filter(sites=query["site"])
        staff = staff.select_related("user").prefetch_related("sites")
        return Response(s.StaffOut(staff.order_by("user__last_name", "pk"), many=True).data)


# ---- slots ----------------------------------------------------------------------------------


class SlotList(_Paginated):
    @extend_schema(
        summary="Free slots, earliest first (next available = the first result)",
        description="Only slots you may book through your channel: your own practice's book as "
        "reception, a federation practice's federation slots. Embargoed slots are not listed.",
        parameters=[s.SlotQuery],
        responses={200: s.SlotOut(many=True), **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request) -> HttpResponseBase:
        actor = _staff_actor(request)
        query = _query(s.SlotQuery, request)
        practice_id: int = query.get("practice") or actor.practice_id or 0
        practice: Practice | None
        if actor.staff is not None and practice_id == actor.practice_id:
            practice = actor.staff.practice  # loaded with the actor: no query
        else:
            practice = Practice.objects.filter(pk=practice_id).only("pk", "federation_id").first()
        if practice is None:
            raise NotFound("No practice with that id.")
        channel = policy.search_channel(
            actor, practice_id=practice.pk, federation_id=practice.federation_id
        )
        paginator = self.pagination_class()
        number, size = paginator.read_page(request)
        page = search.staff_slot_page(
            practice=practice.pk,
            channel=channel,
            site=query.get("site"),
            role=query.get("role"),
            clinician=query.get("clinician"),
            appointment_type=query.get("appointment_type"),
            mode=query.get("mode"),
            after=query.get("start_after"),
            before=query.get("start_before"),
            offset=(number - 1) * size,
            size=size,
        )
        return paginator.json_page_response(page.results_json, has_next=page.has_next)


# ---- appointments ---------------------------------------------------------------------------


def _appointment(actor: Actor, pk: int) -> Appointment:
    appointment = selectors.appointment_visible(actor=actor, pk=pk) if pk <= s.MAX_ID else None
    if appointment is None:
        raise NotFound("No appointment with that id that you can see.")
    return appointment


def _slot(pk: int) -> Slot:
    slot = selectors.slot_for_booking(pk=pk)
    if slot is None:
        raise NotFound("No slot with that id.")
    return slot


def _fresh(appointment: Appointment) -> Appointment:
    """The appointment re-read with everything the output serializer shows, in one query."""
    return selectors.appointments_for(practice_ids=[appointment.slot.practice_id]).get(
        pk=appointment.pk
    )


class AppointmentListCreate(_Paginated):
    @extend_schema(
        summary="Appointments at your practice, by patient, site, clinician or day",
        parameters=[s.AppointmentQuery],
        responses={200: s.AppointmentOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = _staff_actor(request)
        query = _query(s.AppointmentQuery, request)
        rows = selectors.appointments_for(
            practice_ids=policy.appointment_practice_ids(actor), **query
        )
        return self.paginate(request, rows, s.AppointmentOut)

    @extend_schema(
        summary="Book a slot for a patient",
        request=s.BookIn,
        responses={201: s.AppointmentOut, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request) -> Response:
        actor = _staff_actor(request)
        data = _body(s.BookIn, request)
        slot = _slot(data["slot"])
        patient = selectors.patient_for_booking(pk=data["patient"])
        if patient is None:
            raise NotFound("No patient with that id.")
        appointment = booking.appointment_book(
            slot=slot,
            patient=patient,
            actor=actor,
            channel=data.get("channel"),
            note=data["note"],
            embargo_override_reason=data["embargo_override_reason"],
        )
        # Everything the response shows is already loaded: no query to re-read it.
        appointment.site = slot.site
        appointment.clinician = slot.clinician
        return Response(s.appointment_out(appointment), status=status.HTTP_201_CREATED)


class AppointmentDetail(APIView):
    @extend_schema(
        summary="One appointment", responses={200: s.AppointmentOut, **ERRORS, **NOT_FOUND}
    )
    def get(self, request: Request, pk: int) -> Response:
        actor = _staff_actor(request)
        return Response(s.AppointmentOut(_appointment(actor, pk)).data)


def _action(
    summary: str,
    body: type[serializers.Serializer] | None,
    run: Callable[[Appointment, Actor, dict[str, Any]], Appointment],
) -> type[APIView]:
    class ActionView(APIView):
        @extend_schema(
            summary=summary,
            request=body,
            responses={200: s.AppointmentOut, **ERRORS, **NOT_FOUND, **CONFLICT},
        )
        def post(self, request: Request, pk: int) -> Response:
            actor = _staff_actor(request)
            appointment = _appointment(actor, pk)
            data = _body(body, request) if body is not None else {}
            changed = run(appointment, actor, data)
            return Response(s.AppointmentOut(_fresh(changed)).data)

    ActionView.__name__ = ActionView.__qualname__ = (
        "Appointment" + summary.split()[0].capitalize() + "View"
    )
    return ActionView


AppointmentCancel = _action(
    "Cancel (by patient or practice, with a reason); the slot becomes free",
    s.CancelIn,
    lambda a, actor, d: booking.appointment_cancel(
        appointment=a, actor=actor, by=d["by"], reason=d["reason"]
    ),
)
AppointmentReschedule = _action(
    "Reschedule to another free slot in one step",
    s.RescheduleIn,
    lambda a, actor, d: booking.appointment_reschedule(
        appointment=a,
        slot=_slot(d["slot"]),
        actor=actor,
        embargo_override_reason=d["embargo_override_reason"],
    ),
)
AppointmentNote = _action(
    "Note: set the booking note",
    s.NoteIn,
    lambda a, actor, d: booking.appointment_note_set(appointment=a, actor=actor, note=d["note"]),
)
AppointmentArrive = _action(
    "Arrived: the patient is in the waiting room",
    None,
    lambda a, actor, d: attendance.appointment_arrive(appointment=a, actor=actor),
)
AppointmentStart = _action(
    "Start: the consultation has begun",
    None,
    lambda a, actor, d: attendance.appointment_start(appointment=a, actor=actor),
)
AppointmentFinish = _action(
    "Finish: the consultation is over",
    None,
    lambda a, actor, d: attendance.appointment_finish(appointment=a, actor=actor),
)
AppointmentDna = _action(
    "DNA: the patient did not attend",
    None,
    lambda a, actor, d: attendance.appointment_mark_dna(appointment=a, actor=actor),
)
