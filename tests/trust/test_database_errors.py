"""Issue 14, finding 10: lock victims are retried once, then 409; a lost database is a 503 with
Retry-After and a plain message, and the app reconnects by itself afterwards."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from rest_framework.test import APIClient

from common.contention import CONTENTION_MESSAGE, UNAVAILABLE_MESSAGE, retry_on_contention
from common.errors import Conflict
from staff.roles import Role
from tests.factories import StaffMemberFactory


def db_error(cause: Exception) -> OperationalError:
    """What Django raises: its OperationalError, caused by psycopg's."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def deadlock() -> OperationalError:
    return db_error(psycopg.errors.DeadlockDetected("deadlock detected"))


def lost() -> OperationalError:
    return db_error(psycopg.OperationalError("server closed the connection unexpectedly"))


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_victim_is_run_once_more() -> None:
    calls: list[int] = []

    @retry_on_contention
    def service() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise deadlock()
        return "done"

    assert service() == "done"
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_a_second_deadlock_is_a_conflict_with_a_plain_message() -> None:
    calls: list[int] = []

    @retry_on_contention
    def service() -> None:
        calls.append(1)
        raise db_error(psycopg.errors.SerializationFailure("could not serialize access"))

    with pytest.raises(Conflict) as refused:
        service()
    assert refused.value.message == CONTENTION_MESSAGE
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_inside_an_outer_transaction_there_is_no_retry() -> None:
    calls: list[int] = []

    @retry_on_contention
    def service() -> None:
        calls.append(1)
        raise deadlock()

    with pytest.raises(Conflict), transaction.atomic():
        service()
    assert len(calls) == 1


def test_other_database_errors_are_not_retried() -> None:
    @retry_on_contention
    def service() -> None:
        raise lost()

    with pytest.raises(OperationalError):
        service()


@pytest.fixture
def reception(db: Any) -> Any:
    return StaffMemberFactory(role=Role.RECEPTIONIST)


def api(staff: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(staff.user)
    return client


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [(deadlock, 409, CONTENTION_MESSAGE), (lost, 503, UNAVAILABLE_MESSAGE)],
)
def test_the_api_answers_database_failures_in_json(
    reception: Any, monkeypatch: Any, error: Any, status: int, message: str
) -> None:
    def failing(**kwargs: Any) -> Any:
        raise error()

    monkeypatch.setattr("patients.api.patient_search", failing)
    response = api(reception).get("/api/v1/patients/", {"q": "smith"})
    assert response.status_code == status
    assert response.json()["message"] == message
    if status == 503:
        assert response["Retry-After"] == "5"


def test_a_page_answers_a_lost_database_with_a_plain_503_page(
    reception: Any, client: Any, monkeypatch: Any
) -> None:
    def failing(**kwargs: Any) -> Any:
        raise lost()

    monkeypatch.setattr("patients.views.patient_search", failing)
    client.raise_request_exception = False
    client.force_login(reception.user)
    response = client.get("/reception/patients/", {"q": "smith"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert UNAVAILABLE_MESSAGE in response.content.decode()


def test_a_database_lost_inside_a_middleware_is_a_503_not_a_500(
    reception: Any, client: Any, monkeypatch: Any
) -> None:
    """Sessions are read by a middleware, before any view: handler500 answers it."""
    client.force_login(reception.user)

    def failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise lost()

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", failing)
    client.raise_request_exception = False
    page = client.get("/reception/patients/")
    assert page.status_code == 503
    assert UNAVAILABLE_MESSAGE in page.content.decode()
    answer = client.get("/api/v1/patients/", {"q": "x"})
    assert answer.status_code == 503
    assert answer.json()["error"] == "unavailable"


def _backend_pid() -> int:
    """The PostgreSQL backend of this thread's kept connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _terminate(pid: int) -> bool:
    """Cut one backend, as a database restart cuts every one (other tests' connections on
    this database are left alone, so the test does not depend on what else is open)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        return bool(cursor.fetchone()[0])


def _serve(path: str, query: str, token: str) -> tuple[int, Any]:
    """One request through Django's real WSGI handler, as a server thread runs it (the test
    client switches off the connection handling at the start and end of a request)."""
    from wsgiref.util import setup_testing_defaults

    from django.core.handlers.wsgi import WSGIHandler

    environ: dict[str, Any] = {
        "PATH_INFO": path, "QUERY_STRING": query, "HTTP_AUTHORIZATION": f"Token {token}",
        "SERVER_NAME": "testserver", "HTTP_HOST": "testserver",
    }
    setup_testing_defaults(environ)
    status: list[str] = []
    body = WSGIHandler()(environ, lambda s, headers: status.append(s))
    try:
        content = b"".join(body)
    finally:
        body.close()  # request_finished: Django closes or keeps the connection
    return int(status[0].split()[0]), json.loads(content)


@pytest.mark.django_db(transaction=True)
def test_after_the_database_drops_every_connection_the_next_request_works() -> None:
    """What a database restart does to a running server: its kept connections are cut.
    CONN_HEALTH_CHECKS makes the next request notice and reconnect (no restart, no 5xx)."""
    from rest_framework.authtoken.models import Token

    staff: Any = StaffMemberFactory(role=Role.RECEPTIONIST)
    token = Token.objects.create(user=staff.user).key
    server = ThreadPoolExecutor(max_workers=1)  # one server thread, its connection kept
    try:
        first = server.submit(_serve, "/api/v1/patients/", "q=smith", token).result()
        assert first[0] == 200, first
        server_pid = server.submit(_backend_pid).result()
        assert server_pid != _backend_pid()
        assert _terminate(server_pid)
        status, body = server.submit(_serve, "/api/v1/patients/", "q=smith", token).result()
        assert status == 200, body
    finally:
        server.submit(lambda: connection.close()).result()
        server.shutdown()
