"""Reading patients and their record. Every read of a record is audited here, so that the API,
pages and admin cannot forget to; the policy is asked before anything is read.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Func, Q, QuerySet, TextField, Value, Window
from django.db.models.functions import Lower, RowNumber
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_write
from common.errors import NotFound, ServiceError
from common.fields import normalise_postcode
from policy.actor import Actor
from policy.records import NO_STAFF, Decision, RecordAction, visible_patients_q
from records.clinical import (
    Allergy,
    Change,
    ClinicalEntry,
    Consultation,
    Medication,
    Observation,
    ObservationKind,
    Problem,
)
from records.models import Patient
from records.nhs_number import normalise_nhs_number
from records.services.access import entry_model, refuse, require, require_access

SEARCH_LIMIT = 50
RECENT_CONSULTATIONS = 5
_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NHS_LIKE = re.compile(r"^[\d\s-]+$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$", re.IGNORECASE)
_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$", re.IGNORECASE)


def patient_get(*, patient_id: int) -> Patient:
    """The patient (with their practice, which the policy needs) or NotFound."""
    patient = Patient.objects.select_related("registered_practice").filter(pk=patient_id).first()
    if patient is None:
        raise NotFound("No patient with that id.")
    return patient


# Search -------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents: the Python twin of the database's ``dovetail_fold``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class FoldedName(Func):
    """``dovetail_fold(given_name || ' ' || family_name)``: the expression the trigram index
    (migration records 0003) is built on, so the planner can use it."""

    template = "dovetail_fold(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(F("given_name"), Value(" "), F("family_name"))


def parse_date(text: str) -> datetime.date | None:
    """``dd/mm/yyyy`` (or with - or .) and ISO ``yyyy-mm-dd``; None if it is not date-shaped."""
    if m := _DATE_ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DATE_DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ServiceError(f"{text} is not a real date: use dd/mm/yyyy.") from None


def _name_filter(qs: QuerySet[Patient], tokens: list[str]) -> QuerySet[Patient]:
    for token in tokens:
        if len(fold(token)) < 2:
            raise ServiceError("Type at least 2 letters of a name.")
    if connection.vendor == "postgresql":
        qs = qs.annotate(folded_name=FoldedName())
        for token in tokens:
            qs = qs.filter(folded_name__contains=fold(token))
        return qs
    for token in tokens:  # the SQLite demo: no accent folding, no index
        qs = qs.filter(Q(given_name__icontains=token) | Q(family_name__icontains=token))
    return qs


def search_filter(q: str) -> Q | tuple[Q, list[str]]:
    """Split a search into identifier filters and name tokens."""
    text = " ".join(q.split())
    if not text:
        raise ServiceError("Type a name, date of birth, NHS number or postcode.")
    if _NHS_LIKE.match(text) and len(re.sub(r"\D", "", text)) >= 9:
        try:
            return Q(nhs_number=normalise_nhs_number(text))
        except ValidationError as exc:
            raise ServiceError(exc.messages[0]) from None
    if _POSTCODE.match(text):
        try:
            return Q(postcode=normalise_postcode(text))
        except ValidationError as exc:
            raise ServiceError(exc.messages[0]) from None
    if _OUTWARD.match(text):
        return Q(postcode__startswith=f"{text.upper()} ")
    condition = Q()
    names: list[str] = []
    for token in text.split(" "):
        day = parse_date(token)
        if day is not None:
            condition &= Q(date_of_birth=day)
        elif any(ch.isdigit() for ch in token):
            raise ServiceError(
                f"{token!r} is not a date (dd/mm/yyyy), NHS number or postcode I can search for."
            )
        else:
            names.append(token)
    return condition, names


def patient_search(*, actor: Actor, q: str) -> list[Patient]:
    """Patients the actor may see matching ``q``: a name (partial, any case or accents), a date
    of birth (dd/mm/yyyy or ISO, may be combined with a name), an NHS number (spaces or hyphens
    allowed) or a postcode (full, or outward code such as ``OX2``). At most ``SEARCH_LIMIT``."""
    if not actor.is_staff_member:
        raise refuse(actor=actor, decision=NO_STAFF, action="search", patient=None)
    parsed = search_filter(q)
    qs = Patient.objects.filter(visible_patients_q(actor)).select_related("registered_practice")
    if isinstance(parsed, Q):
        return list(qs.filter(parsed).order_by("family_name", "given_name", "pk")[:SEARCH_LIMIT])
    condition, names = parsed
    qs = _name_filter(qs.filter(condition), names)
    # Ordering by an expression no index provides makes PostgreSQL find the matches through the
    # trigram index and sort them, instead of walking the name index and folding every row it
    # passes (5 s instead of 0.25 s for a common fragment such as "smi" on 500,000 patients).
    # JIT compilation (PostgreSQL's default above a cost estimate these searches reach) takes
    # longer than the query itself: switch it off for this one statement.
    ordering = (Lower("family_name"), Lower("given_name"), "pk")
    if connection.vendor != "postgresql":
        return list(qs.order_by(*ordering)[:SEARCH_LIMIT])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        return list(qs.order_by(*ordering)[:SEARCH_LIMIT])


def patient_demographics(*, actor: Actor, patient: Patient, via_search: bool = False) -> Patient:
    """The patient's demographics, if the policy allows; audited (view or search hit opened)."""
    _access, decision = require_access(
        actor=actor, patient=patient, action=RecordAction.VIEW_DEMOGRAPHICS
    )
    audit_write(
        actor=actor,
        action=AuditAction.SEARCH_HIT_OPENED if via_search else AuditAction.VIEW_DEMOGRAPHICS,
        basis=decision.basis,
        patient=patient,
        object_type="patient",
        object_id=patient.pk,
    )
    return patient


