"""Finding a patient and reading their identity. Every read that shows a patient is audited
(issue 14 makes that one mechanism); the policy is asked before anything is read."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Lower

from audit.access import refuse, require_access
from audit.models import AuditAction
from audit.services import audit_write
from common.errors import NotFound, ServiceError
from common.fields import normalise_postcode
from patients.models import Patient
from patients.nhs_number import normalise_nhs_number
from policy.actor import Actor
from policy.records import NO_STAFF, RecordAction, visible_patients_q

SEARCH_LIMIT = 50
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
    qs = qs.annotate(folded_name=FoldedName())
    for token in tokens:
        qs = qs.filter(folded_name__contains=fold(token))
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
