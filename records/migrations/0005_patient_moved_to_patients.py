"""Foreign keys to the patient now name ``patients.Patient``: state only, the table is the
same (ADR 0014)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0006_patient_moved_to_patients'),
        ('audit', '0003_patient_moved_to_patients'),
        ('community', '0003_patient_moved_to_patients'),
        ('notifications', '0003_patient_moved_to_patients'),
        ('patients', '0003_patient_in_accounts_out'),
        ('records', '0004_consultation_one_per_appointment'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='observation',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='patients.patient'),
        ),
        migrations.AlterField(
            model_name='problem',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='patients.patient'),
        ),
        migrations.AlterField(
            model_name='consultation',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='patients.patient'),
        ),
        migrations.AlterField(
            model_name='breakglassgrant',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='break_glass_grants', to='patients.patient'),
        ),
        migrations.AlterField(
            model_name='allergy',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='patients.patient'),
        ),
        migrations.AlterField(
            model_name='medication',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='patients.patient'),
        ),
        migrations.DeleteModel(
            name='Patient',
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
