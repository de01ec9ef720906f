"""Foreign keys to the patient now name ``patients.Patient``: state only, the table is the
same (ADR 0014)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0005_drop_indexes_covered_by_composites'),
        ('patients', '0003_patient_in_accounts_out'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='appointment',
            name='patient',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='patients.patient'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
