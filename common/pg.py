"""PostgreSQL-only schema pieces, run from migrations and skipped on the SQLite demo fallback.

Constraints that PostgreSQL can enforce but SQLite cannot (exclusion constraints, triggers,
trigram indexes) are applied with these operations so that the demo still starts without a
server, while every real deployment and the whole test suite get the database guarantees.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def postgres_sql(forward: str, backward: str) -> migrations.RunPython:
    def _forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward)

    def _backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backward)

    return migrations.RunPython(_forward, _backward, elidable=False)
