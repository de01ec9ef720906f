"""``manage.py db_roles``: the two database roles, so the application cannot rewrite history.

- ``dovetail_owner`` (no login) owns every table, sequence and function: only it, or a
  superuser, could drop or disable the append-only triggers. Migrations run as a superuser or
  as a login that is a member of it.
- ``dovetail_app`` (login) is what the web and worker processes connect as: SELECT, INSERT,
  UPDATE and DELETE, no TRUNCATE, TRIGGER or REFERENCES, and no UPDATE or DELETE at all on
  the append-only tables (the audit trail, clinical entries, break-glass grants). It owns
  nothing, so it cannot ``ALTER TABLE ... DISABLE TRIGGER``, drop a trigger, replace a trigger
  function or ``SET session_replication_role``.

Run it after every ``migrate`` (it is idempotent): the demo target and the test set-up do.
``--print-app-url`` prints DATABASE_URL with the app role as its user, for the processes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

OWNER_ROLE = "dovetail_owner"
APP_ROLE = "dovetail_app"

OWNERSHIP_SQL = """
DO $$ DECLARE r record; BEGIN
    FOR r IN SELECT c.relname, c.relkind FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
    LOOP
        EXECUTE format('ALTER TABLE %I OWNER TO dovetail_owner', r.relname);
    END LOOP;
    FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'S'
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid
                               AND d.deptype IN ('a', 'i'))
    LOOP
        EXECUTE format('ALTER SEQUENCE %I OWNER TO dovetail_owner', r.relname);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public'
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO dovetail_owner', r.sig);
    END LOOP;
END $$;
"""
"""Everything in the public schema (but extensions' own functions) to the owner role."""

APPEND_ONLY_TABLES_SQL = """
SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND t.tgname LIKE '%\\_no\\_update\\_delete' ORDER BY 1
"""


def _create_role(cursor: Any, name: str, login: bool) -> None:
    # CREATE ROLE has no IF NOT EXISTS; two test workers may race to create it.
    options = "LOGIN" if login else "NOLOGIN"
    cursor.execute(
        f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN
        CREATE ROLE {name} {options} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
            NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
"""
    )
    cursor.execute(
        f"ALTER ROLE {name} {options} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    )


def grant_roles(*, app: str = APP_ROLE) -> list[str]:
    """Create both roles, hand ownership to ``owner`` and grant ``app`` its rights; returns the
    append-only tables it may not change."""
    if connection.vendor != "postgresql":
        raise CommandError("db_roles needs PostgreSQL: roles guard the append-only tables.")
    owner = OWNER_ROLE  # named in OWNERSHIP_SQL
    database = connection.ops.quote_name(connection.settings_dict["NAME"])
    with transaction.atomic(), connection.cursor() as cursor:
        _create_role(cursor, owner, login=False)
        _create_role(cursor, app, login=True)
        cursor.execute(OWNERSHIP_SQL)
        cursor.execute(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {app}")
        cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {app}")
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"
        )
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {app}"
        )
        cursor.execute(APPEND_ONLY_TABLES_SQL)
        append_only = [row[0] for row in cursor.fetchall()]
        for table in append_only:
            name = connection.ops.quote_name(table)
            cursor.execute(f"REVOKE UPDATE, DELETE ON {name} FROM {app}")
    return append_only


def app_url(url: str, *, app: str = APP_ROLE) -> str:
    """``url`` (postgresql://user[:password]@host...) with the app role as its user."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{app}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Command(BaseCommand):
    help = (
        "Create the dovetail_owner and dovetail_app database roles, give the owner every "
        "table and grant the app role what the application needs (never TRUNCATE, and no "
        "UPDATE or DELETE on the append-only tables). Run as a superuser after migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--print-app-url",
            metavar="DATABASE_URL",
            help="Only print this URL with the app role as its user (nothing is changed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_app_url"]:
            self.stdout.write(app_url(options["print_app_url"]))
            return
        append_only = grant_roles()
        self.stderr.write(
            f"db_roles: {OWNER_ROLE} owns the schema; {APP_ROLE} may not truncate, and may "
            f"not change or delete rows of {len(append_only)} append-only tables."
        )
