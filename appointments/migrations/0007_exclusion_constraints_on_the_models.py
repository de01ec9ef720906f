"""The exclusion constraints of 0002 declared on the models (state only: the database already
has them, made by 0002's SQL, so no database changes)."""

import common.expressions
import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0006_patient_moved_to_patients'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AddConstraint(
                    model_name='appointment',
                    constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(('status__in', ('cancelled_patient', 'cancelled_practice')), _negated=True), expressions=[('patient', '='), (common.expressions.TsTzRange('start', 'end', django.contrib.postgres.fields.ranges.RangeBoundary()), '&&')], name='appointment_patient_no_overlap', violation_error_message='The patient already has an appointment at that time.'),
                ),
                migrations.AddConstraint(
                    model_name='session',
                    constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(('cancelled', False)), expressions=[('clinician', '='), (common.expressions.TsTzRange('start', 'end', django.contrib.postgres.fields.ranges.RangeBoundary()), '&&')], name='session_clinician_no_overlap', violation_error_message='The clinician already has a session at that time.'),
                ),
            ],
        ),
    ]
