"""Small helpers for writing rows straight into the application's tables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from psycopg import Cursor, sql

# A neutral value for a NOT NULL column the builder does not know about (added by a later
# migration without a database default): the build keeps working and says what it filled.
_FILLERS = {
    "character varying": "''",
    "text": "''",
    "boolean": "false",
    "smallint": "0",
    "integer": "0",
    "bigint": "0",
    "numeric": "0",
    "double precision": "0",
    "timestamp with time zone": "now()",
    "date": "current_date",
    "time without time zone": "'00:00'",
    "jsonb": "'{}'::jsonb",
    "uuid": "gen_random_uuid()",
}


def unknown_required_columns(cur: Cursor[Any], table: str, known: Iterable[str]) -> list[str]:
    rows = cur.execute(
        """
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = %s AND is_nullable = 'NO'
          AND column_default IS NULL AND is_identity = 'NO'
        ORDER BY ordinal_position
        """,
        [table],
    ).fetchall()
    given = set(known)
    return [name for (name,) in rows if name not in given]


@contextmanager
def defaults_for_unknown_columns(
    cur: Cursor[Any], table: str, known: Iterable[str], filled: list[str]
) -> Iterator[None]:
    """Give unknown NOT NULL columns of ``table`` a temporary default while rows are written."""
    columns = unknown_required_columns(cur, table, known)
    types = dict(
        cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        ).fetchall()
    )
    if columns:
        # Django's foreign keys are deferred: rows written earlier in this transaction leave
        # pending checks, and PostgreSQL refuses ALTER TABLE until they have run.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for column in columns:
        filler = _FILLERS.get(types[column])
        if filler is None:
            raise RuntimeError(
                f"{table}.{column} ({types[column]}) is required and has no default: "
                "teach bench/dataset.py to fill it."
            )
        cur.execute(
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
                sql.Identifier(table), sql.Identifier(column), sql.SQL(filler)
            )
        )
        filled.append(f"{table}.{column}")
    try:
        yield
    finally:
        if columns:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for column in columns:
            cur.execute(
                sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT").format(
                    sql.Identifier(table), sql.Identifier(column)
                )
            )


def copy_rows(
    cur: Cursor[Any],
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filled: list[str],
) -> int:
    """COPY ``rows`` into ``table``; returns how many were written."""
    count = 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with defaults_for_unknown_columns(cur, table, columns, filled), cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def reset_identity(cur: Cursor[Any], table: str) -> None:
    """After rows were written with explicit ids, move the id sequence past them."""
    cur.execute(
        sql.SQL(
            "SELECT setval(pg_get_serial_sequence({table_name}, 'id'), "
            "coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        ).format(table_name=sql.Literal(table), table=sql.Identifier(table))
    )
