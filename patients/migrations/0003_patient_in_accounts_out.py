"""The Patient model moves here from ``records``; the online-account models move to ``online``.

State only: the tables keep their names (``records_patient``, ``patients_patientaccount``...),
so no data moves (ADR 0014). Content types follow the models so permissions and admin history
still point at them.
"""

import common.fields
import datetime
import django.db.models.deletion
import patients.nhs_number
from django.db import migrations, models


MOVED = [("records", "patients", "patient")]


def move_content_types(apps, schema_editor):
    """Point existing content types (and so permissions and admin log entries) at the new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, new_app, model in MOVED:
        if not ContentType.objects.filter(app_label=new_app, model=model).exists():
            ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, new_app, model in MOVED:
        if not ContentType.objects.filter(app_label=old_app, model=model).exists():
            ContentType.objects.filter(app_label=new_app, model=model).update(app_label=old_app)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('patients', '0002_record_access_from'),
        ('practices', '0001_initial'),
    ]

    state_operations = [
        migrations.RemoveField(
            model_name='patientaccount',
            name='patient',
        ),
        migrations.RemoveField(
            model_name='patientaccount',
            name='registration_code',
        ),
        migrations.RemoveField(
            model_name='patientaccount',
            name='user',
        ),
        migrations.RemoveField(
            model_name='proxyaccess',
            name='granted_by',
        ),
        migrations.RemoveField(
            model_name='proxyaccess',
            name='grantee',
        ),
        migrations.RemoveField(
            model_name='proxyaccess',
            name='patient',
        ),
        migrations.RemoveField(
            model_name='proxyaccess',
            name='revoked_by',
        ),
        migrations.RemoveField(
            model_name='registrationcode',
            name='issued_by',
        ),
        migrations.RemoveField(
            model_name='registrationcode',
            name='patient',
        ),
        migrations.CreateModel(
            name='Patient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('nhs_number', patients.nhs_number.NHSNumberField(unique=True, verbose_name='NHS number')),
                ('given_name', models.CharField(max_length=100)),
                ('family_name', models.CharField(max_length=100)),
                ('date_of_birth', models.DateField()),
                ('sex', models.CharField(choices=[('female', 'Female'), ('male', 'Male'), ('indeterminate', 'Indeterminate'), ('unknown', 'Not known')], max_length=15)),
                ('address_line1', models.CharField(max_length=200, verbose_name='address line 1')),
                ('address_line2', models.CharField(blank=True, max_length=200, verbose_name='address line 2')),
                ('town', models.CharField(max_length=100)),
                ('postcode', common.fields.PostcodeField(max_length=8)),
                ('mobile', common.fields.UKMobileField(blank=True, max_length=16)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('sms_consent', models.BooleanField(default=False, verbose_name='consents to SMS')),
                ('email_consent', models.BooleanField(default=False, verbose_name='consents to email')),
                ('registration_date', models.DateField(default=datetime.date.today)),
                ('date_of_death', models.DateField(blank=True, null=True)),
                ('preferred_site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='practices.site')),
                ('registered_practice', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='patients', to='practices.practice')),
            ],
            options={
                'db_table': 'records_patient',
                'ordering': ['family_name', 'given_name'],
            },
        ),
        migrations.DeleteModel(
            name='ContactPreferenceChange',
        ),
        migrations.DeleteModel(
            name='PatientAccount',
        ),
        migrations.DeleteModel(
            name='ProxyAccess',
        ),
        migrations.DeleteModel(
            name='RegistrationCode',
        ),
        migrations.AddIndex(
            model_name='patient',
            index=models.Index(fields=['family_name', 'given_name'], name='patient_name_idx'),
        ),
        migrations.AddIndex(
            model_name='patient',
            index=models.Index(fields=['date_of_birth'], name='patient_dob_idx'),
        ),
        migrations.AddIndex(
            model_name='patient',
            index=models.Index(fields=['postcode'], name='patient_postcode_idx'),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(('nhs_number__regex', '^[0-9]{10}$')), name='patient_nhs_number_digits'),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(('date_of_death__isnull', True), ('date_of_death__gte', models.F('date_of_birth')), _connector='OR'), name='patient_death_after_birth'),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(('registration_date__gte', models.F('date_of_birth'))), name='patient_registered_after_birth'),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(('mobile', ''), ('sms_consent', True), _negated=True), name='patient_sms_consent_needs_mobile'),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(('email', ''), ('email_consent', True), _negated=True), name='patient_email_consent_needs_email'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
