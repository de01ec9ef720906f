"""Finding 7: append-only must not be one ``SET LOCAL`` away. The application's database role
cannot truncate, change or delete history, nor switch the triggers off; and outside test
databases the triggers have no escape hatch at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection

from common.append_only import refuse_change_function
from common.management.commands.db_roles import APP_ROLE, app_url

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")

APPEND_ONLY = ["audit_auditevent", "audit_breakglassreview", "records_problem",
               "records_breakglassgrant"]


@pytest.fixture
def app_db(db: None, django_db_blocker: Any) -> Iterator[psycopg.Connection]:
    """A connection to the test database as the application's role, outside the test's own
    transaction (the roles were made by the session set-up, ``manage.py db_roles``)."""
    settings = connection.settings_dict
    with django_db_blocker.unblock():
        conn = psycopg.connect(
            host=settings["HOST"] or None, port=settings["PORT"] or None,
            dbname=settings["NAME"], user=APP_ROLE, autocommit=True,
        )
    try:
        yield conn
    finally:
        conn.close()


def _refused(conn: psycopg.Connection, *statements: str) -> str:
    with pytest.raises(psycopg.Error) as caught, conn.transaction():
        for sql in statements:
            conn.execute(sql)
    return str(caught.value)


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_app_role_cannot_truncate_even_with_the_setting(app_db, table) -> None:
    message = _refused(app_db, "SET LOCAL dovetail.allow_truncate = 'on'", f"TRUNCATE {table}")
    assert "permission denied" in message


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_app_role_cannot_switch_the_triggers_off(app_db, table) -> None:
    assert "must be owner" in _refused(app_db, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert "must be owner" in _refused(app_db, f"DROP TRIGGER {table}_no_truncate ON {table}")


def test_the_app_role_cannot_skip_triggers_by_replication_role(app_db) -> None:
    assert "permission denied" in _refused(app_db, "SET session_replication_role = replica")


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_app_role_cannot_update_or_delete_history(app_db, table) -> None:
    assert "permission denied" in _refused(app_db, f"DELETE FROM {table}")
    assert "permission denied" in _refused(app_db, f"UPDATE {table} SET id = id")


def test_the_app_role_cannot_replace_the_trigger_function(app_db) -> None:
    sql = refuse_change_function("audit_refuse_change", "x", test_database=True)
    message = _refused(app_db, sql.replace("%%", "%"))
    assert "must be owner" in message or "permission denied for schema public" in message


def test_the_app_role_reads_and_writes_what_the_application_needs(app_db) -> None:
    with app_db.transaction():
        app_db.execute("SELECT count(*) FROM records_patient")
        app_db.execute("UPDATE django_session SET expire_date = expire_date WHERE false")
        app_db.execute(
            "INSERT INTO audit_auditevent (at, username, role, action, object_type, object_id,"
            " basis, detail, request_id) VALUES (now(), 'app', '', 'export', '', '', 'test',"
            " '', '')"
        )
        raise psycopg.Rollback()  # leave nothing behind


def test_outside_test_databases_the_trigger_has_no_escape_hatch() -> None:
    live = refuse_change_function("audit_refuse_change", "append-only", test_database=False)
    test = refuse_change_function("audit_refuse_change", "append-only", test_database=True)
    assert "allow_truncate" not in live
    assert "allow_truncate" in test


def test_the_demo_processes_connect_as_the_app_role() -> None:
    url = "postgresql://postgres:secret@127.0.0.1:5432/dovetail"
    assert app_url(url) == f"postgresql://{APP_ROLE}@127.0.0.1:5432/dovetail"
