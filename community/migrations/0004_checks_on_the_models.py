"""The list checks of 0002 declared on the models (state only: the database already has
them, made by 0002's SQL, so no database changes)."""

import common.expressions
import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0003_patient_moved_to_patients'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AddConstraint(
                    model_name='followup',
                    constraint=models.CheckConstraint(condition=models.Q(('swemwbs_items__isnull', True), models.Q(django.db.models.lookups.Exact(common.expressions.JSONBTypeOf(models.F('swemwbs_items')), 'array'), django.db.models.lookups.Exact(common.expressions.JSONBArrayLength(models.F('swemwbs_items')), 7), ('swemwbs_items__contained_by', [1, 2, 3, 4, 5])), _connector='OR'), name='follow_up_swemwbs_items', violation_error_message='SWEMWBS needs seven answers, each 1 to 5.'),
                ),
                migrations.AddConstraint(
                    model_name='referral',
                    constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.Exact(common.expressions.JSONBTypeOf(models.F('needs')), 'array'), django.db.models.lookups.GreaterThan(common.expressions.JSONBArrayLength(models.F('needs')), 0), ('needs__contained_by', ['isolation', 'carer', 'finance', 'activity', 'housing', 'mental_wellbeing'])), name='referral_needs_known', violation_error_message='Choose at least one need from the list.'),
                ),
                migrations.AddConstraint(
                    model_name='resource',
                    constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.Exact(common.expressions.JSONBTypeOf(models.F('categories')), 'array'), django.db.models.lookups.GreaterThan(common.expressions.JSONBArrayLength(models.F('categories')), 0), ('categories__contained_by', ['activity', 'arts', 'carers', 'employment', 'finance', 'food', 'housing', 'isolation', 'mental_wellbeing', 'volunteering'])), name='resource_categories_known', violation_error_message='Choose at least one category from the list.'),
                ),
            ],
        ),
    ]
