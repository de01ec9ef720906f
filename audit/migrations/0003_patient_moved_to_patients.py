"""Foreign keys to the patient now name ``patients.Patient``: state only, the table is the
same (ADR 0014)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
        ('patients', '0003_patient_in_accounts_out'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='patient',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_events', to='patients.patient'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
