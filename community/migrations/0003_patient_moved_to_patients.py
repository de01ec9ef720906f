"""Foreign keys to the patient now name ``patients.Patient``: state only, the table is the
same (ADR 0014)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0002_postgres_search_and_checks'),
        ('patients', '0003_patient_in_accounts_out'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='careteamassignment',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.patient'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.patient'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
