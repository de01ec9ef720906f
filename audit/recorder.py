"""The per-request audit recorder: the one mechanism that no page or endpoint can forget.

Every ``Patient`` instantiated while a request is handled (a lookup, a ``select_related`` on an
appointment, a row of the admin's change list, a prefetch) is noted here by a ``post_init``
signal, and every ``audit_write`` for a patient notes that patient as audited. When the response
is ready, ``AuditMiddleware`` writes one audit event for each patient that was loaded but not
audited by the selector or service that loaded it: the basis comes from the policy, the "what"
from the route. So a selector that writes its own, more specific event (a record read, a
booking) is never doubled, and a new page that writes none is still audited (ADR 0032).

Outside a request (Celery tasks, management commands, the shell) nothing is recorded here:
those write their own events where they read or change a record.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patients.models import Patient


@dataclass
class AuditRecorder:
    loaded: dict[int, Patient] = field(default_factory=dict)
    audited: set[int] = field(default_factory=set)
    reading_audit_trail: bool = False
    """Set by the audit trail's own reads: the patients in the events listed are covered by
    one "viewed the audit trail" event, not one each (which would fill the trail with its own
    reading)."""

    def unaudited(self) -> list[Patient]:
        return [p for pk, p in self.loaded.items() if pk not in self.audited]


_current: ContextVar[AuditRecorder | None] = ContextVar("dovetail_audit_recorder", default=None)


def start() -> Any:
    """Begin recording for one request; returns the token ``stop`` needs."""
    return _current.set(AuditRecorder())


def stop(token: Any) -> None:
    _current.reset(token)


def current() -> AuditRecorder | None:
    return _current.get()


IDENTITY_FIELDS = frozenset({"given_name", "family_name", "nhs_number"})


def note_loaded(patient: Patient) -> None:
    recorder = _current.get()
    if recorder is None or patient.pk is None:
        return
    if patient.get_deferred_fields() >= IDENTITY_FIELDS:
        return  # loaded for its id only (``.only("pk")``): nothing of who they are is shown
    recorder.loaded.setdefault(patient.pk, patient)


def note_audited(patient_id: int | None) -> None:
    recorder = _current.get()
    if recorder is not None and patient_id is not None:
        recorder.audited.add(patient_id)


def note_reading_audit_trail() -> None:
    recorder = _current.get()
    if recorder is not None:
        recorder.reading_audit_trail = True


def patient_instantiated(sender: Any, instance: Patient, **kwargs: Any) -> None:
    """``post_init`` receiver for ``Patient`` (connected in ``AuditConfig.ready``)."""
    note_loaded(instance)
