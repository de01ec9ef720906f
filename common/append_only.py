"""The append-only tables' trigger function, with the TRUNCATE escape hatch on test databases
only (ADR 0032): used by the audit and records migrations."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TEST_DATABASE_PREFIX = "test_"
"""Django's and pytest-django's test databases are named test_<name> (test_<name>_gw0 ...)."""


def refuse_change_function(name: str, message: str, *, test_database: bool) -> str:
    """The trigger function of an append-only table: UPDATE, DELETE and TRUNCATE refused.

    Only on a test database does it let TRUNCATE through when the session sets
    ``dovetail.allow_truncate = on`` (so that test flushes work): everywhere else the escape
    hatch is not in the function at all, so no setting any role can make opens it.
    """
    hatch = (
        "    IF TG_OP = 'TRUNCATE' AND current_setting('dovetail.allow_truncate', true) = 'on'"
        " THEN\n        RETURN NULL;\n    END IF;\n"
        if test_database
        else ""
    )
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
{hatch}    RAISE EXCEPTION 'dovetail: %% of %% refused: {message}', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""


def append_only_function(name: str, message: str) -> migrations.RunPython:
    """Replace ``name`` with ``refuse_change_function``, the hatch only on a test database."""

    def _forward(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        test = str(connection.settings_dict["NAME"]).startswith(TEST_DATABASE_PREFIX)
        schema_editor.execute(refuse_change_function(name, message, test_database=test))

    return migrations.RunPython(_forward, migrations.RunPython.noop, elidable=False)
