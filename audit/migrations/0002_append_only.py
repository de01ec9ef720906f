"""The audit trail is append-only in the database too (ADR 0032): UPDATE, DELETE and TRUNCATE
of audit events and break-glass reviews are refused by triggers (TRUNCATE only allowed where
``dovetail.allow_truncate = on``, set on test databases so that test flushes work)."""

from django.db import migrations

TABLES = ["audit_auditevent", "audit_breakglassreview"]

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('dovetail.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'dovetail: % of % refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""

FORWARD = FUNCTION + "".join(
    f"""
CREATE TRIGGER {t}_no_update_delete BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""
    for t in TABLES
)
BACKWARD = "".join(
    f"""
DROP TRIGGER IF EXISTS {t}_no_update_delete ON {t};
DROP TRIGGER IF EXISTS {t}_no_truncate ON {t};
"""
    for t in TABLES
) + "DROP FUNCTION IF EXISTS audit_refuse_change();"


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL([FORWARD], [BACKWARD])]