# The record ---------------------------------------------------------------------------------


def _current(
    model: type[ClinicalEntry], patient: Patient, *, show_sensitive: bool
) -> QuerySet[Any]:
    """The current version of each entry that was not entered in error."""
    manager: Any = model._default_manager  # abstract base: the plugin cannot see next_version
    qs = (
        manager.filter(patient=patient, next_version__isnull=True)
        .exclude(change=Change.ENTERED_IN_ERROR)
        .select_related("author__user", "site")
    )
    return qs if show_sensitive else qs.filter(sensitive=False)


@dataclass
class Alert:
    kind: str
    text: str


@dataclass
class PatientSummary:
    patient: Patient
    basis: str
    alerts: list[Alert] = field(default_factory=list)
    active_problems: list[Problem] = field(default_factory=list)
    current_medications: list[Medication] = field(default_factory=list)
    allergies: list[Allergy] = field(default_factory=list)
    latest_observations: list[Observation] = field(default_factory=list)
    bmi: Decimal | None = None
    recent_consultations: list[Consultation] = field(default_factory=list)
    sensitive_shown: bool = False


def bmi_from(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _audited_record_read(
    *,
    actor: Actor,
    patient: Patient,
    action: str,
    object_type: str,
    object_id: object = "",
    detail: str = "",
) -> tuple[Decision, bool]:
    """Every read of clinical entries starts here: the policy must allow the record (a refusal
    raises and is audited), the read is audited with its basis, and the caller learns whether
    sensitive entries may be shown."""
    access, decision = require_access(actor=actor, patient=patient, action=RecordAction.VIEW_RECORD)
    show_sensitive = access.decide(RecordAction.VIEW_SENSITIVE).allowed
    audit_write(
        actor=actor,
        action=action,
        basis=decision.basis,
        patient=patient,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    return decision, show_sensitive


def patient_summary(*, actor: Actor, patient: Patient) -> PatientSummary:
    """Demographics, alerts, active problems, current medications, allergies, the latest
    observation of each kind (and BMI), recent consultations: a fixed number of queries
    whatever the size of the record. Sensitive entries only for those allowed."""
    decision, show_sensitive = _audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_SUMMARY,
        object_type="patient",
        object_id=patient.pk,
    )
    today = timezone.localdate()
    summary = PatientSummary(patient=patient, basis=decision.basis, sensitive_shown=show_sensitive)
    summary.active_problems = list(
        _current(Problem, patient, show_sensitive=show_sensitive)
        .filter(status=Problem.Status.ACTIVE)
        .order_by("-onset_date", "-recorded_at")
    )
    summary.current_medications = list(
        _current(Medication, patient, show_sensitive=show_sensitive)
        .filter(Q(stop_date__isnull=True) | Q(stop_date__gte=today))
        .order_by("name")
    )
    summary.allergies = list(
        _current(Allergy, patient, show_sensitive=show_sensitive).order_by("substance")
    )
    summary.latest_observations = list(
        _current(Observation, patient, show_sensitive=show_sensitive)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("kind")],
                order_by=[F("taken_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .order_by("kind")
    )
    summary.recent_consultations = list(
        _current(Consultation, patient, show_sensitive=show_sensitive).order_by(
            "-consulted_at", "-pk"
        )[:RECENT_CONSULTATIONS]
    )
    latest = {o.kind: o for o in summary.latest_observations}
    weight, height = latest.get(ObservationKind.WEIGHT), latest.get(ObservationKind.HEIGHT)
    if weight is not None and height is not None:
        summary.bmi = bmi_from(weight.value, height.value)
    summary.alerts = _alerts(summary)
    return summary


def _alerts(summary: PatientSummary) -> list[Alert]:
    alerts: list[Alert] = []
    if summary.patient.is_deceased:
        alerts.append(Alert("deceased", f"Died {summary.patient.date_of_death:%d/%m/%Y}."))
    for allergy in summary.allergies:
        text = f"Allergy: {allergy.substance} ({allergy.get_severity_display().lower()})"
        alerts.append(
            Alert("allergy", text + (f": {allergy.reaction}" if allergy.reaction else ""))
        )
    sensitive = [
        e
        for group in (
            summary.active_problems,
            summary.current_medications,
            summary.allergies,
            summary.recent_consultations,
        )
        for e in group
        if e.sensitive
    ]
    if sensitive:
        alerts.append(
            Alert("sensitive", f"This record has {len(sensitive)} sensitive entries shown here.")
        )
    return alerts


def entries_current(*, actor: Actor, patient: Patient, entry_type: str) -> QuerySet[Any]:
    """Every current entry of one type, newest first (audited as a view of the record)."""
    model = entry_model(entry_type)
    _decision, show_sensitive = _audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_RECORD,
        object_type=entry_type,
        detail="list",
    )
    return _current(model, patient, show_sensitive=show_sensitive).order_by("-recorded_at", "-pk")


def entry_history(
    *, actor: Actor, patient: Patient, entry_type: str, entry_id: int
) -> list[ClinicalEntry]:
    """All versions of one entry, oldest first, including entered-in-error (audited)."""
    model = entry_model(entry_type)
    access, decision = require_access(actor=actor, patient=patient, action=RecordAction.VIEW_RECORD)
    manager: Any = model._default_manager
    lineage = manager.filter(pk=entry_id, patient=patient).values_list("lineage", flat=True).first()
    if lineage is None:
        raise NotFound(f"This patient has no {entry_type} with id {entry_id}.")
    versions = list(
        manager.filter(lineage=lineage).select_related("author__user", "site").order_by("version")
    )
    if any(v.sensitive for v in versions):
        require(access, RecordAction.VIEW_SENSITIVE, entry_type=entry_type, object_id=entry_id)
    audit_write(
        actor=actor,
        action=AuditAction.VIEW_RECORD,
        basis=decision.basis,
        patient=patient,
        object_type=entry_type,
        object_id=entry_id,
        detail="history",
    )
    return versions


# The patient's own record online -------------------------------------------------------------


@dataclass
class OnlineRecord:
    """What a patient sees online: entries recorded since ``access_from``, never sensitive
    and never withheld from the patient."""

    patient: Patient
    access_from: datetime.datetime
    consultations: list[Consultation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    allergies: list[Allergy] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


def online_entries(model: type[ClinicalEntry], patient: Patient, access_from: Any) -> QuerySet[Any]:
    """Current, not-in-error, not sensitive, not withheld entries recorded since access began.

    An amended entry counts from its first version: a version written after the access date of
    an entry first recorded before it is still prospective-access-hidden.
    """
    manager: Any = model._default_manager
    first_versions = manager.filter(version=1, recorded_at__gte=access_from).values("lineage")
    return _current(model, patient, show_sensitive=False).filter(
        withheld_from_patient=False, lineage__in=first_versions
    )


def patient_online_record(*, actor: Actor, patient: Patient) -> OnlineRecord:
    """The record as the patient (or their proxy) sees it online; audited as a patient view."""
    from policy.patients import (
        PATIENT_ONLINE_BASIS,
        check_may_view_online_record,
        record_access_from,
    )

    check_may_view_online_record(actor, patient)
    access_from = record_access_from(actor, patient)
    audit_write(
        actor=actor,
        action=AuditAction.VIEW_SUMMARY,
        basis=PATIENT_ONLINE_BASIS,
        patient=patient,
        object_type="patient",
        object_id=patient.pk,
        detail="online record",
    )
    record = OnlineRecord(patient=patient, access_from=access_from)
    record.consultations = list(
        online_entries(Consultation, patient, access_from).order_by("-consulted_at", "-pk")
    )
    record.problems = list(
        online_entries(Problem, patient, access_from).order_by("status", "-onset_date", "-pk")
    )
    record.medications = list(
        online_entries(Medication, patient, access_from).order_by("-start_date", "name")
    )
    record.allergies = list(online_entries(Allergy, patient, access_from).order_by("substance"))
    record.observations = list(
        online_entries(Observation, patient, access_from).order_by("-taken_at", "-pk")
    )
    return record


def consultation_history(*, actor: Actor, patient: Patient, limit: int = 100) -> list[Consultation]:
    """The current version of each consultation, newest first, including those marked entered
    in error (shown struck through with the reason) and with ``version`` > 1 when amended.
    Audited as a view of the record; sensitive ones only for those allowed. One query."""
    _decision, show_sensitive = _audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_RECORD,
        object_type="consultation",
        detail="history",
    )
    qs = Consultation.objects.filter(patient=patient, next_version__isnull=True).select_related(
        "author__user", "site"
    )
    if not show_sensitive:
        qs = qs.filter(sensitive=False)
    return list(qs.order_by("-consulted_at", "-pk")[:limit])


def consultations_for_appointment(
    *, actor: Actor, patient: Patient, appointment_id: int
) -> list[Consultation]:
    """The current notes written for one appointment (so the consultation page shows what is
    already saved instead of inviting a duplicate). Audited as a view of the record."""
    _decision, show_sensitive = _audited_record_read(
        actor=actor,
        patient=patient,
        action=AuditAction.VIEW_RECORD,
        object_type="consultation",
        detail=f"appointment {appointment_id}",
    )
    qs = (
        _current(Consultation, patient, show_sensitive=show_sensitive)
        .filter(appointment_id=appointment_id)
        .order_by("consulted_at", "pk")
    )
    return list(qs)
