"""The TRUNCATE escape hatch of the record tables' trigger exists only on test databases
(issue 14, finding 7): on any other database no setting lets TRUNCATE through."""

from django.db import migrations

from common.append_only import append_only_function


class Migration(migrations.Migration):
    dependencies = [("records", "0005_patient_moved_to_patients")]

    operations = [
        append_only_function(
            "records_refuse_change",
            "clinical record rows are never changed or deleted "
            "(amend or mark entered in error instead)",
        ),
    ]
