"""Fuzz the whole API from its OpenAPI schema (drf-spectacular) with schemathesis.

Issue 14: no input may give a 500, and every response must match the schema. Every operation
is called as a receptionist, a GP and a patient (token auth), with a bounded, derandomised
number of examples so the run takes well under a minute and fails the same way twice.
Failures are collected for all operations and reported together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from online.models import PatientAccount
from staff.roles import Role
from tests.factories import (
    AppointmentTypeFactory,
    PatientFactory,
    PracticeFactory,
    SiteFactory,
    SlotFactory,
    StaffMemberFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES = 5
# "A schema-valid request must be accepted" cannot hold for rules a schema cannot say: a
# wrong password, "type at least 2 letters of a name", "start_before after start_after".
# Every other check runs: no 5xx, documented status codes, content types and headers, and
# every response body matching its schema.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, called in this thread inside the test's transaction: like the
    test client, keep Django from closing the connection at each request's start and end."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db: Any) -> dict[str, str]:
    practice = PracticeFactory()
    site = SiteFactory(practice=practice)
    reception: Any = StaffMemberFactory(practice=practice, role=Role.RECEPTIONIST, sites=[site])
    gp: Any = StaffMemberFactory(practice=practice, role=Role.GP, sites=[site])
    kind = AppointmentTypeFactory(practice=practice, online_bookable=True)
    for _ in range(3):
        SlotFactory(site_obj=site, clinician=gp, appointment_type=kind, online=True)
    patient: Any = PatientFactory(registered_practice=practice)
    patient_user: Any = UserFactory(username="fuzz@example.com", email="fuzz@example.com")
    PatientAccount.objects.create(user=patient_user, patient=patient)
    return {
        who: Token.objects.create(user=user).key
        for who, user in (
            ("reception", reception.user), ("gp", gp.user), ("patient", patient_user)
        )
    }


def failures_of(operation: Any, headers: dict[str, str]) -> list[str]:
    found: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
        except (Exception, BaseExceptionGroup) as exc:  # collected: one report for all
            found.append(f"{operation.label}: {str(exc)[:1200]}")

    run()
    return found


def test_the_api_answers_every_generated_request_cleanly(
    app: WSGIHandler, tokens: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for who, key in tokens.items():
            for failure in failures_of(operation, {"Authorization": f"Token {key}"}):
                kinds = [line for line in failure.splitlines() if line.startswith("- ")]
                failures.setdefault(f"{operation.label} {kinds}", f"[{who}] {failure}")
    assert not failures, "\n\n".join(failures.values()) + f"\n\n{len(failures)} kinds"


@pytest.mark.parametrize("who", ["reception", "patient"])
def test_sequences_of_calls_linked_by_their_ids_answer_cleanly(
    app: WSGIHandler, tokens: dict[str, str], who: str
) -> None:
    """Stateful: schemathesis infers which responses' ids feed which requests (134 links, e.g.
    a booking's id into its cancel, move and note) and runs short sequences of them."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    headers = {"Authorization": f"Token {tokens[who]}"}

    machine: Any = schema.as_state_machine()

    class Sequences(machine):
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, excluded_checks=EXCLUDED, headers=headers)

    Sequences.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=5,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
