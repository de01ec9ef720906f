"""PostgreSQL guarantees for the record: append-only entries (ADR 0031) and fast patient search.

- Every clinical entry table and the break-glass grants refuse UPDATE and DELETE (row triggers)
  and TRUNCATE (statement trigger; only a test database that sets
  ``dovetail.allow_truncate = on`` may be emptied, so test flushes keep working).
- Patient search: trigram GIN index on the case- and accent-folded full name, and a
  pattern index for postcode prefixes (outward codes like ``OX2``).
"""

# Each script is one statement list run as it is (no parameters, so "%" is plain text).
from django.db import migrations

APPEND_ONLY_TABLES = [
    "records_consultation",
    "records_problem",
    "records_medication",
    "records_allergy",
    "records_observation",
    "records_breakglassgrant",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION records_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('dovetail.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'dovetail: % of % refused: clinical record rows are never changed or deleted (amend or mark entered in error instead)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""


def _triggers(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION records_refuse_change();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION records_refuse_change();
"""


def _drop(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


SEARCH_FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION dovetail_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
CREATE INDEX patient_name_trgm ON records_patient
    USING gin (dovetail_fold(given_name || ' ' || family_name) gin_trgm_ops);
CREATE INDEX patient_postcode_prefix ON records_patient (postcode varchar_pattern_ops);
"""
SEARCH_BACKWARD = """
DROP INDEX IF EXISTS patient_postcode_prefix;
DROP INDEX IF EXISTS patient_name_trgm;
DROP FUNCTION IF EXISTS dovetail_fold(text);
"""


class Migration(migrations.Migration):
    dependencies = [("records", "0002_clinical_record")]

    operations = [
        migrations.RunSQL(
            [FUNCTION + "".join(_triggers(t) for t in APPEND_ONLY_TABLES)],
            ["".join(_drop(t) for t in APPEND_ONLY_TABLES)
             + "DROP FUNCTION IF EXISTS records_refuse_change();"],
        ),
        migrations.RunSQL([SEARCH_FORWARD], [SEARCH_BACKWARD]),
    ]
