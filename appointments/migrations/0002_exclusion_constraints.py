"""Database-enforced "nobody in two places at once". The models declare these constraints
since appointments 0007 (state only), so a database migrated before then is unchanged."""

from django.db import migrations

SESSION_FORWARD = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE appointments_session ADD CONSTRAINT session_clinician_no_overlap
    EXCLUDE USING gist (clinician_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE (NOT cancelled);
"""
SESSION_BACKWARD = "ALTER TABLE appointments_session DROP CONSTRAINT session_clinician_no_overlap;"

APPOINTMENT_FORWARD = """
ALTER TABLE appointments_appointment ADD CONSTRAINT appointment_patient_no_overlap
    EXCLUDE USING gist (patient_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE (status NOT IN ('cancelled_patient', 'cancelled_practice'));
"""
APPOINTMENT_BACKWARD = (
    "ALTER TABLE appointments_appointment DROP CONSTRAINT appointment_patient_no_overlap;"
)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [
        migrations.RunSQL([SESSION_FORWARD], [SESSION_BACKWARD]),
        migrations.RunSQL([APPOINTMENT_FORWARD], [APPOINTMENT_BACKWARD]),
    ]
