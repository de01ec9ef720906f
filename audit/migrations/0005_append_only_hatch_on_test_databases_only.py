"""The TRUNCATE escape hatch of the audit tables' trigger exists only on test databases
(issue 14, finding 7): on any other database no setting lets TRUNCATE through."""

from django.db import migrations

from common.append_only import append_only_function


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_staff_access_actions")]

    operations = [
        append_only_function("audit_refuse_change", "the audit trail is append-only"),
    ]
